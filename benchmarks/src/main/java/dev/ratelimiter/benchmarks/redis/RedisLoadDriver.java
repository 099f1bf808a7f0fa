package dev.ratelimiter.benchmarks.redis;

import dev.ratelimiter.Limit;
import dev.ratelimiter.Policy;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.Rules;
import dev.ratelimiter.failure.FailurePolicy;
import dev.ratelimiter.redis.RedisStore;
import dev.ratelimiter.redis.RedisStrategy;
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
 * {@code RateLimiter.tryAcquire} on a {@link RedisStore} <b>with default settings</b> (script
 * strategy, automatic pipelining, nothing tuned), at 1, 16, 64 and 400 threads, on one hot key
 * and on 10,000 keys. In the same run, the baseline: raw, unpipelined Jedis {@code GET} round
 * trips per second at the same thread count (a pool as large as the threads: one blocking round
 * trip per operation). It prints checks/s ÷ baseline (issue 10's target: at least 1.0 at 64
 * threads on 10k keys) and Redis commands and round trips per check from
 * {@code INFO commandstats} deltas. With {@code --modes} it also runs the other configurations
 * for comparison: {@code script-nobatch} (pipelined, no per-key batching), {@code cas} and
 * {@code cas-nobatch} (Bucket4j compare-and-swap on a pool sized to the threads).
 *
 * <p>Every limiter has the {@code fail-open} failure policy, as the server does: a check that
 * Redis did not decide comes back {@code degraded} (and allowed). The driver counts degraded
 * decisions and errors (overload) and <b>exits with status 1 if any check was degraded, failed or
 * inexact</b>: a fast figure made of fail-open answers is not a figure.
 *
 * <p>Every check scenario splits its threads over two limiter instances with their own
 * connections (as two JVMs would have: the default store's one pipelined connection each; for
 * {@code cas}, a pool sized for its half of the threads). On the hot key it
 * then checks exactness: the tokens gone from the shared bucket must equal the checks the two
 * instances admitted (capacity 10^12, no refill during the run).
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
 * not the denial path. Run only with {@code --threads 64,400} (say) to limit the thread counts.
 * The default store keeps its default timeouts (500 ms per check); the {@code cas} modes raise
 * theirs to 2 s so that a loaded 2-core machine reports latency instead of errors.
 */
public final class RedisLoadDriver {

    private static final int MANY_KEYS = 10_000;
    private static final long CAPACITY = 1_000_000_000_000L;

    private final String url;
    private final long seconds;
    private final long maxOps;
    private final int[] threadCounts;
    private final List<Mode> modes;
    private final AtomicLong degradedTotal = new AtomicLong();

    private RedisLoadDriver(String url, long seconds, long maxOps, int[] threadCounts,
                            List<Mode> modes) {
        this.url = url;
        this.seconds = seconds;
        this.maxOps = maxOps;
        this.threadCounts = threadCounts;
        this.modes = modes;
    }

    /** How a scenario reaches Redis. */
    enum Mode {
        GET("GET baseline", "get"), SCRIPT("defaults (script, pipelined)", "script"),
        SCRIPT_NO_BATCHING("script, pipelined, no batching", "script-nobatch"),
        CAS("cas, batching", "cas"), CAS_NO_BATCHING("cas, no batching", "cas-nobatch");

        final String label;
        final String option;

        Mode(String label, String option) {
            this.label = label;
            this.option = option;
        }

        static Mode parse(String option) {
            for (Mode m : values()) {
                if (m.option.equals(option.trim()) && m != GET) {
                    return m;
                }
            }
            throw new IllegalArgumentException("--modes entries must be script, script-nobatch,"
                    + " cas or cas-nobatch, was '" + option + "'");
        }
    }

    /**
     * One scenario's measurement. {@code exact} is 1 if the tokens gone from the hot key equal
     * the admitted checks, 0 if not, -1 where not checked.
     */
    record Result(String name, Mode mode, int threads, long ops, long errors, long degraded,
                  double seconds, long p50Nanos, long p99Nanos, double commandsPerOp,
                  double evalsPerOp, double evalshasPerOp, double readsPerOp, int exact) {
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
     * @param args {@code --url redis://127.0.0.1:6379 --seconds 3 --max-ops 3000000 --repeat 1
     *     --threads 1,16,64,400 --modes script}
     * @throws Exception if Redis is unreachable
     */
    public static void main(String[] args) throws Exception {
        String url = "redis://127.0.0.1:6379";
        long seconds = 3;
        long maxOps = 3_000_000;
        int repeat = 1;
        int[] threads = {1, 16, 64, 400};
        List<Mode> modes = List.of(Mode.SCRIPT);
        for (int i = 0; i < args.length; i += 2) {
            String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--url" -> url = value;
                case "--seconds" -> seconds = Long.parseLong(value);
                case "--max-ops" -> maxOps = Long.parseLong(value);
                case "--repeat" -> repeat = Integer.parseInt(value);
                case "--threads" -> threads = Arrays.stream(value.split(","))
                        .mapToInt(v -> Integer.parseInt(v.trim())).toArray();
                case "--modes" -> modes = Arrays.stream(value.split(",")).map(Mode::parse)
                        .toList();
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; options: --url --seconds --max-ops --repeat --threads --modes");
            }
        }
        URI uri = URI.create(url);
        if (!InetAddress.getByName(uri.getHost()).isLoopbackAddress()) {
            throw new IllegalArgumentException("--url must point at a loopback Redis, was " + url);
        }
        if (seconds < 1 || seconds > 60 || repeat < 1 || repeat > 9) {
            throw new IllegalArgumentException("--seconds must be 1..60 and --repeat 1..9");
        }
        if (threads.length == 0 || Arrays.stream(threads).anyMatch(t -> t < 1 || t > 1000)) {
            throw new IllegalArgumentException("--threads must be 1..1000 each, was "
                    + Arrays.toString(threads));
        }
        RedisLoadDriver driver = new RedisLoadDriver(url, seconds, maxOps, threads, modes);
        List<List<Result>> runs = new ArrayList<>();
        for (int r = 0; r < repeat; r++) {
            System.out.printf("# run %d of %d%n", r + 1, repeat);
            runs.add(driver.runAll());
        }
        printMedians(runs);
        long errors = runs.stream().flatMap(List::stream).mapToLong(Result::errors).sum();
        long degraded = runs.stream().flatMap(List::stream).mapToLong(Result::degraded).sum();
        boolean inexact = runs.stream().flatMap(List::stream).anyMatch(r -> r.exact() == 0);
        System.out.printf("%nchecks degraded: %d, errors: %d, inexact scenarios: %s%n", degraded,
                errors, inexact ? "yes" : "none");
        if (degraded > 0 || errors > 0 || inexact) {
            System.out.println("FAIL: a figure with degraded, failed or inexact checks is not a"
                    + " figure");
            System.exit(1);
        }
    }

    private List<Result> runAll() throws Exception {
        List<Result> results = new ArrayList<>();
        for (int threads : threadCounts) {
            Result baseline = baseline(threads);
            print(baseline, baseline);
            results.add(baseline);
            for (boolean manyKeys : new boolean[] {true, false}) {
                for (Mode mode : modes) {
                    Result r = checks(threads, manyKeys, mode);
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
            return measure("GET baseline", Mode.GET, threads,
                    (t, i) -> client.get("bench:get") != null, () -> -1, () -> 0);
        }
    }

    private RateLimiter limiter(Rules rules, String prefix, Mode mode, int pool) {
        if (mode == Mode.SCRIPT || mode == Mode.SCRIPT_NO_BATCHING) {
            // Nothing tuned: what a user gets.
            RedisStore store = RedisStore.builder().url(url).keyPrefix(prefix)
                    .batching(mode == Mode.SCRIPT).keyTtlKeepAlive(Duration.ofSeconds(10))
                    .build();
            return RateLimiter.builder().rules(rules).store(store)
                    .onStoreFailure(FailurePolicy.FAIL_OPEN).build();
        }
        RedisStore store = RedisStore.builder().url(url)
                .keyPrefix(prefix)
                .strategy(mode == Mode.SCRIPT || mode == Mode.SCRIPT_NO_BATCHING
                        ? RedisStrategy.SCRIPT : RedisStrategy.CAS)
                .batching(mode == Mode.CAS || mode == Mode.SCRIPT)
                .poolMaxTotal(pool)
                .connectTimeout(Duration.ofSeconds(2))
                .readTimeout(Duration.ofSeconds(2))
                .requestTimeout(Duration.ofSeconds(2))
                .poolMaxWait(Duration.ofSeconds(2))
                .keyTtlKeepAlive(Duration.ofSeconds(10))
                .build();
        return RateLimiter.builder().rules(rules).store(store)
                .onStoreFailure(FailurePolicy.FAIL_OPEN).build();
    }

    private Result checks(int threads, boolean manyKeys, Mode mode) throws Exception {
        // No refill worth counting during a run (1 token per 30 days), so the tokens gone from
        // the bucket are exactly the admitted checks.
        Rules rules = Rules.of(Policy.of("bench", Limit.capacity(CAPACITY)
                .refillGreedy(1, Duration.ofDays(30))));
        String prefix = "bench:" + System.nanoTime() + ":";
        int pool = Math.max(1, (threads + 1) / 2);
        String name = (manyKeys ? "10k keys, " : "hot key, ") + mode.label;
        AtomicLong admitted = new AtomicLong();
        long degradedBefore = degradedTotal.get();
        try (RateLimiter a = limiter(rules, prefix, mode, pool);
             RateLimiter b = limiter(rules, prefix, mode, pool)) {
            String[] keys = new String[manyKeys ? MANY_KEYS : 1];
            for (int k = 0; k < keys.length; k++) {
                keys[k] = "k" + k;
            }
            return measure("check, " + name, mode, threads, (t, i) -> {
                RateLimiter limiter = t % 2 == 0 ? a : b;
                dev.ratelimiter.Decision d =
                        limiter.tryAcquire(keys[(int) ((i * 64 + t) % keys.length)]);
                if (d.degraded()) {
                    degradedTotal.incrementAndGet();
                    return false;
                }
                boolean allowed = d.allowed();
                if (allowed) {
                    admitted.incrementAndGet();
                }
                return allowed;
            }, () -> {
                if (manyKeys) {
                    return -1;
                }
                long gone = CAPACITY - b.peek(keys[0]).remaining();
                if (gone != admitted.get()) {
                    System.out.printf("  NOT EXACT: %,d admitted, %,d tokens gone%n",
                            admitted.get(), gone);
                }
                return gone == admitted.get() ? 1 : 0;
            }, () -> degradedTotal.get() - degradedBefore);
        }
    }

    private HostAndPort hostAndPort() {
        URI uri = URI.create(url);
        return new HostAndPort(uri.getHost(), uri.getPort() == -1 ? 6379 : uri.getPort());
    }

    /**
     * {@code INFO commandstats}: {total calls, EVAL calls, EVALSHA calls}. The total includes the
     * commands that scripts run inside Redis: a GET and a SET per CAS {@code EVAL}, so a CAS check
     * costs 4 commands but 2 network round trips (GET, then EVAL): round trips = 2 x EVALs; a
     * GET (and a SET when it writes) per strategy-script {@code EVALSHA}, one round
     * trip each.
     */
    private long[] commandStats() {
        HostAndPort hp = hostAndPort();
        try (Jedis jedis = new Jedis(hp, DefaultJedisClientConfig.builder().build())) {
            long total = 0;
            long evals = 0;
            long evalshas = 0;
            for (String line : jedis.info("commandstats").split("\r?\n")) {
                // cmdstat_get:calls=123,usec=...
                int calls = line.indexOf("calls=");
                if (line.startsWith("cmdstat_") && calls > 0) {
                    int end = line.indexOf(',', calls);
                    long n = Long.parseLong(line.substring(calls + 6, end));
                    total += n;
                    if (line.startsWith("cmdstat_eval:")) {
                        evals += n;
                    } else if (line.startsWith("cmdstat_evalsha:")) {
                        evalshas += n;
                    }
                }
            }
            long reads = 0;
            for (String line : jedis.info("stats").split("\r?\n")) {
                if (line.startsWith("total_reads_processed:")) {
                    reads = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                }
            }
            return new long[] {total, evals, evalshas, reads};
        }
    }

    /**
     * Warms up for 1 s, then runs {@code op} on {@code threads} threads until time or count;
     * then {@code exactness} (1 exact, 0 not, -1 not checked).
     */
    private Result measure(String name, Mode mode, int threads, Op op,
                           java.util.function.IntSupplier exactness,
                           java.util.function.LongSupplier degraded) throws Exception {
        runPhase(threads, op, TimeUnit.SECONDS.toNanos(1), maxOps, false);
        long[] before = commandStats();
        Phase phase = runPhase(threads, op, TimeUnit.SECONDS.toNanos(seconds), maxOps, true);
        long[] after = commandStats();
        long commands = after[0] - before[0] - 2; // the first two INFOs count once
        long evals = after[1] - before[1];
        long evalshas = after[2] - before[2];
        long reads = after[3] - before[3];
        int exact = exactness.getAsInt();
        long[] all = phase.latencies();
        Arrays.sort(all);
        long p50 = all.length == 0 ? 0 : all[(int) Math.min(all.length - 1, all.length * 0.50)];
        long p99 = all.length == 0 ? 0 : all[(int) Math.min(all.length - 1, all.length * 0.99)];
        long ops = phase.ops.get();
        return new Result(name, mode, threads, ops, phase.errors.get(), degraded.getAsLong(),
                phase.elapsedNanos / 1e9,
                p50, p99, ops == 0 ? 0 : (double) commands / ops,
                ops == 0 ? 0 : (double) evals / ops, ops == 0 ? 0 : (double) evalshas / ops,
                ops == 0 ? 0 : (double) reads / ops, exact);
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
                        + " round-trips/op=%5.2f socket-reads/op=%5.3f errors=%d degraded=%d"
                        + " ratio=%.2f%s%n",
                r.name(), r.threads(), r.opsPerSecond(), r.p50Nanos() / 1e3, r.p99Nanos() / 1e3,
                r.commandsPerOp(), roundTrips(r), r.readsPerOp(), r.errors(), r.degraded(),
                r.opsPerSecond() / baseline.opsPerSecond(),
                r.exact() < 0 ? "" : r.exact() == 1 ? " exact" : " NOT EXACT");
    }

    /**
     * GET baseline: 1 per op; script: its EVALSHAs (and an EVAL after NOSCRIPT); CAS: a GET and
     * an EVAL per compare-and-swap attempt.
     */
    private static double roundTrips(Result r) {
        return switch (r.mode()) {
            case GET -> r.commandsPerOp();
            case SCRIPT, SCRIPT_NO_BATCHING -> r.evalshasPerOp() + r.evalsPerOp();
            case CAS, CAS_NO_BATCHING -> 2 * r.evalsPerOp();
        };
    }

    /** Prints a markdown table of the per-scenario medians over the runs. */
    private static void printMedians(List<List<Result>> runs) {
        System.out.println();
        System.out.println("| scenario | threads | ops/s | p50 µs | p99 µs | Redis cmds/op"
                + " | round trips/op | errors | degraded | exact | ratio to GET |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
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
            long degraded = runs.stream().mapToLong(r -> r.get(index).degraded()).sum();
            int exact = runs.stream().mapToInt(r -> r.get(index).exact()).min().orElse(-1);
            String exactText = first.exact() < 0 ? "–" : exact == 1 ? "yes" : "NO";
            if (first.name().startsWith("GET")) {
                baselineOps = ops;
            }
            System.out.printf(Locale.ROOT,
                    "| %s | %d | %,.0f | %.0f | %.0f | %.2f | %.2f | %d | %d | %s | %.2f |%n",
                    first.name(), first.threads(), ops, p50, p99, cmds, trips, errors, degraded,
                    exactText, ops / baselineOps);
        }
    }

    private static double median(java.util.stream.DoubleStream values) {
        double[] v = values.sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
