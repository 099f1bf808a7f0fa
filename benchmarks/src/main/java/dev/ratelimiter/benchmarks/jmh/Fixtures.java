package dev.ratelimiter.benchmarks.jmh;

import dev.ratelimiter.Limit;
import dev.ratelimiter.Policy;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.Rules;
import dev.ratelimiter.caffeine.CaffeineStore;
import dev.ratelimiter.memory.InMemoryStore;
import io.github.bucket4j.BandwidthBuilder;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.local.LocalBucket;
import io.github.bucket4j.local.SynchronizationStrategy;
import java.time.Duration;

/**
 * The limiters and raw buckets every benchmark compares, built from one pair of numbers so that
 * the library and the raw Bucket4j baseline run exactly the same bandwidth.
 *
 * <ul>
 *   <li><b>Allowed</b>: capacity 10<sup>12</sup>, greedy refill of 10<sup>12</sup> tokens per
 *       hour (about 278 tokens per microsecond). One thread consumes at most a few tens of
 *       millions of tokens per second, so the bucket never runs dry: every call is allowed and
 *       every call runs Bucket4j's refill arithmetic.</li>
 *   <li><b>Denied</b>: capacity 1, greedy refill of 1 token per hour. The setup takes the one
 *       token, so every measured call is denied and Bucket4j computes the wait.</li>
 * </ul>
 *
 * <p>Rules are a default policy only: resolution is one lookup in an empty exact map and no
 * pattern, the cheapest configuration, so the numbers show the store and engine, not the rules.
 */
final class Fixtures {

    static final long ALLOWED_CAPACITY = 1_000_000_000_000L;
    static final Duration ALLOWED_PERIOD = Duration.ofHours(1);
    static final long DENIED_CAPACITY = 1;
    static final Duration DENIED_PERIOD = Duration.ofHours(1);

    private Fixtures() {
    }

    static Policy policy(long capacity, Duration period) {
        return Policy.of("bench", Limit.capacity(capacity).refillGreedy(capacity, period));
    }

    static RateLimiter caffeine(long capacity, Duration period) {
        return RateLimiter.builder()
                .rules(Rules.of(policy(capacity, period)))
                .store(CaffeineStore.builder().build())
                .build();
    }

    static RateLimiter memory(long capacity, Duration period, int maximumKeys) {
        return RateLimiter.builder()
                .rules(Rules.of(policy(capacity, period)))
                .store(InMemoryStore.builder().maximumKeys(maximumKeys).build())
                .build();
    }

    /** The baseline: a Bucket4j local bucket, same bandwidth, on {@link System#nanoTime()}. */
    static LocalBucket raw(long capacity, Duration period, SynchronizationStrategy strategy) {
        return Bucket.builder()
                .addLimit(BandwidthBuilder.builder().capacity(capacity)
                        .refillGreedy(capacity, period).build())
                .withNanosecondPrecision()
                .withSynchronizationStrategy(strategy)
                .build();
    }

    /** {@code n} distinct keys, made once so the measured loop allocates none. */
    static String[] keys(int n) {
        String[] keys = new String[n];
        for (int i = 0; i < n; i++) {
            keys[i] = "user:" + i;
        }
        return keys;
    }
}
