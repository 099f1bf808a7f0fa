package dev.ratelimiter.benchmarks.jmh;

import dev.ratelimiter.Decision;
import dev.ratelimiter.Limit;
import dev.ratelimiter.Policy;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.Rules;
import dev.ratelimiter.memory.InMemoryStore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What reporting each limit of a policy costs ({@link Decision#remaining(int)},
 * {@link Decision#resetAfterNanos(int)}, which the {@code RateLimit} header lists): time and
 * allocation per {@code tryAcquire(key, 1)} on one hot key of the in-memory store, for
 * <ul>
 *   <li>{@code oneLimit}: the baseline in the same run, a single greedy limit (no per-limit
 *       values: the store answers with Bucket4j's plain API);</li>
 *   <li>{@code twoGreedyLimits}: Bucket4j's verbose answer (a copy of the state) and two arrays,
 *       each greedy limit's time to full by Bucket4j's formula;</li>
 *   <li>{@code greedyAndIntervalLimits}: the same, plus the interval limit's time to full, which
 *       Bucket4j computes on a lifted copy of the state and a configuration made per call (see
 *       {@code Bucket4jTokenBucket.nanosToFullPerLimit}).</li>
 * </ul>
 * Every call is allowed (capacities of 10<sup>12</sup>, as {@link Fixtures}' allowed path).
 *
 * <p>Run (after {@code mvn -pl benchmarks -am package -DskipTests}):
 * <pre>{@code
 * java -jar benchmarks/target/benchmarks.jar MultiLimitBenchmark -t 1 -f 2 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class MultiLimitBenchmark {

    private RateLimiter one;
    private RateLimiter twoGreedy;
    private RateLimiter greedyAndInterval;

    /** Non-final and read through a field, so the JIT cannot fold the key into the call. */
    private String key = "user:42";

    @Setup(Level.Trial)
    public void setUp() {
        long cap = Fixtures.ALLOWED_CAPACITY;
        Limit greedy = Limit.capacity(cap).refillGreedy(cap, Fixtures.ALLOWED_PERIOD);
        Limit slower = Limit.capacity(cap).refillGreedy(cap / 24, Fixtures.ALLOWED_PERIOD);
        Limit interval = Limit.capacity(cap).refillIntervally(cap, Fixtures.ALLOWED_PERIOD);
        one = limiter(Policy.of("bench", greedy));
        twoGreedy = limiter(Policy.of("bench", greedy, slower));
        greedyAndInterval = limiter(Policy.of("bench", greedy, interval));
        HotKeyBenchmark.check(twoGreedy.tryAcquire(key, 1).perLimit() != null
                && greedyAndInterval.tryAcquire(key, 1).perLimit() != null
                && one.tryAcquire(key, 1).perLimit() == null, "per-limit values as described");
    }

    private static RateLimiter limiter(Policy policy) {
        return RateLimiter.builder().rules(Rules.of(policy))
                .store(InMemoryStore.builder().maximumKeys(1_000).build()).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        HotKeyBenchmark.check(one.tryAcquire(key, 1).allowed()
                && twoGreedy.tryAcquire(key, 1).allowed()
                && greedyAndInterval.tryAcquire(key, 1).allowed(), "buckets never ran dry");
        one.close();
        twoGreedy.close();
        greedyAndInterval.close();
    }

    @Benchmark
    public Decision oneLimit() {
        return one.tryAcquire(key, 1);
    }

    @Benchmark
    public Decision twoGreedyLimits() {
        return twoGreedy.tryAcquire(key, 1);
    }

    @Benchmark
    public Decision greedyAndIntervalLimits() {
        return greedyAndInterval.tryAcquire(key, 1);
    }
}
