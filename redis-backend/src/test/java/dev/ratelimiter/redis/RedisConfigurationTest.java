package dev.ratelimiter.redis;

import dev.ratelimiter.redis.testing.RedisProcess;
import dev.ratelimiter.redis.testing.TestRedis;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.config.ConfigSource;
import dev.ratelimiter.spi.StoreUnavailableException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad configuration fails with a message naming what is wrong, and never leaks a password. */
class RedisConfigurationTest {

    private static RedisProcess secured;

    @BeforeAll
    static void startPasswordProtectedRedis() {
        secured = RedisProcess.start("--requirepass", "s3cret");
    }

    @AfterAll
    static void stop() {
        secured.close();
    }

    private static ConfigSource props(Map<String, String> properties, Map<String, String> env) {
        Properties p = new Properties();
        p.putAll(properties);
        return ConfigSource.of(p, env);
    }

    @Test
    void url_withWrongScheme_namesTheOptionAndHidesThePassword() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RedisStore.builder().url("http://user:hunter2@localhost:6379"));
        assertEquals("url must start with redis:// or rediss://, was http://user:***@localhost:6379",
                e.getMessage());
    }

    @Test
    void url_malformed_isRejectedBeforeConnecting() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> RedisStore.builder().url("redis://host:99999")).getMessage()
                .contains("url"));
        assertEquals("url has no host: redis://:6379",
                assertThrows(IllegalArgumentException.class,
                        () -> RedisStore.builder().url("redis://:6379")).getMessage());
        assertEquals("url database (the path) must be a number >= 0, was 'x': redis://h:1/x",
                assertThrows(IllegalArgumentException.class,
                        () -> RedisStore.builder().url("redis://h:1/x")).getMessage());
    }

    @Test
    void url_parsesUserPasswordDatabaseAndTls() {
        RedisTarget t = RedisTarget.parseUrl("url", "rediss://app:p%40ss@cache.local:6380/3");
        assertEquals("app", t.user);
        assertEquals("p@ss", t.password);
        assertEquals(3, t.database);
        assertTrue(t.ssl);
        assertEquals("rediss://app:***@cache.local:6380/3", t.toString());
    }

    @Test
    void unreachableHost_checkFailsNamingTheStoreAndTheCause() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        RedisStore store = RedisStore.builder().url("redis://127.0.0.1:" + closedPort).build();
        try (RateLimiter limiter = RateLimiter.builder().store(store).build()) {
            StoreUnavailableException e = assertThrows(StoreUnavailableException.class,
                    () -> limiter.tryAcquire("k"));
            assertTrue(e.getMessage().startsWith("Redis store redis://127.0.0.1:" + closedPort
                    + " is unreachable: "), e.getMessage());
            assertTrue(e.getMessage().contains("Connection refused"), e.getMessage());
            assertThrows(StoreUnavailableException.class, store::verify);
        }
    }

    @Test
    void wrongPassword_failsSayingTheCredentialsWereRejected() {
        RedisStore store = TestRedis.patientStore()
                .url("redis://:wrong@127.0.0.1:" + secured.port()).build();
        try (store) {
            StoreUnavailableException e =
                    assertThrows(StoreUnavailableException.class, store::verify);
            assertTrue(e.getMessage().startsWith("Redis store redis://:***@127.0.0.1:"
                    + secured.port() + " rejected the credentials"), e.getMessage());
            assertFalse(e.getMessage().contains("wrong"), "password leaked: " + e.getMessage());
        }
        RedisStore noPassword = TestRedis.patientStore()
                .url("redis://127.0.0.1:" + secured.port()).build();
        try (RateLimiter limiter = RateLimiter.builder().store(noPassword).build()) {
            StoreUnavailableException e = assertThrows(StoreUnavailableException.class,
                    () -> limiter.tryAcquire("k"));
            assertTrue(e.getMessage().contains("rejected the credentials"), e.getMessage());
        }
    }

    @Test
    void rightPassword_fromItsOwnOption_works() {
        RedisStore store = TestRedis.patientStore()
                .url("redis://127.0.0.1:" + secured.port()).password("s3cret").build();
        try (RateLimiter limiter = RateLimiter.builder().store(store).build()) {
            store.verify();
            assertTrue(limiter.tryAcquire("k").allowed());
        }
    }

    @Test
    void builder_rejectsBadOptionsNamingThem() {
        RedisStoreBuilder b = RedisStore.builder();
        assertEquals("requestTimeout must be at least 1 ms, was PT0S",
                assertThrows(IllegalArgumentException.class,
                        () -> b.requestTimeout(Duration.ZERO)).getMessage());
        assertEquals("poolMaxTotal must be >= 1, was 0",
                assertThrows(IllegalArgumentException.class, () -> b.poolMaxTotal(0))
                        .getMessage());
        assertEquals("RedisStore: set url, clusterNodes, client or jedisPool"
                        + " (ratelimiter.redis.url or ratelimiter.redis.clusterNodes)",
                assertThrows(IllegalStateException.class, b::build).getMessage());
        b.url("redis://localhost");
        assertEquals("RedisStore: clusterNodes conflicts with url already set;"
                        + " choose one way to reach Redis",
                assertThrows(IllegalStateException.class, () -> b.clusterNodes("h:1"))
                        .getMessage());
        assertEquals("clusterNodes entries must be host:port, was 'nohost'",
                assertThrows(IllegalArgumentException.class,
                        () -> RedisStore.builder().clusterNodes("a:1, nohost")).getMessage());
    }

    @Test
    void config_unknownRedisProperty_isAnErrorNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RedisStoreConfig.from(props(Map.of("ratelimiter.redis.uri", "x"),
                        Map.of())));
        assertTrue(e.getMessage().startsWith(
                "unknown property 'ratelimiter.redis.uri'; known: ratelimiter.redis.{"),
                e.getMessage());
    }

    @Test
    void config_badValue_namesThePropertyAndItsVariable() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RedisStoreConfig.from(props(Map.of("ratelimiter.redis.readTimeoutMs",
                        "fast"), Map.of())));
        assertEquals("ratelimiter.redis.readTimeoutMs (RATE_LIMITER_REDIS_READ_TIMEOUT_MS)"
                + " must be a whole number of milliseconds, was 'fast'", e.getMessage());
        IllegalArgumentException url = assertThrows(IllegalArgumentException.class,
                () -> RedisStoreConfig.from(props(Map.of(), Map.of("RATE_LIMITER_REDIS_URL",
                        "localhost:6379"))));
        assertTrue(url.getMessage().startsWith(
                "ratelimiter.redis.url (RATE_LIMITER_REDIS_URL): url must start with"),
                url.getMessage());
        IllegalArgumentException bound = assertThrows(IllegalArgumentException.class,
                () -> RedisStoreConfig.from(props(Map.of("ratelimiter.redis.url", "redis://h",
                        "ratelimiter.redis.poolMaxTotal", "0"), Map.of())));
        assertEquals("ratelimiter.redis.poolMaxTotal (RATE_LIMITER_REDIS_POOL_MAX_TOTAL):"
                + " poolMaxTotal must be >= 1, was 0", bound.getMessage(),
                "the bound is the builder's, the name is the section's");
    }

    @Test
    void config_environmentWinsOverProperties_andBuildsAWorkingStore() {
        RedisStoreConfig config = RedisStoreConfig.from(props(
                Map.of("ratelimiter.redis.url", "redis://unused:1",
                        "ratelimiter.redis.keyPrefix", "cfg:",
                        "ratelimiter.redis.batching", "false"),
                Map.of("RATE_LIMITER_REDIS_URL", TestRedis.url(),
                        "RATE_LIMITER_REDIS_READ_TIMEOUT_MS", "500")));
        assertEquals(TestRedis.url(), config.get("url").orElseThrow());
        assertEquals("500", config.get("readTimeoutMs").orElseThrow());
        RedisStore store = TestRedis.patientStore().config(config).build();
        try (store) {
            store.verify();
            assertEquals("cfg:k", store.redisKey("k"));
        }
    }
}
