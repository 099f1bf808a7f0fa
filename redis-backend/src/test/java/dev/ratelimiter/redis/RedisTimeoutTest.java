package dev.ratelimiter.redis;

import dev.ratelimiter.redis.testing.RedisProcess;
import dev.ratelimiter.redis.testing.TestRedis;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.Decision;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.RateLimiterBuilder;
import dev.ratelimiter.Rules;
import dev.ratelimiter.failure.FailurePolicy;
import dev.ratelimiter.spi.StoreUnavailableException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * A Redis that accepts connections but does not answer (paused with {@code CLIENT PAUSE}) costs a
 * check a bounded wait with the default timeouts (about 45 ms on paper), not the length of the
 * stall.
 */
class RedisTimeoutTest {

    private static final long PAUSE_MS = 1_000;

    /** Retries {@code check} until it holds, for at most 10 s (polling with a deadline). */
    private static void warmUp(java.util.function.BooleanSupplier check) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                if (check.getAsBoolean()) {
                    return;
                }
            } catch (StoreUnavailableException coldStart) {
                // retried below
            }
            assertTrue(System.nanoTime() < deadline, "Redis never answered within the timeouts");
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    @Test
    void stalledRedis_defaultTimeoutsBoundTheCheck_farBelowTheStall() {
        Rules rules = Rules.of(RateLimiterBuilder.DEFAULT_POLICY);
        try (RedisProcess redis = RedisProcess.start();
             RateLimiter shared = RateLimiter.builder().rules(rules).store(RedisStore.builder()
                     .url(redis.url()).keyPrefix(TestRedis.uniquePrefix()).build()).build();
             RateLimiter failSafe = RateLimiter.builder().rules(rules)
                     .store(RedisStore.builder().url(redis.url())
                             .keyPrefix(TestRedis.uniquePrefix()).build())
                     .onStoreFailure(FailurePolicy.FAIL_CLOSED).build()) {
            // Open and warm the connections. On a loaded machine a cold first call can exceed
            // the 15 ms read timeout itself; that is not what this test is about, so retry.
            warmUp(() -> shared.tryAcquire("k").allowed());
            warmUp(() -> !failSafe.tryAcquire("k").degraded());

            try (Jedis admin = redis.jedis()) {
                admin.clientPause(PAUSE_MS); // from now on the server answers nobody for 1 s
            }
            long start = System.nanoTime();
            StoreUnavailableException e = assertThrows(StoreUnavailableException.class,
                    () -> shared.tryAcquire("k"));
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(tookMs < PAUSE_MS / 4, "a stalled check took " + tookMs + " ms");
            assertTrue(e.getMessage().contains("did not answer"), e.getMessage());
            System.out.printf("stalled Redis: check failed after %d ms: %s%n", tookMs,
                    e.getMessage());

            start = System.nanoTime();
            Decision d = failSafe.tryAcquire("k");
            tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(d.degraded());
            assertFalse(d.allowed());
            assertTrue(tookMs < PAUSE_MS / 4, "a stalled fail-safe check took " + tookMs + " ms");
        }
    }
}
