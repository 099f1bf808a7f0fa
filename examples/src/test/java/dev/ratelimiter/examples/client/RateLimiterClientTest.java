package dev.ratelimiter.examples.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.Limit;
import dev.ratelimiter.ManualClock;
import dev.ratelimiter.Policy;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.Rules;
import dev.ratelimiter.http.RateLimitServer;
import dev.ratelimiter.http.ServerSettings;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Runs example 6 against the real standalone server, and against a port nobody serves. */
class RateLimiterClientTest {

    private final ManualClock clock = new ManualClock();

    private RateLimiterClient client(String url, String apiKey, boolean failOpen) {
        return new RateLimiterClient(new ClientConfig(URI.create(url), apiKey,
                Duration.ofSeconds(2), failOpen), 3, Duration.ofMillis(100), clock, clock);
    }

    @Test
    void allowedThenLimitedAgainstTheServer() throws Exception {
        RateLimiter limiter = RateLimiter.inMemory(
                Rules.of(Policy.of("default", Limit.of(3, Duration.ofMinutes(1)))), clock);
        try (RateLimitServer server = RateLimitServer.builder(limiter)
                .settings(ServerSettings.builder().host("127.0.0.1").port(0)
                        .apiKeys(List.of("secret")).build())
                .start()) {
            String url = "http://" + server.hostAndPort();
            RateLimiterClient client = client(url, "secret", true);
            CheckResult first = client.check("user:1", 2);
            assertTrue(first.allowed());
            assertEquals(1, first.remainingTokens());
            assertFalse(first.degraded());
            CheckResult limited = client.check("user:1", 2);
            assertFalse(limited.allowed());
            assertEquals("user:1", limited.key());
            assertEquals(20_000, limited.retryAfterMs(), "one token per 20 s");

            assertEquals("Invalid API key", assertThrows(IllegalStateException.class,
                    () -> client(url, "wrong", true).check("user:1", 1)).getMessage());
            assertEquals("tokens must be >= 1, was 0", assertThrows(
                    IllegalArgumentException.class, () -> client.check("user:1", 0)).getMessage());
        } finally {
            limiter.close();
        }
    }

    @Test
    void anUnreachableServerFailsOpenAfterRetriesWithBackoff() throws Exception {
        RateLimiterClient client = client("http://127.0.0.1:" + closedPort(), null, true);
        CheckResult r = client.check("k", 1);
        assertTrue(r.allowed());
        assertTrue(r.degraded());
        assertEquals(4, client.requestsSent(), "first try and 3 retries");
        assertEquals(Duration.ofMillis(100 + 200 + 400).toNanos(), clock.read(),
                "exponential backoff, stepped on the clock");
    }

    @Test
    void failClosedThrowsInstead() throws Exception {
        RateLimiterClient client = client("http://127.0.0.1:" + closedPort(), null, false);
        assertThrows(RateLimiterUnavailableException.class, () -> client.check("k", 1));
    }

    @Test
    void theBreakerStopsCallingADeadServerThenTriesAgainAfterAMinute() throws Exception {
        RateLimiterClient client = client("http://127.0.0.1:" + closedPort(), null, true);
        for (int i = 0; i < 5; i++) {
            client.check("k", 1);
        }
        long sent = client.requestsSent();
        assertEquals(20, sent);
        for (int i = 0; i < 100; i++) {
            assertTrue(client.check("k", 1).degraded());
        }
        assertEquals(sent, client.requestsSent(), "open breaker: no network at all");
        clock.advance(Duration.ofSeconds(60));
        client.check("k", 1);
        assertEquals(sent + 4, client.requestsSent(), "after 60 s it tries again");
    }

    @Test
    void configurationComesFromTheContractsEnvironmentVariables() {
        ClientConfig c = ClientConfig.fromEnvironment(Map.of("RATE_LIMITER_URL", "http://h:9/",
                "RATE_LIMITER_API_KEY", "k", "RATE_LIMITER_TIMEOUT", "3",
                "RATE_LIMITER_FAIL_OPEN", "false"));
        assertEquals(new ClientConfig(URI.create("http://h:9"), "k", Duration.ofSeconds(3), false), c);
        ClientConfig defaults = ClientConfig.fromEnvironment(Map.of());
        assertEquals(new ClientConfig(URI.create("http://localhost:8080"), null,
                Duration.ofSeconds(10), true), defaults);
        assertEquals("RATE_LIMITER_TIMEOUT must be whole seconds, was 'ten'", assertThrows(
                IllegalArgumentException.class, () -> ClientConfig.fromEnvironment(
                        Map.of("RATE_LIMITER_TIMEOUT", "ten"))).getMessage());
    }

    /** A loopback port with nothing listening: bound, then released. */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
