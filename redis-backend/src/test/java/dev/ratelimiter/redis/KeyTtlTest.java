package dev.ratelimiter.redis;

import dev.ratelimiter.redis.testing.RedisProcess;
import dev.ratelimiter.redis.testing.TestRedis;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.Limit;
import dev.ratelimiter.ManualClock;
import dev.ratelimiter.Policy;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.Rules;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/** Every key the store writes has a TTL: scans the keyspace (SCAN, never KEYS) after a run. */
class KeyTtlTest {

    static List<String> scan(Jedis jedis, String pattern) {
        List<String> keys = new ArrayList<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        ScanParams params = new ScanParams().match(pattern).count(500);
        do {
            ScanResult<String> page = jedis.scan(cursor, params);
            keys.addAll(page.getResult());
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        return keys;
    }

    /** Fails naming every key under {@code prefix} without a TTL; returns how many were seen. */
    static int assertEveryKeyHasTtl(Jedis jedis, String prefix) {
        List<String> keys = scan(jedis, prefix + "*");
        List<String> immortal = new ArrayList<>();
        for (String key : keys) {
            if (jedis.pttl(key) < 0) {
                immortal.add(key);
            }
        }
        assertEquals(List.of(), immortal, "keys without a TTL (pttl < 0)");
        return keys.size();
    }

    @Test
    void afterAMixedWorkload_everyKeyHasATtl_ofRefillTimePlusKeepAlive() throws Exception {
        String prefix = TestRedis.uniquePrefix();
        ManualClock clock = new ManualClock(1_767_225_600_000_000_000L);
        Rules rules = Rules.builder(Policy.of("default",
                        Limit.capacity(10).refillGreedy(10, Duration.ofSeconds(1))))
                .pattern("slow:*", Policy.of("slow",
                        Limit.capacity(5).refillGreedy(1, Duration.ofMinutes(1)),
                        Limit.capacity(100).refillIntervally(100, Duration.ofHours(1))))
                .build();
        RedisStore store = RedisStore.builder().url(TestRedis.url()).keyPrefix(prefix)
                .ticker(clock).keyTtlKeepAlive(Duration.ofSeconds(5))
                .readTimeout(Duration.ofSeconds(2)).requestTimeout(Duration.ofSeconds(5))
                .build();
        try (RateLimiter limiter = RateLimiter.builder().rules(rules).store(store)
                .sleeper(clock).build();
             Jedis jedis = jedis()) {
            for (int i = 0; i < 200; i++) {
                limiter.tryAcquire("k" + (i % 37), 1 + i % 3);
                limiter.tryAcquire("slow:" + (i % 11));
            }
            limiter.tryAcquire("over", 11);
            limiter.peek("peeked");
            limiter.acquire("waited", 10, Duration.ZERO);
            limiter.acquire("waited", 5, Duration.ofSeconds(1)); // reserves: bucket below zero
            limiter.reset("k1");
            limiter.tryAcquireAsync("async", 1).get();

            int seen = assertEveryKeyHasTtl(jedis, prefix);
            assertTrue(seen >= 37 + 11, "saw " + seen + " keys");

            // A drained fast bucket lives its refill (1 s) plus the keep-alive (5 s), no more.
            limiter.tryAcquire("drained", 10);
            long pttl = jedis.pttl(prefix + "drained");
            assertTrue(pttl > 5_000 && pttl <= 6_000, "pttl " + pttl);
            // The slow policy's hourly limit dominates its time to full.
            long slow = jedis.pttl(prefix + "slow:0");
            assertTrue(slow > 3_000_000 && slow <= 3_605_000, "pttl " + slow);
        }
    }

    static Jedis jedis() {
        URI uri = URI.create(TestRedis.url());
        return new Jedis(uri);
    }
}
