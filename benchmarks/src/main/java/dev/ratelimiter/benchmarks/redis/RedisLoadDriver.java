package dev.ratelimiter.benchmarks.redis;

import dev.ratelimiter.Limit;
import dev.ratelimiter.Policy;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.Rules;
import dev.ratelimiter.redis.RedisStore;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;

/**
 * Load driver for the Redis backend: checks per second and p50/p99 latency of
 * {@code RateLimiter.tryAcquire} on a {@link RedisStore}, at 1, 16 and 64 threads, on one hot key
 * and on 10,000 keys, with and without Bucket4j batching; Redis commands per check from
 * {@code INFO commandstats} deltas. In the same run, the baseline: raw Jedis {@code GET} round
 * trips per second at the same thread counts (one round trip per operation: the physical limit
 * of a check that needs at least one). It prints the ratio checks/s ÷ baseline.
 *
 * <p>Bounded: each scenario stops after {@code --seconds} or {@code --max-ops} operations,
 * whichever comes first; loopback Redis only (it refuses any other host, since it writes keys
 * under {@code bench:} and reads server-wide command statistics).
 *
 * <p>Run (from the repository root, with a redis-server on 127.0.0.1:6390):
 * <pre>
 * mvn -q -pl benchmarks -am package -DskipTests
 * java -cp "benchmarks/target/classes:$(cat /tmp/bench.cp)" \
 *     dev.ratelimiter.benchmarks.redis.RedisLoadDriver --url redis://127.0.0.1:6390 \
 *     --seconds 3 --repeat 3
 * </pre>
 * ({@code /tmp/bench.cp} from {@code mvn -q -pl benchmarks dependency:build-classpath
 * -Dmdep.outputFile=/tmp/bench.cp}; see BENCHMARKS.md for the exact sequence.)
 *
 * <p>Every check is allowed (capacity 10^12), so each one writes: this measures the store's cost,
 * not the denial path. Timeouts are raised to 2 s so that a loaded 2-core machine reports
 * latency instead of errors; errors are still counted and printed.
 */
public final class RedisLoadDriver {

    private static final int[] THREADS = {1, 16, 64};
    private static final int MANY_KEYS = 10_000;

    private final String url;
    private final long seconds;
    private final long maxOps;

    private RedisLoadDriver(String url, long seconds, long maxOps) {
        this.url = url;
        this.seconds = seconds;
        this.maxOps = maxOps;
    }

    /** One scenario's measurement. */
    record Result(String name, int threads, long ops, long errors, double seconds,
                  long p50Nanos, long p99Nanos, double commandsPerOp, double evalsPerOp) {
        double opsPerSecond() {
            return ops / seconds;
        }
    }

    /** What one operation is. */
    @FunctionalInterface
    interface Op {
        boolean run(int thread, long i);
    }

    /**
     * Runs the driver.
     *
     * @param args {@code --url redis://127.0.0.1:6379 --seconds 3 --max-ops 3000000 --repeat 1}
     * @throws Exception if Redis is unreachable
     */
    public static void main(String[] args) throws Exception {
        String url = "redis://127.0.0.1:6379";
        long seconds = 3;
        long maxOps = 3_000_000;
        int repeat = 1;
        for (int i = 0; i < args.length; i += 2) {
            String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--url" -> url = value;
                case "--seconds" -> seconds = Long.parseLong(value);
                case "--max-ops" -> maxOps = Long.parseLong(value);
                case "--repeat" -> repeat = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; options: --url --seconds --max-ops --repeat");
            }
        }
        URI uri = URI.create(url);
        if (!InetAddress.getByName(uri.getHost()).isLoopbackAddress()) {
            throw new IllegalArgumentException("--url must point at a loopback Redis, was " + url);
        }
        if (seconds < 1 || seconds > 60 || repeat < 1 || repeat > 9) {
            throw new IllegalArgumentException("--seconds must be 1..60 and --repeat 1..9");
        }
        RedisLoadDriver driver = new RedisLoadDriver(url, seconds, maxOps);
        List<List<Result>> runs = new ArrayList<>();
        for (int r = 0; r < repeat; r++) {
            System.out.printf("# run %d of %d%n", r + 1, repeat);
            runs.add(driver.runAll());
        }
        printMedians(runs);
    }

    private List<Result> runAll() throws Exception {
        List<Result> results = new ArrayList<>();
        for (int threads : THREADS) {
            Result baseline = baseline(threads);
            print(baseline, baseline);
            results.add(baseline);
            for (boolean manyKeys : new boolean[] {false, true}) {
                for (boolean batching : new boolean[] {false, true}) {
                    Result r = checks(threads, manyKeys, batching);
                    print(r, baseline);
                    results.add(r);
                }
            }
        }
        return results;
    }

    private Result baseline(int threads) throws Exception {
        HostAndPort hp = hostAndPort();
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(threads);
        pool.setMaxIdle(threads);
        try (RedisClient client = RedisClient.builder().hostAndPort(hp)
                .clientConfig(DefaultJedisClientConfig.builder().timeoutMillis(2000).build())
                .poolConfig(pool).build()) {
            client.set("bench:get", "x");
            return measure("GET baseline", threads, (t, i) -> client.get("bench:get") != null);
        }
    }

    private Result checks(int threads, boolean manyKeys, boolean batching) throws Exception {
        Rules rules = Rules.of(Policy.of("bench", Limit.capacity(1_000_000_000_000L)
                .refillGreedy(1_000_000_000L, Duration.ofSeconds(1))));
        RedisStore store = RedisStore.builder().url(url)
                .keyPrefix("bench:" + System.nanoTime() + ":")
                .batching(batching)
                .poolMaxTotal(threads)
                .connectTimeout(Duration.ofSeconds(2))
                .readTimeout(Duration.ofSeconds(2))
                .requestTimeout(Duration.ofSeconds(2))
                .poolMaxWait(Duration.ofSeconds(2))
                .keyTtlKeepAlive(Duration.ofSeconds(10))
                .build();
        String name = (manyKeys ? "10k keys" : "hot key") + (batching ? ", batching" : ", no batching");
        try (RateLimiter limiter = RateLimiter.builder().rules(rules).store(store).build()) {
            String[] keys = new String[manyKeys ? MANY_KEYS : 1];
            for (int k = 0; k < keys.length; k++) {
                keys[k] = "k" + k;
            }
            return measure("check, " + name, threads, (t, i) -> limiter.tryAcquire(
                    keys[(int) ((i * 64 + t) % keys.length)]).allowed());
        }
    }

    private HostAndPort hostAndPort() {
        URI uri = URI.create(url);
        return new HostAndPort(uri.getHost(), uri.getPort() == -1 ? 6379 : uri.getPort());
    }

    /**
     * {@code INFO commandstats}: {total calls, EVAL calls}. The total includes the commands that
     * Bucket4j's compare-and-swap script runs inside Redis (a GET and a SET per EVAL), so a check
     * costs 4 commands but 2 network round trips (GET, then EVAL): round trips = 2 x EVALs.
     */
    private long[] commandStats() {
        HostAndPort hp = hostAndPort();
        try (Jedis jedis = new Jedis(hp, DefaultJedisClientConfig.builder().build())) {
            long total = 0;
            long evals = 0;
            for (String line : jedis.info("commandstats").split("\r?\n")) {
                // cmdstat_get:calls=123,usec=...
                int calls = line.indexOf("calls=");
                if (line.startsWith("cmdstat_") && calls > 0) {
                    int end = line.indexOf(',', calls);
                    long n = Long.parseLong(line.substring(calls + 6, end));
                    total += n;
                    if (line.startsWith("cmdstat_eval:")) {
                        evals += n;
                    }
                }
            }
            return new long[] {total, evals};
        }
    }

    /** Warms up for 1 s, then runs {@code op} on {@code threads} threads until time or count. */
    private Result measure(String name, int threads, Op op) throws Exception {
        runPhase(threads, op, TimeUnit.SECONDS.toNanos(1), maxOps, false);
        long[] before = commandStats();
        Phase phase = runPhase(threads, op, TimeUnit.SECONDS.toNanos(seconds), maxOps, true);
        long[] after = commandStats();
        long commands = after[0] - before[0] - 1; // the first INFO counts once
        long evals = after[1] - before[1];
        long[] all = phase.latencies();
        Arrays.sort(all);
        long p50 = all.length == 0 ? 0 : all[(int) Math.min(all.length - 1, all.length * 0.50)];
        long p99 = all.length == 0 ? 0 : all[(int) Math.min(all.length - 1, all.length * 0.99)];
        long ops = phase.ops.get();
        return new Result(name, threads, ops, phase.errors.get(), phase.elapsedNanos / 1e9, p50,
                p99, ops == 0 ? 0 : (double) commands / ops, ops == 0 ? 0 : (double) evals / ops);
    }

    private static final class Phase {
        final AtomicLong ops = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final long[][] perThread;
        final int[] counts;
        long elapsedNanos;

        Phase(int threads, int capacityPerThread) {
            perThread = new long[threads][capacityPerThread];
            counts = new int[threads];
        }

        long[] latencies() {
            int n = 0;
            for (int c : counts) {
                n += c;
            }
            long[] all = new long[n];
            int at = 0;
            for (int t = 0; t < perThread.length; t++) {
                System.arraycopy(perThread[t], 0, all, at, counts[t]);
                at += counts[t];
            }
            return all;
        }
    }

    private static Phase runPhase(int threads, Op op, long durationNanos, long maxOps,
                                  boolean record) throws InterruptedException {
        int perThreadCap = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(1, maxOps / threads));
        Phase phase = new Phase(threads, record ? perThreadCap : 0);
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        long[] startedAt = new long[1];
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread w = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                long deadline = startedAt[0] + durationNanos;
                long[] lat = phase.perThread[thread];
                long i = 0;
                while (i < perThreadCap) {
                    long t0 = System.nanoTime();
                    if (t0 - deadline >= 0) {
                        break;
                    }
                    try {
                        op.run(thread, i);
                    } catch (RuntimeException e) {
                        phase.errors.incrementAndGet();
                    }
                    long t1 = System.nanoTime();
                    if (record) {
                        lat[(int) i] = t1 - t0;
                    }
                    i++;
                }
                phase.counts[thread] = record ? (int) i : 0;
                phase.ops.addAndGet(i);
            }, "load-" + t);
            workers.add(w);
            w.start();
        }
        startedAt[0] = System.nanoTime();
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        phase.elapsedNanos = System.nanoTime() - startedAt[0];
        return phase;
    }

    private static void print(Result r, Result baseline) {
        System.out.printf(Locale.ROOT,
                "%-32s threads=%-3d ops/s=%,10.0f p50=%7.1fus p99=%8.1fus cmds/op=%5.2f"
                        + " round-trips/op=%5.2f errors=%d ratio=%.2f%n",
                r.name(), r.threads(), r.opsPerSecond(), r.p50Nanos() / 1e3, r.p99Nanos() / 1e3,
                r.commandsPerOp(), roundTrips(r), r.errors(),
                r.opsPerSecond() / baseline.opsPerSecond());
    }

    /** GET baseline: 1 per op; checks: a GET and an EVAL per compare-and-swap attempt. */
    private static double roundTrips(Result r) {
        return r.name().startsWith("GET") ? r.commandsPerOp() : 2 * r.evalsPerOp();
    }

    /** Prints a markdown table of the per-scenario medians over the runs. */
    private static void printMedians(List<List<Result>> runs) {
        System.out.println();
        System.out.println("| scenario | threads | ops/s | p50 µs | p99 µs | Redis cmds/op"
                + " | round trips/op | errors | ratio to GET |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        int n = runs.get(0).size();
        double baselineOps = 0;
        for (int s = 0; s < n; s++) {
            int index = s;
            Result first = runs.get(0).get(s);
            double ops = median(runs.stream().mapToDouble(r -> r.get(index).opsPerSecond()));
            double p50 = median(runs.stream().mapToDouble(r -> r.get(index).p50Nanos() / 1e3));
            double p99 = median(runs.stream().mapToDouble(r -> r.get(index).p99Nanos() / 1e3));
            double cmds = median(runs.stream().mapToDouble(r -> r.get(index).commandsPerOp()));
            double trips = median(runs.stream().mapToDouble(r -> roundTrips(r.get(index))));
            long errors = runs.stream().mapToLong(r -> r.get(index).errors()).sum();
            if (first.name().startsWith("GET")) {
                baselineOps = ops;
            }
            System.out.printf(Locale.ROOT,
                    "| %s | %d | %,.0f | %.0f | %.0f | %.2f | %.2f | %d | %.2f |%n",
                    first.name(), first.threads(), ops, p50, p99, cmds, trips, errors,
                    ops / baselineOps);
        }
    }

    private static double median(java.util.stream.DoubleStream values) {
        double[] v = values.sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
