package dev.ratelimiter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

/**
 * {@link RateLimiter#updateRules} under load: checking threads on a few keys while another thread
 * swaps two policies back and forth as fast as it can. The clock stands still and the refill is
 * one token a day, so a key's admissions are exactly its tokens used, and the rule "tokens used
 * stay used" makes every count exact: while both policies are live no key passes the looser
 * bound, and once swapping stops each policy admits exactly up to its own capacity.
 */
class UpdateRulesConcurrencyTest {

    private static final long WIDE = 100;
    private static final long NARROW = 60;

    private static Rules rules(String name, long capacity) {
        Limit limit = Limit.capacity(capacity).refillGreedy(1, Duration.ofDays(1));
        return Rules.builder(Policy.of("default", Limit.of(1_000_000, Duration.ofSeconds(1))))
                .pattern("k*", Policy.of(name, limit)).build();
    }

    @Test
    void checksDuringSwapsNeverFailAndEveryKeyKeepsExactCounts() throws Exception {
        ManualClock clock = new ManualClock();
        RateLimiter limiter = RateLimiter.inMemory(rules("wide", WIDE), clock);
        int keys = 4;
        int threads = 8;
        AtomicLongArray admitted = new AtomicLongArray(keys);
        AtomicBoolean swapping = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> checkers = new ArrayList<>();
            // Checkers keep going until some swaps have happened (bounded): on a fast run they
            // could otherwise finish before the swapper is scheduled, and prove nothing.
            java.util.concurrent.atomic.AtomicInteger swapsSoFar =
                    new java.util.concurrent.atomic.AtomicInteger();
            for (int t = 0; t < threads; t++) {
                int first = t;
                checkers.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 2_000 || (swapsSoFar.get() < 100 && i < 500_000); i++) {
                        int k = (first + i) % keys;
                        if (limiter.tryAcquire("k" + k).allowed()) {
                            admitted.incrementAndGet(k);
                        }
                    }
                    return null;
                }));
            }
            Future<Integer> swapper = pool.submit(() -> {
                start.await();
                int swaps = 0;
                while (swapping.get()) {
                    limiter.updateRules(swaps % 2 == 0 ? rules("narrow", NARROW)
                            : rules("wide", WIDE));
                    swaps++;
                    swapsSoFar.incrementAndGet();
                }
                return swaps;
            });
            start.countDown();
            for (Future<?> f : checkers) {
                f.get(60, TimeUnit.SECONDS); // rethrows any exception a check met
            }
            swapping.set(false);
            assertTrue(swapper.get(10, TimeUnit.SECONDS) > 0);
        } finally {
            pool.shutdownNow();
        }
        for (int k = 0; k < keys; k++) {
            long during = admitted.get(k);
            assertTrue(during <= WIDE, "key " + k + " admitted " + during + " > " + WIDE);
            // Under the narrow policy alone: exactly up to 60 used in all, no more.
            limiter.updateRules(rules("narrow", NARROW));
            long narrow = drain(limiter, "k" + k);
            assertEquals(Math.max(during, NARROW), during + narrow, "key " + k);
            // Back to the wide one: exactly 100 used in all.
            limiter.updateRules(rules("wide", WIDE));
            long wide = drain(limiter, "k" + k);
            assertEquals(WIDE, during + narrow + wide, "key " + k);
        }
        limiter.close();
    }

    private static long drain(RateLimiter limiter, String key) {
        long n = 0;
        while (limiter.tryAcquire(key).allowed()) {
            n++;
        }
        return n;
    }

    @Test
    void updateRules_rejectsNull_andAClosedLimiter_andMocksDoNotSupportIt() {
        RateLimiter limiter = RateLimiter.inMemory(rules("wide", WIDE), new ManualClock());
        assertEquals("rules", assertThrows(
                NullPointerException.class, () -> limiter.updateRules(null)).getMessage());
        Rules next = rules("narrow", NARROW);
        limiter.updateRules(next);
        assertEquals(next, limiter.rules());
        limiter.close();
        assertEquals("RateLimiter is closed", assertThrows(
                IllegalStateException.class, () -> limiter.updateRules(next)).getMessage());
        RateLimiter mock = new RateLimiter() {
            public Decision tryAcquire(String key, long tokens) {
                return null;
            }

            public CompletableFuture<Decision> tryAcquireAsync(String key, long tokens) {
                return null;
            }

            public Decision acquire(String key, long tokens, Duration maxWait) {
                return null;
            }

            public Decision peek(String key) {
                return null;
            }

            public void reset(String key) {
            }

            public void close() {
            }
        };
        assertThrows(UnsupportedOperationException.class,
                () -> mock.updateRules(next));
    }
}
