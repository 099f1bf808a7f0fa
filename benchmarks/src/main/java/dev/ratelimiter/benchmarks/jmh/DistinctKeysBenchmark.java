package dev.ratelimiter.benchmarks.jmh;

import dev.ratelimiter.Decision;
import dev.ratelimiter.RateLimiter;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.local.LocalBucket;
import io.github.bucket4j.local.SynchronizationStrategy;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Time per {@code tryAcquire(key, 1)} over {@value #KEYS} distinct keys, every one already in the
 * store, cycled in order: each call is a store hit on a bucket that is usually not in the CPU
 * cache. The baseline in the same run is an array of {@value #KEYS} raw Bucket4j
 * {@link LocalBucket}s with the same bandwidth, indexed directly (no map, no key), built with
 * Bucket4j's default {@code LOCK_FREE} strategy: with distinct keys there is no contention, and
 * the per-call cost is dominated by cache misses on the bucket, not by the strategy.
 *
 * <p>Keys are made once in setup ({@code "user:0"} ... {@code "user:99999"}); the measured loop
 * only advances a per-thread cursor, so it allocates nothing of its own. Capacity is
 * 10<sup>12</sup>, so every call is allowed (see {@link Fixtures}). With {@code -t 2} each thread
 * starts half-way round the ring from the other.
 *
 * <p>Run (after {@code mvn -pl benchmarks -am package -DskipTests}):
 * <pre>{@code
 * java -jar benchmarks/target/benchmarks.jar DistinctKeysBenchmark -t 1 -f 2 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * }</pre>
 * or {@code benchmarks/scripts/jmh.sh}, which runs every benchmark.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class DistinctKeysBenchmark {

    static final int KEYS = 100_000;

    private String[] keys;
    private LocalBucket[] raw;
    private RateLimiter caffeine;
    private RateLimiter memory;
    private final AtomicInteger threads = new AtomicInteger();

    /** Each thread's position in the key ring. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        @Setup(Level.Trial)
        public void setUp(DistinctKeysBenchmark shared) {
            next = (shared.threads.getAndIncrement() * (KEYS / 2)) % KEYS;
        }

        int advance() {
            int i = next;
            next = i + 1 == KEYS ? 0 : i + 1;
            return i;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        long cap = Fixtures.ALLOWED_CAPACITY;
        keys = Fixtures.keys(KEYS);
        raw = new LocalBucket[KEYS];
        caffeine = Fixtures.caffeine(cap, Fixtures.ALLOWED_PERIOD);
        memory = Fixtures.memory(cap, Fixtures.ALLOWED_PERIOD, KEYS);
        for (int i = 0; i < KEYS; i++) {
            raw[i] = Fixtures.raw(cap, Fixtures.ALLOWED_PERIOD, SynchronizationStrategy.LOCK_FREE);
            caffeine.tryAcquire(keys[i], 1);
            memory.tryAcquire(keys[i], 1);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        HotKeyBenchmark.check(caffeine.tryAcquire(keys[0], 1).allowed()
                && memory.tryAcquire(keys[0], 1).allowed(), "buckets never ran dry");
        caffeine.close();
        memory.close();
    }

    @Benchmark
    public ConsumptionProbe rawAllowed(Cursor cursor) {
        return raw[cursor.advance()].tryConsumeAndReturnRemaining(1);
    }

    @Benchmark
    public Decision caffeineAllowed(Cursor cursor) {
        return caffeine.tryAcquire(keys[cursor.advance()], 1);
    }

    @Benchmark
    public Decision memoryAllowed(Cursor cursor) {
        return memory.tryAcquire(keys[cursor.advance()], 1);
    }
}
