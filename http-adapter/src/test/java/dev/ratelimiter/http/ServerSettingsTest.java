package dev.ratelimiter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.config.ConfigSource;
import dev.ratelimiter.config.RateLimiterConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerSettingsTest {

    private static ServerSettings from(Map<String, String> props, Map<String, String> env) {
        Properties p = new Properties();
        p.putAll(props);
        return ServerSettings.from(ConfigSource.of(p, env));
    }

    @Test
    void defaultsAreLoopbackPort8080CaffeineNoAuth() {
        ServerSettings s = from(Map.of(), Map.of());
        assertEquals("127.0.0.1", s.effectiveHost());
        assertEquals(8080, s.port());
        assertEquals("caffeine", s.backend());
        assertFalse(s.authEnabled());
        assertEquals(64 * 1024, s.maxBodyBytes());
    }

    @Test
    void authenticatedServerBindsAllInterfacesUnlessTold() {
        ServerSettings s = from(Map.of(), Map.of("RATE_LIMITER_API_KEYS", "a, b"));
        assertEquals(List.of("a", "b"), s.apiKeys());
        assertEquals("0.0.0.0", s.effectiveHost());
        assertEquals("10.0.0.5", from(Map.of("ratelimiter.server.host", "10.0.0.5"),
                Map.of("RATE_LIMITER_API_KEYS", "a")).effectiveHost());
    }

    @Test
    void environmentWinsOverProperties() {
        ServerSettings s = from(Map.of("ratelimiter.server.port", "9000",
                        "ratelimiter.backend", "memory"),
                Map.of("RATE_LIMITER_PORT", "9001", "RATE_LIMITER_BACKEND", "caffeine"));
        assertEquals(9001, s.port());
        assertEquals("caffeine", s.backend());
    }

    @Test
    void redisUrlAloneSelectsTheRedisBackend() {
        assertEquals("redis", from(Map.of(), Map.of("RATE_LIMITER_REDIS_URL",
                "redis://localhost:6379")).backend());
    }

    @Test
    void unknownNamesInTheServersSectionsAreErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> from(Map.of("ratelimiter.server.prot", "1"), Map.of()));
        assertTrue(e.getMessage().startsWith("unknown property 'ratelimiter.server.prot'"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> from(Map.of("ratelimiter.security.api-key", "x"), Map.of()));
        assertThrows(IllegalArgumentException.class,
                () -> from(Map.of("ratelimiter.backends", "x"), Map.of()));
    }

    @Test
    void badValuesNameTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> from(Map.of(), Map.of("RATE_LIMITER_PORT", "80a")));
        assertEquals("ratelimiter.server.port (RATE_LIMITER_PORT) must be a whole number,"
                + " was '80a'", e.getMessage());
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> from(Map.of("ratelimiter.server.requestTimeout", "0"), Map.of()));
        assertEquals("ratelimiter.server.requestTimeout (RATE_LIMITER_REQUEST_TIMEOUT):"
                + " requestTimeout must be from 1 to 3600, was 0", range.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> from(Map.of("ratelimiter.backend", "mongo"), Map.of()));
        assertThrows(IllegalArgumentException.class,
                () -> from(Map.of("ratelimiter.security.ip.whitelist", "10.0.0.0/40"), Map.of()));
        IllegalStateException s = assertThrows(IllegalStateException.class,
                () -> from(Map.of("ratelimiter.security.api-keys.enabled", "true"), Map.of()));
        assertTrue(s.getMessage().contains("api-keys.valid-keys"), s.getMessage());
    }

    @Test
    void theDefaultCaffeineBoundFitsHalfTheHeap() {
        assertEquals(196_608, Backends.heapSizedMaximumKeys(192L << 20), "the README's -Xmx192m");
        assertEquals(1_000_000, Backends.heapSizedMaximumKeys(16L << 30), "never above the store's");
        assertEquals(10_000, Backends.heapSizedMaximumKeys(8L << 20), "never below 10,000");
    }

    @Test
    void caffeineIsTheDefaultBackendAndItsSectionIsChecked() {
        ConfigSource none = ConfigSource.of(new Properties(), Map.of());
        try (var store = Backends.store(ServerSettings.from(none).backend(), none)) {
            assertEquals("caffeine", store.name());
        }
        Properties p = new Properties();
        p.setProperty("ratelimiter.caffeine.maximum-keys", "5");
        ConfigSource typo = ConfigSource.of(p, Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Backends.store(ServerSettings.from(typo).backend(), typo));
        assertEquals("unknown property 'ratelimiter.caffeine.maximum-keys'; known:"
                + " ratelimiter.caffeine.{maximumKeys}", e.getMessage());
    }

    @Test
    void storeFailureSettingsAreCheckedByName() {
        Properties p = new Properties();
        p.setProperty("ratelimiter.store.failurePolicy", "sometimes");
        ConfigSource bad = ConfigSource.of(p, Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Backends.open(ServerSettings.from(bad), RateLimiterConfig.from(bad), bad));
        assertEquals("ratelimiter.store.failurePolicy (RATE_LIMITER_FAILURE_POLICY) must be"
                + " fail-open, fail-closed or local-fallback, was 'sometimes'", e.getMessage());
        Properties q = new Properties();
        q.setProperty("ratelimiter.store.policy", "fail-open");
        ConfigSource unknown = ConfigSource.of(q, Map.of());
        assertThrows(IllegalArgumentException.class, () -> Backends.open(
                ServerSettings.from(unknown), RateLimiterConfig.from(unknown), unknown));
        ConfigSource noUrl = ConfigSource.of(new Properties(),
                Map.of("RATE_LIMITER_BACKEND", "redis"));
        IllegalArgumentException r = assertThrows(IllegalArgumentException.class, () ->
                Backends.open(ServerSettings.from(noUrl), RateLimiterConfig.from(noUrl), noUrl));
        assertTrue(r.getMessage().contains("RATE_LIMITER_REDIS_URL"), r.getMessage());
    }

    @Test
    void requestSizeAcceptsUnits() {
        assertEquals(1024, ServerSettings.size("x", "1KB"));
        assertEquals(2 * 1024 * 1024, ServerSettings.size("x", "2MB"));
        assertEquals(500, ServerSettings.size("x", "500"));
        assertThrows(IllegalArgumentException.class, () -> ServerSettings.size("x", "lots"));
    }

    @Test
    void platformThreadsAreOnePerCoreAndMoreForARemoteStoreUnlessSet() {
        int cores = Runtime.getRuntime().availableProcessors();
        ServerSettings defaults = from(Map.of(), Map.of());
        assertEquals(Math.max(2, cores), defaults.threads());
        ConfigSource unset = ConfigSource.of(new Properties(), Map.of());
        assertEquals(defaults.threads(), Main.threadsForStore(defaults, unset, true).threads());
        assertEquals(Math.max(32, 4 * cores),
                Main.threadsForStore(defaults, unset, false).threads());

        ConfigSource set = ConfigSource.of(new Properties(), Map.of("RATE_LIMITER_THREADS", "5"));
        ServerSettings five = ServerSettings.from(set);
        assertEquals(5, Main.threadsForStore(five, set, false).threads());
    }

    @Test
    void toStringNeverShowsApiKeys() {
        ServerSettings s = from(Map.of(), Map.of("RATE_LIMITER_API_KEYS", "topsecret"));
        assertFalse(s.toString().contains("topsecret"));
    }

    @Test
    void mainReportsAConfigurationErrorInOneLineAndExits2(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.properties");
        Files.writeString(file, "ratelimiter.server.threads=lots\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"--config", file.toString()},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true,
                        StandardCharsets.UTF_8));
        assertEquals(2, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith(
                "ratelimiter-http: configuration error: ratelimiter.server.threads"), err::toString);
        assertEquals(2, Main.run(new String[] {"--bogus"}, System.out,
                new PrintStream(new ByteArrayOutputStream())));
    }
}
