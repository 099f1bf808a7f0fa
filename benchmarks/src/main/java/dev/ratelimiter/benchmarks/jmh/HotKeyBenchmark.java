package dev.ratelimiter.benchmarks.jmh;

import dev.ratelimiter.Decision;
import dev.ratelimiter.RateLimiter;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.local.LocalBucket;
import io.github.bucket4j.local.SynchronizationStrategy;
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
 * Time per {@code tryAcquire(key, 1)} on one hot key, for the Caffeine and in-memory stores,
 * against the raw Bucket4j baseline in the same run: a {@link LocalBucket} with the same
 * bandwidth, called with {@code tryConsumeAndReturnRemaining(1)} directly.
 *
 * <p>All threads share one key (one bucket), so {@code -t 2} measures contention on that bucket.
 * Two paths:
 * <ul>
 *   <li>{@code *Allowed}: capacity 10<sup>12</sup>, so every call is allowed (see
 *       {@link Fixtures});</li>
 *   <li>{@code *Denied}: the bucket is empty and refills once an hour, so every call is denied.</li>
 * </ul>
 * The raw baseline runs with both Bucket4j synchronization strategies ({@code LOCK_FREE}, which
 * allocates a new state per consume, and {@code SYNCHRONIZED}); the stores use whatever
 * {@code LocalTokenBucket} builds (a Bucket4j {@code ThreadUnsafeBucket} under the
 * {@code LocalTokenBucket}'s monitor, so that a policy move is atomic with every check).
 *
 * <p>Target (issue 2): {@code caffeineAllowed} within 2x {@code rawAllowed} at 1 and 2 threads.
 *
 * <p>Run (after {@code mvn -pl benchmarks -am package -DskipTests}):
 * <pre>{@code
 * java -jar benchmarks/target/benchmarks.jar HotKeyBenchmark -t 1 -f 2 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * java -jar benchmarks/target/benchmarks.jar HotKeyBenchmark -t 2 -f 2 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * }</pre>
 * or {@code benchmarks/scripts/jmh.sh}, which runs every benchmark.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class HotKeyBenchmark {

    private static final String KEY = "user:42";

    private RateLimiter caffeine;
    private RateLimiter memory;
    private LocalBucket raw;
    private LocalBucket rawSynchronized;

    private RateLimiter caffeineEmpty;
    private RateLimiter memoryEmpty;
    private LocalBucket rawEmpty;
    private LocalBucket rawSynchronizedEmpty;

    /** Non-final and read through a field, so the JIT cannot fold the key into the call. */
    private String key = KEY;

    @Setup(Level.Trial)
    public void setUp() {
        long cap = Fixtures.ALLOWED_CAPACITY;
        caffeine = Fixtures.caffeine(cap, Fixtures.ALLOWED_PERIOD);
        memory = Fixtures.memory(cap, Fixtures.ALLOWED_PERIOD, 1_000);
        raw = Fixtures.raw(cap, Fixtures.ALLOWED_PERIOD, SynchronizationStrategy.LOCK_FREE);
        rawSynchronized = Fixtures.raw(cap, Fixtures.ALLOWED_PERIOD,
                SynchronizationStrategy.SYNCHRONIZED);

        long one = Fixtures.DENIED_CAPACITY;
        caffeineEmpty = Fixtures.caffeine(one, Fixtures.DENIED_PERIOD);
        memoryEmpty = Fixtures.memory(one, Fixtures.DENIED_PERIOD, 1_000);
        rawEmpty = Fixtures.raw(one, Fixtures.DENIED_PERIOD, SynchronizationStrategy.LOCK_FREE);
        rawSynchronizedEmpty = Fixtures.raw(one, Fixtures.DENIED_PERIOD,
                SynchronizationStrategy.SYNCHRONIZED);
        // Take the only token, so that every measured call is denied.
        check(caffeineEmpty.tryAcquire(KEY, 1).allowed() && memoryEmpty.tryAcquire(KEY, 1).allowed()
                && rawEmpty.tryConsume(1) && rawSynchronizedEmpty.tryConsume(1), "empty setup");
        check(!caffeineEmpty.tryAcquire(KEY, 1).allowed(), "caffeine bucket is empty");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        // The allowed path must really have been the allowed path.
        check(caffeine.tryAcquire(KEY, 1).allowed() && memory.tryAcquire(KEY, 1).allowed(),
                "allowed buckets never ran dry");
        check(!caffeineEmpty.tryAcquire(KEY, 1).allowed()
                && !memoryEmpty.tryAcquire(KEY, 1).allowed(), "empty buckets stayed empty");
        caffeine.close();
        memory.close();
        caffeineEmpty.close();
        memoryEmpty.close();
    }

    static void check(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException("benchmark invariant broken: " + what);
        }
    }

    @Benchmark
    public ConsumptionProbe rawAllowed() {
        return raw.tryConsumeAndReturnRemaining(1);
    }

    @Benchmark
    public ConsumptionProbe rawSynchronizedAllowed() {
        return rawSynchronized.tryConsumeAndReturnRemaining(1);
    }

    @Benchmark
    public Decision caffeineAllowed() {
        return caffeine.tryAcquire(key, 1);
    }

    @Benchmark
    public Decision memoryAllowed() {
        return memory.tryAcquire(key, 1);
    }

    @Benchmark
    public ConsumptionProbe rawDenied() {
        return rawEmpty.tryConsumeAndReturnRemaining(1);
    }

    @Benchmark
    public ConsumptionProbe rawSynchronizedDenied() {
        return rawSynchronizedEmpty.tryConsumeAndReturnRemaining(1);
    }

    @Benchmark
    public Decision caffeineDenied() {
        return caffeineEmpty.tryAcquire(key, 1);
    }

    @Benchmark
    public Decision memoryDenied() {
        return memoryEmpty.tryAcquire(key, 1);
    }
}
