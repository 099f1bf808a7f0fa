package dev.ratelimiter.benchmarks.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Closed-loop load on kept-alive connections that accounts for every request, for the SIGTERM
 * test: wrk cannot tell a connection closed after a {@code Connection: close} response from one
 * closed with a request unanswered (it counts both as read errors). Each of {@code connections}
 * threads sends checks one at a time on its connection; a response with
 * {@code Connection: close} ends the connection cleanly and the thread reconnects; a refused
 * connect is counted as refused (expected once the server stopped listening); a request
 * written in full whose connection then ends without a status line is unanswered, except on a
 * connection that never got a response, which is counted as reset-before-accept: a connection
 * the kernel completed while it sat in the accept backlog when the server closed its
 * listening socket, so the server never received it (the client sees a reset right after
 * connecting, as with a refusal).
 *
 * <p>{@code java -cp benchmarks/target/classes dev.ratelimiter.benchmarks.http.KeepAliveLoad
 * http://127.0.0.1:8080 [connections=64] [seconds=8]}: prints sent, answered, answered with
 * {@code Connection: close}, unanswered, refused; exits 1 if any request went unanswered.
 * Loopback only.
 */
public final class KeepAliveLoad {

    private KeepAliveLoad() {
    }

    /**
     * Runs the load.
     *
     * @param args URL, then optional connections and seconds
     * @throws InterruptedException if interrupted
     */
    public static void main(String[] args) throws InterruptedException {
        InetSocketAddress address = ProbeSupport.loopback(args[0]);
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        LongAdder sent = new LongAdder();
        LongAdder answered = new LongAdder();
        LongAdder closes = new LongAdder();
        LongAdder unanswered = new LongAdder();
        LongAdder refused = new LongAdder();
        LongAdder resetNew = new LongAdder();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < connections; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                long n = 0;
                Socket s = null;
                boolean fresh = true;
                while (System.nanoTime() < end) {
                    try {
                        if (s == null) {
                            s = new Socket();
                            s.connect(address, 2_000);
                            s.setSoTimeout(10_000);
                            s.setTcpNoDelay(true);
                            fresh = true;
                        }
                    } catch (ConnectException e) {
                        refused.increment();
                        s = null;
                        java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
                        continue;
                    } catch (IOException e) {
                        refused.increment();
                        s = null;
                        continue;
                    }
                    boolean written = false;
                    try {
                        OutputStream out = s.getOutputStream();
                        InputStream in = s.getInputStream();
                        out.write(ProbeSupport.check("ka-" + id + "-" + (n++ % 200))
                                .getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        written = true;
                        sent.increment();
                        ProbeSupport.Reply r = ProbeSupport.read(in);
                        if (r == null) {
                            (fresh ? resetNew : unanswered).increment();
                            s.close();
                            s = null;
                        } else {
                            fresh = false;
                            answered.increment();
                            if (r.closes()) {
                                closes.increment();
                                s.close();
                                s = null;
                            }
                        }
                    } catch (IOException e) {
                        if (written) {
                            (fresh ? resetNew : unanswered).increment();
                        }
                        try {
                            s.close();
                        } catch (IOException ignored) {
                            // closing anyway
                        }
                        s = null;
                    }
                }
                if (s != null) {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // done
                    }
                }
            }, "load-" + t);
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        System.out.printf("keep-alive load: connections=%d seconds=%d sent=%d answered=%d"
                + " connection-close=%d unanswered=%d refused=%d reset-before-accept=%d%n",
                connections, seconds, sent.sum(), answered.sum(), closes.sum(), unanswered.sum(),
                refused.sum(), resetNew.sum());
        System.exit(unanswered.sum() == 0 ? 0 : 1);
    }
}
