package dev.ratelimiter.redis;

import dev.ratelimiter.redis.testing.RedisProcess;
import dev.ratelimiter.redis.testing.TestRedis;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.Limit;
import dev.ratelimiter.ManualClock;
import dev.ratelimiter.Policy;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.Rules;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.RedisClient;

/** The store's own contract beyond the conformance suite: clients, ownership, prefix, bounds. */
class RedisStoreTest {

    private static final Rules THREE = Rules.of(Policy.of("three",
            Limit.capacity(3).refillGreedy(3, Duration.ofMinutes(1))));

    @Test
    void clientTheCallerOwns_isUsedAndNotClosed() {
        String prefix = TestRedis.uniquePrefix();
        try (RedisClient client = RedisClient.create(URI.create(TestRedis.url()))) {
            RedisStore store = TestRedis.patientStore().client(client).keyPrefix(prefix).build();
            try (RateLimiter limiter = RateLimiter.builder().rules(THREE).store(store).build()) {
                assertTrue(limiter.tryAcquire("k", 3).allowed());
                assertFalse(limiter.tryAcquire("k").allowed());
            }
            // The limiter (and store) are closed; the caller's client still works.
            assertTrue(client.exists(prefix + "k"));
        }
    }

    @Test
    @SuppressWarnings("deprecation") // JedisPool is deprecated in Jedis 7; users still have them
    void jedisPoolTheCallerOwns_sharesStateWithAUrlStore() {
        String prefix = TestRedis.uniquePrefix();
        try (JedisPool pool = new JedisPool(URI.create(TestRedis.url()));
             RateLimiter viaPool = RateLimiter.builder().rules(THREE)
                     .store(TestRedis.patientStore().jedisPool(pool).keyPrefix(prefix).build())
                     .build();
             RateLimiter viaUrl = RateLimiter.builder().rules(THREE)
                     .store(TestRedis.patientStore().url(TestRedis.url()).keyPrefix(prefix).build())
                     .build()) {
            assertTrue(viaPool.tryAcquire("k", 2).allowed());
            assertEquals(1, viaUrl.tryAcquire("k").remaining() + 1);
            assertFalse(viaPool.tryAcquire("k").allowed());
        }
    }

    @Test
    void differentPrefixes_areDifferentLimits() {
        String url = TestRedis.url();
        try (RateLimiter a = RateLimiter.builder().rules(THREE).store(TestRedis.patientStore()
                     .url(url).keyPrefix(TestRedis.uniquePrefix()).build()).build();
             RateLimiter b = RateLimiter.builder().rules(THREE).store(TestRedis.patientStore()
                     .url(url).keyPrefix(TestRedis.uniquePrefix()).build()).build()) {
            assertTrue(a.tryAcquire("k", 3).allowed());
            assertTrue(b.tryAcquire("k", 3).allowed());
        }
    }

    @Test
    void proxyCache_isBoundedByMaxCachedKeys() {
        RedisStore store = TestRedis.patientStore().url(TestRedis.url())
                .keyPrefix(TestRedis.uniquePrefix()).maxCachedKeys(10)
                .ticker(new ManualClock(1_767_225_600_000_000_000L)).build();
        try (RateLimiter limiter = RateLimiter.builder().rules(THREE).store(store).build()) {
            for (int i = 0; i < 200; i++) {
                limiter.tryAcquire("k" + i);
            }
            assertTrue(store.cachedKeys() <= 10, "cached " + store.cachedKeys());
        }
    }

    @Test
    void closedStore_refusesCalls() {
        RedisStore store = RedisStore.builder().url(TestRedis.url()).build();
        store.close();
        store.close(); // idempotent
        assertThrows(IllegalStateException.class, store::verify);
    }

    @Test
    void keysAreThePrefixFollowedByTheKey() {
        String prefix = TestRedis.uniquePrefix();
        try (RateLimiter limiter = RateLimiter.builder().rules(THREE).store(TestRedis.patientStore()
                     .url(TestRedis.url()).keyPrefix(prefix).build()).build();
             Jedis jedis = KeyTtlTest.jedis()) {
            limiter.tryAcquire("user:42");
            assertEquals(java.util.List.of(prefix + "user:42"),
                    KeyTtlTest.scan(jedis, prefix + "*"));
        }
    }
}
