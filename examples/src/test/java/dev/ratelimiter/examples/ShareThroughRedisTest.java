package dev.ratelimiter.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.Decision;
import dev.ratelimiter.ManualClock;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.redis.testing.TestRedis;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Runs example 2 against a real redis-server (started by the test, or REDIS_URL). */
class ShareThroughRedisTest {

    @Test
    void twoInstancesSpendOneBudget() {
        String url = TestRedis.url();
        String key = "example:" + UUID.randomUUID();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // One stepped clock for both instances: no refill can sneak in on a slow machine.
        ManualClock clock = new ManualClock(1_767_225_600_000_000_000L);
        try (RateLimiter a = ShareThroughRedis.newLimiter(url, clock);
             RateLimiter b = ShareThroughRedis.newLimiter(url, clock)) {
            Decision d = ShareThroughRedis.demo(a, b, key,
                    new PrintStream(bytes, true, StandardCharsets.UTF_8));
            assertFalse(d.allowed());
            assertFalse(d.degraded(), "decided by Redis, not by the failure policy");
            assertEquals("""
                    A took 6: allowed=true remaining=4
                    B sees remaining=4
                    B asks 5: allowed=false retryAfter=6s
                    """, bytes.toString(StandardCharsets.UTF_8));
            Decision rest = a.tryAcquire(key, 4);
            assertTrue(rest.allowed(), "A can still take the 4 that B was refused");
            assertEquals(0, rest.remaining());
        }
    }
}
