package dev.ratelimiter.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ratelimiter.Limit;
import dev.ratelimiter.Policy;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.Rules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

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
                Limit.capacity(capacity).refillGreedy(1, Duration.ofDays(3650))));
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
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            AtomicLong admitted = new AtomicLong();
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                RateLimiter limiter = t % 2 == 0 ? a : b;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < attemptsPerThread; i++) {
                        if (limiter.tryAcquire(key).allowed()) {
                            admitted.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS); // rethrows any store error: none is allowed
            }
            assertEquals(capacity, admitted.get(), "admitted on " + key + " by " + threads
                    + " threads x " + attemptsPerThread + " attempts");
            return admitted.get();
        } finally {
            pool.shutdownNow();
        }
    }
}
