package dev.ratelimiter.benchmarks.jmh;

import dev.ratelimiter.caffeine.CaffeineStore;
import dev.ratelimiter.memory.InMemoryStore;
import dev.ratelimiter.spi.BucketSpec;
import dev.ratelimiter.spi.TokenBucket;
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
 * The pieces of one {@code tryAcquire} on a hot key, timed alone, to see where the time over the
 * raw bucket goes: the store lookup ({@code BucketStore.bucket}) of each store and one clock
 * read ({@link System#nanoTime()}, which Bucket4j and Caffeine each make per call).
 * Diagnostic: the figures that matter are in {@link HotKeyBenchmark}.
 *
 * <p>Run (after {@code mvn -pl benchmarks -am package -DskipTests}):
 * <pre>{@code
 * java -jar benchmarks/target/benchmarks.jar HotPathPartsBenchmark -t 1 -f 2 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class HotPathPartsBenchmark {

    private String key = "user:42";
    private BucketSpec spec;
    private CaffeineStore caffeine;
    private InMemoryStore memory;

    @Setup(Level.Trial)
    public void setUp() {
        spec = BucketSpec.of(Fixtures.policy(Fixtures.ALLOWED_CAPACITY, Fixtures.ALLOWED_PERIOD));
        caffeine = CaffeineStore.builder().build();
        memory = InMemoryStore.builder().build();
        caffeine.bucket(key, spec);
        memory.bucket(key, spec);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        caffeine.close();
        memory.close();
    }

    @Benchmark
    public TokenBucket caffeineLookup() {
        return caffeine.bucket(key, spec);
    }

    @Benchmark
    public TokenBucket memoryLookup() {
        return memory.bucket(key, spec);
    }

    @Benchmark
    public long nanoTime() {
        return System.nanoTime();
    }
}
