package dev.ratelimiter.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ratelimiter.Concurrency;
import dev.ratelimiter.Limit;
import dev.ratelimiter.Policy;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.Rules;
import java.time.Duration;
import java.util.List;

/**
 * The exactness proof shared by the standalone and cluster tests: two limiters (two stores, two
 * connection pools, as two JVMs would have) split {@code threads} threads between them, all
 * released at once on one key with capacity {@code capacity} and no refill; exactly
 * {@code capacity} requests may be admitted, however the compare-and-swaps interleave.
 */
final class Exactness {

    /** Capacity C with a refill so slow that no token comes back during a test. */
    static Rules noRefill(long capacity) {
        return Rules.of(Policy.of("exact",
                Limit.capacity(capacity).refillGreedy(1, Duration.ofDays(30))));
    }

    private Exactness() {
    }

    /**
     * Runs one round on {@code key} and asserts exactly {@code capacity} admissions.
     *
     * @return the number admitted (always {@code capacity} when it returns)
     */
    static long round(RateLimiter a, RateLimiter b, String key, long capacity, int threads,
                      int attemptsPerThread) throws Exception {
        long admitted = Concurrency.admitted(List.of(a, b), key, threads, attemptsPerThread);
        assertEquals(capacity, admitted, "admitted on " + key + " by " + threads
                + " threads x " + attemptsPerThread + " attempts");
        return admitted;
    }
}
