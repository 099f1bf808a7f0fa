package dev.ratelimiter.benchmarks.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Slow clients against normal ones (issue 11, "slow clients"). Opens {@code slow} connections
 * that each send a request line and one header, then one more header line every
 * {@code intervalMs}, and reconnect at once when the server closes them; meanwhile
 * {@code normal} threads send ordinary checks on kept-alive connections at {@code rate} checks
 * per second in all, each with a 5 s deadline, after 2,000 unmeasured warm-up checks. Prints the normal checks sent, answered, timed
 * out, their p50/p99/max and statuses, and the slow reconnects; exits 1 if a normal check went
 * unanswered, p99 reached {@code p99LimitMs}, or {@code ratelimiter_checks_degraded_total}
 * moved.
 *
 * <p>{@code java -cp benchmarks/target/classes dev.ratelimiter.benchmarks.http.SlowClientsProbe
 * http://127.0.0.1:8080 [slow=500] [seconds=20] [rate=100] [intervalMs=2000] [p99LimitMs=50]}.
 * Loopback only; everything it opens it closes before exiting.
 */
public final class SlowClientsProbe {

    private SlowClientsProbe() {
    }

    /**
     * Runs the probe.
     *
     * @param args URL, then optional slow count, seconds, rate, interval and p99 limit
     * @throws Exception if the server cannot be reached at all
     */
    public static void main(String[] args) throws Exception {
        InetSocketAddress address = ProbeSupport.loopback(args[0]);
        int slowCount = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int rate = args.length > 3 ? Integer.parseInt(args[3]) : 100;
        long intervalNanos = TimeUnit.MILLISECONDS.toNanos(
                args.length > 4 ? Long.parseLong(args[4]) : 2000);
        double p99Limit = args.length > 5 ? Double.parseDouble(args[5]) : 50;
        double degradedBefore = ProbeSupport.metric(address, "ratelimiter_checks_degraded_total");

        warmUp(address, 2000);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong reconnects = new AtomicLong();
        Thread slow = new Thread(() -> slowClients(address, slowCount, intervalNanos, end,
                reconnects), "slow-clients");
        slow.start();
        // Let the slow ones connect first: the point is normal checks while they hold on.
        Thread.sleep(Math.min(2000, seconds * 100L));

        int threads = 4;
        List<long[]> latencies = new ArrayList<>();
        long[] counts = new long[4]; // sent, answered, timedOut, non2xx
        int[] statuses = new int[600];
        List<Thread> normal = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long[] mine = new long[rate * seconds / threads + 16];
            latencies.add(mine);
            int id = t;
            Thread th = new Thread(() -> normalClient(address, id, rate / (double) threads, end,
                    mine, counts, statuses), "normal-" + t);
            normal.add(th);
            th.start();
        }
        for (Thread th : normal) {
            th.join();
        }
        slow.join();

        long[] all = latencies.stream().flatMapToLong(Arrays::stream).filter(v -> v > 0)
                .sorted().toArray();
        double p50 = all.length == 0 ? 0 : all[(int) (all.length * 0.50)] / 1e6;
        double p99 = all.length == 0 ? 0 : all[Math.min(all.length - 1, (int) (all.length * 0.99))] / 1e6;
        double max = all.length == 0 ? 0 : all[all.length - 1] / 1e6;
        double degradedAfter = ProbeSupport.metric(address, "ratelimiter_checks_degraded_total");
        StringBuilder st = new StringBuilder();
        for (int i = 0; i < statuses.length; i++) {
            if (statuses[i] > 0) {
                st.append(i).append('x').append(statuses[i]).append(' ');
            }
        }
        System.out.printf("slow-clients: slow=%d interval=%dms seconds=%d rate=%d/s%n", slowCount,
                TimeUnit.NANOSECONDS.toMillis(intervalNanos), seconds, rate);
        System.out.printf("normal checks: sent=%d answered=%d timedOut=%d statuses=[%s]%n",
                counts[0], counts[1], counts[2], st.toString().trim());
        System.out.printf("normal latency ms: p50=%.1f p99=%.1f max=%.1f%n", p50, p99, max);
        System.out.printf("slow reconnects: %d; degraded decisions during the run: %.0f%n",
                reconnects.get(), degradedAfter - degradedBefore);
        boolean ok = counts[0] == counts[1] && p99 < p99Limit && degradedAfter == degradedBefore;
        System.out.println(ok ? "PASS" : "FAIL");
        System.exit(ok ? 0 : 1);
    }

    /** Unmeasured checks first, so that the figures are not the JIT's warm-up. */
    private static void warmUp(InetSocketAddress address, int checks) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(address, 5_000);
            s.setSoTimeout(5_000);
            s.setTcpNoDelay(true);
            for (int i = 0; i < checks; i++) {
                s.getOutputStream().write(ProbeSupport.check("warm-" + i)
                        .getBytes(StandardCharsets.US_ASCII));
                if (ProbeSupport.read(s.getInputStream()) == null) {
                    throw new IOException("warm-up check unanswered");
                }
            }
        }
    }

    private static void normalClient(InetSocketAddress address, int id, double perSecond,
                                     long end, long[] latencies, long[] counts, int[] statuses) {
        long gap = (long) (1e9 / Math.max(0.1, perSecond));
        long next = System.nanoTime();
        int n = 0;
        Socket socket = null;
        InputStream in = null;
        while (System.nanoTime() < end && n < latencies.length) {
            long now = System.nanoTime();
            if (now < next) {
                java.util.concurrent.locks.LockSupport.parkNanos(next - now);
            }
            next += gap;
            long start = System.nanoTime();
            synchronized (counts) {
                counts[0]++;
            }
            try {
                if (socket == null) {
                    socket = new Socket();
                    socket.connect(address, 5_000);
                    socket.setSoTimeout(5_000);
                    socket.setTcpNoDelay(true);
                    in = socket.getInputStream();
                }
                socket.getOutputStream().write(ProbeSupport.check("normal-" + id + "-" + n)
                        .getBytes(StandardCharsets.US_ASCII));
                ProbeSupport.Reply r = ProbeSupport.read(in);
                if (r == null) {
                    throw new IOException("closed without a response");
                }
                latencies[n++] = Math.max(1, System.nanoTime() - start);
                synchronized (counts) {
                    counts[1]++;
                    statuses[r.status()]++;
                }
                if (r.closes()) {
                    socket.close();
                    socket = null;
                }
            } catch (IOException e) {
                synchronized (counts) {
                    counts[2]++;
                }
                try {
                    if (socket != null) {
                        socket.close();
                    }
                } catch (IOException ignored) {
                    // closing anyway
                }
                socket = null;
            }
        }
        try {
            if (socket != null) {
                socket.close();
            }
        } catch (IOException ignored) {
            // done
        }
    }

    private static void slowClients(InetSocketAddress address, int count, long intervalNanos,
                                    long end, AtomicLong reconnects) {
        SocketChannel[] channels = new SocketChannel[count];
        long[] due = new long[count];
        int[] lines = new int[count];
        ByteBuffer scratch = ByteBuffer.allocate(4096);
        try {
            while (System.nanoTime() < end) {
                long now = System.nanoTime();
                for (int i = 0; i < count; i++) {
                    try {
                        if (channels[i] == null) {
                            channels[i] = SocketChannel.open(address);
                            channels[i].configureBlocking(false);
                            write(channels[i], "POST /api/ratelimit/check HTTP/1.1\r\nHost: slow\r\n");
                            due[i] = now + intervalNanos;
                            continue;
                        }
                        scratch.clear();
                        if (channels[i].read(scratch) < 0) {
                            throw new IOException("closed by the server");
                        }
                        if (now >= due[i]) {
                            write(channels[i], "X-Slow-" + (lines[i]++) + ": y\r\n");
                            due[i] = now + intervalNanos;
                        }
                    } catch (IOException e) {
                        close(channels[i]);
                        channels[i] = null;
                        reconnects.incrementAndGet();
                    }
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (SocketChannel c : channels) {
                close(c);
            }
        }
    }

    private static void write(SocketChannel c, String s) throws IOException {
        c.write(ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII)));
    }

    private static void close(SocketChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
