package dev.ratelimiter.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.Decision;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.RateLimiterBuilder;
import dev.ratelimiter.Rules;
import dev.ratelimiter.failure.FailurePolicy;
import dev.ratelimiter.redis.testing.RedisProcess;
import dev.ratelimiter.redis.testing.TestRedis;
import dev.ratelimiter.spi.StoreUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Timeouts with the default settings ({@link RedisStore#DEFAULT_TIMEOUT}, 500 ms per check): a
 * Redis that is slow but alive ({@code CLIENT PAUSE} shorter than the timeout) costs checks a
 * wait, never a failure; a Redis stalled for longer than the timeout costs each check at most
 * the timeout, then a {@link StoreUnavailableException} (what Redis did: it did not answer).
 */
class RedisTimeoutTest {

    private static final Rules RULES = Rules.of(RateLimiterBuilder.DEFAULT_POLICY);

    @Test
    void slowButLiveRedis_pausedShorterThanTheTimeout_degradesNoCheck() throws Exception {
        long pauseMs = 250; // half the default timeout
        int threads = 64;
        try (RedisProcess redis = RedisProcess.start();
             RateLimiter limiter = RateLimiter.builder().rules(RULES)
                     .store(RedisStore.builder().url(redis.url())
                             .keyPrefix(TestRedis.uniquePrefix()).build())
                     .onStoreFailure(FailurePolicy.FAIL_OPEN).build();
             Jedis admin = redis.jedis()) {
            assertFalse(limiter.tryAcquire("warm").degraded());
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                CountDownLatch ready = new CountDownLatch(threads);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<long[]>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    String key = "k" + t;
                    results.add(pool.submit(() -> {
                        ready.countDown();
                        go.await();
                        long slowest = 0;
                        long degraded = 0;
                        for (int i = 0; i < 5; i++) {
                            long start = System.nanoTime();
                            Decision d = limiter.tryAcquire(key);
                            slowest = Math.max(slowest, System.nanoTime() - start);
                            degraded += d.degraded() ? 1 : 0;
                        }
                        return new long[] {slowest, degraded};
                    }));
                }
                assertTrue(ready.await(10, TimeUnit.SECONDS));
                admin.clientPause(pauseMs); // from now on Redis answers nobody for 250 ms
                go.countDown();
                long slowest = 0;
                long degraded = 0;
                for (Future<long[]> f : results) {
                    long[] r = f.get(30, TimeUnit.SECONDS);
                    slowest = Math.max(slowest, r[0]);
                    degraded += r[1];
                }
                assertEquals(0, degraded, "checks degraded while Redis was only slow");
                // The pause really held checks up (else this test would prove nothing).
                assertTrue(slowest >= TimeUnit.MILLISECONDS.toNanos(pauseMs / 2),
                        "slowest check " + slowest / 1_000_000 + " ms");
                System.out.printf("paused Redis (%d ms): slowest check %d ms, none degraded%n",
                        pauseMs, slowest / 1_000_000);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void stalledRedis_longerThanTheTimeout_failsEachCheckAfterAboutTheTimeout() {
        long pauseMs = 3_000;
        try (RedisProcess redis = RedisProcess.start();
             RateLimiter limiter = RateLimiter.builder().rules(RULES).store(RedisStore.builder()
                     .url(redis.url()).keyPrefix(TestRedis.uniquePrefix()).build()).build();
             Jedis admin = redis.jedis()) {
            assertTrue(limiter.tryAcquire("k").allowed());
            admin.clientPause(pauseMs);
            long start = System.nanoTime();
            StoreUnavailableException e = assertThrows(StoreUnavailableException.class,
                    () -> limiter.tryAcquire("k"));
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            long timeoutMs = RedisStore.DEFAULT_TIMEOUT.toMillis();
            assertTrue(tookMs >= timeoutMs - 50 && tookMs < pauseMs / 2,
                    "a stalled check took " + tookMs + " ms; the timeout is " + timeoutMs);
            assertTrue(e.getMessage().contains("did not answer"), e.getMessage());
            System.out.printf("stalled Redis: check failed after %d ms: %s%n", tookMs,
                    e.getMessage());
        }
    }

    /**
     * Callers that wait while another one's round trip is stuck must give up at their own
     * deadline, not when that round trip ends: they park without a timer and
     * {@link DeadlineSweeper} wakes them. One connection, ten callers joining 30 ms apart: the
     * first leads alone until its deadline; the others queue behind it, then go out together
     * and, without the sweeper, would all wait for the latest deadline of that batch (up to
     * 240 ms late). Only the caller carrying that batch may, as documented (README, "Worst-case
     * latency per check").
     */
    @Test
    void stalledRedis_callersQueuedBehindAStuckRoundTrip_giveUpAtTheirOwnDeadline()
            throws Exception {
        long timeoutMs = 300;
        int callers = 10;
        long staggerMs = 30;
        try (RedisProcess redis = RedisProcess.start();
             RedisStore store = RedisStore.builder().url(redis.url())
                     .keyPrefix(TestRedis.uniquePrefix()).timeout(Duration.ofMillis(timeoutMs))
                     .readTimeout(Duration.ofMillis(timeoutMs)).connectionsPerNode(1)
                     .batching(false).build();
             RateLimiter limiter = RateLimiter.builder().rules(RULES).store(store).build();
             Jedis admin = redis.jedis()) {
            for (int i = 0; i < callers; i++) {
                assertTrue(limiter.tryAcquire("k" + i).allowed()); // connected, scripts loaded
            }
            ExecutorService pool = Executors.newFixedThreadPool(callers);
            try {
                admin.clientPause(3_000);
                long start = System.nanoTime();
                List<Future<Long>> took = new ArrayList<>();
                for (int i = 0; i < callers; i++) {
                    String key = "k" + i;
                    long joinAt = start + TimeUnit.MILLISECONDS.toNanos(i * staggerMs);
                    took.add(pool.submit(() -> {
                        for (long left; (left = joinAt - System.nanoTime()) > 0; ) {
                            LockSupport.parkNanos(left); // the load's shape, not a handshake
                        }
                        long t0 = System.nanoTime();
                        assertThrows(RuntimeException.class, () -> limiter.tryAcquire(key));
                        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                    }));
                }
                List<Long> late = new ArrayList<>();
                long slowest = 0;
                for (Future<Long> f : took) {
                    long ms = f.get(30, TimeUnit.SECONDS);
                    slowest = Math.max(slowest, ms);
                    // The sweeper's period is 10 ms; the rest is slack for a busy machine.
                    if (ms >= timeoutMs + 100) {
                        late.add(ms);
                    }
                }
                // The one documented exception: the caller that carries the second round trip
                // reopens the connection (the first one's read timed out), then reads until the
                // latest deadline in it.
                assertTrue(late.size() <= 1, "callers that gave up late (ms): " + late);
                assertTrue(slowest < 3 * timeoutMs + 100, "slowest " + slowest + " ms");
                System.out.printf("stalled Redis, %d staggered callers: slowest gave up after"
                        + " %d ms, late %s (timeout %d ms)%n", callers, slowest, late, timeoutMs);
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
