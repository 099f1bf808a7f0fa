package dev.ratelimiter.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.ManualClock;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.RateLimiterBuilder;
import dev.ratelimiter.Rules;
import dev.ratelimiter.failure.FailurePolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Under a dead Redis the breaker logs each state change once, never per request: a thousand
 * degraded decisions produce one "opened" line. (slf4j-simple writes to System.err, captured.)
 */
class BreakerLoggingTest {

    @Test
    void deadRedis_thousandsOfDecisions_oneLogLinePerStateChange() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Rules rules = Rules.of(RateLimiterBuilder.DEFAULT_POLICY);
        ManualClock clock = new ManualClock();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (RateLimiter limiter = RateLimiter.builder().rules(rules)
                .store(RedisStore.builder().url("redis://127.0.0.1:" + closedPort).build())
                .onStoreFailure(FailurePolicy.FAIL_OPEN).circuitBreaker(3, Duration.ofSeconds(1))
                .ticker(clock).build()) {
            for (int i = 0; i < 1000; i++) {
                assertTrue(limiter.tryAcquire("k" + i).degraded());
            }
            clock.advance(Duration.ofSeconds(1)); // one failed trial: half-open, re-opened
            for (int i = 0; i < 1000; i++) {
                limiter.tryAcquire("k" + i);
            }
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertEquals(1, count(log, "ratelimiter store redis: circuit opened"), log);
        assertEquals(1, count(log, "ratelimiter store redis: circuit half-open"), log);
        assertEquals(1, count(log, "ratelimiter store redis: circuit re-opened"), log);
        assertEquals(3, count(log, "ratelimiter store redis:"), log);
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
            n++;
        }
        return n;
    }
}
