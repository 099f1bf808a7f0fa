package dev.ratelimiter.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.Limit;
import dev.ratelimiter.Rules;
import dev.ratelimiter.caffeine.CaffeineStoreConfig;
import dev.ratelimiter.config.ConfigSource;
import dev.ratelimiter.config.RateLimiterConfig;
import dev.ratelimiter.config.FailSafeConfig;
import dev.ratelimiter.failure.FailurePolicy;
import dev.ratelimiter.http.ServerSettings;
import dev.ratelimiter.redis.RedisStoreConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * Example 7 — the commented {@code ratelimiter.properties} in this module's resources: every
 * module's reader accepts its section (any unknown or malformed name would throw), and the
 * values mean what the comments say.
 */
class ConfigFileTest {

    private static ConfigSource load(Map<String, String> env) throws IOException {
        Properties p = new Properties();
        try (InputStream in = ConfigFileTest.class.getResourceAsStream("/ratelimiter.properties")) {
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return ConfigSource.of(p, env);
    }

    @Test
    void everySectionIsReadAndMeansWhatItsCommentSays() throws IOException {
        ConfigSource source = load(Map.of());

        RateLimiterConfig core = RateLimiterConfig.from(source);
        Rules rules = core.rules();
        assertEquals(256, core.maxKeyBytes());
        assertEquals(List.of(Limit.of(10, Duration.ofSeconds(1)).capacity(), 2L),
                List.of(rules.defaultPolicy().limits().get(0).capacity(),
                        rules.defaultPolicy().limits().get(0).refillTokens()));
        assertEquals("partner-api", rules.resolve("partner-api").name());
        assertEquals(100, rules.resolve("partner-api").smallestCapacity());
        assertEquals("user:*", rules.resolve("user:42").name());
        assertEquals(List.of(Limit.capacity(20).refillGreedy(10, Duration.ofSeconds(1)),
                        Limit.of(1000, Duration.ofHours(1))),
                rules.resolve("api:v1:search").limits());
        assertEquals(List.of(Limit.capacity(3).refillIntervally(3, Duration.ofHours(1))),
                rules.resolve("signup:a@example.com").limits());

        FailSafeConfig failSafe = FailSafeConfig.from(source);
        assertEquals(new FailSafeConfig(FailurePolicy.LOCAL_FALLBACK, 3, Duration.ofSeconds(1)),
                failSafe);
        assertEquals(100_000, CaffeineStoreConfig.from(source).maximumKeys());
        assertTrue(RedisStoreConfig.from(source).isConfigured());
        assertEquals("500", RedisStoreConfig.from(source).get("timeoutMs").orElseThrow());

        ServerSettings server = ServerSettings.from(source);
        assertEquals("redis", server.backend());
        assertEquals(8080, server.port());
        assertEquals(List.of("change-me-1", "change-me-2"), server.apiKeys());
        assertEquals(64 * 1024, server.maxBodyBytes());
    }

    @Test
    void environmentVariablesWinOverTheFile() throws IOException {
        ConfigSource source = load(Map.of("RATE_LIMITER_PORT", "9090",
                "RATE_LIMITER_CAPACITY", "50", "RATE_LIMITER_FAILURE_POLICY", "fail-closed"));
        assertEquals(9090, ServerSettings.from(source).port());
        assertEquals(50, RateLimiterConfig.from(source).rules().defaultPolicy().smallestCapacity());
        assertEquals(FailurePolicy.FAIL_CLOSED, FailSafeConfig.from(source).policy());
    }
}
