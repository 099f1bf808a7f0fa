package dev.ratelimiter.redis;

import dev.ratelimiter.redis.testing.RedisProcess;
import dev.ratelimiter.redis.testing.TestRedis;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.ManualClock;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.Rules;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two limiters with separate connection pools, 32 threads between them, one key of capacity C
 * and no refill: exactly C admitted, in each of 10 rounds, with and without batching.
 */
class RedisExactnessTest {

    static final long CAPACITY = 50;
    static final int THREADS = 32;
    static final int ROUNDS = 10;

    static RedisStore store(String prefix, ManualClock clock, boolean batching) {
        return RedisStore.builder()
                .url(TestRedis.url())
                .strategy(RedisStrategy.CAS) // batching is a CAS option; ScriptStrategyTest
                .keyPrefix(prefix)
                .ticker(clock)
                .batching(batching)
                .poolMaxTotal(THREADS / 2)
                .connectTimeout(Duration.ofSeconds(2))
                .readTimeout(Duration.ofSeconds(2))
                .requestTimeout(Duration.ofSeconds(10))
                .poolMaxWait(Duration.ofSeconds(2))
                .build();
    }

    @ParameterizedTest(name = "batching={0}")
    @ValueSource(booleans = {true, false})
    void twoPoolsThirtyTwoThreads_admitExactlyCapacity_everyRound(boolean batching)
            throws Exception {
        String prefix = TestRedis.uniquePrefix();
        ManualClock clock = new ManualClock(1_767_225_600_000_000_000L);
        Rules rules = Exactness.noRefill(CAPACITY);
        try (RateLimiter a = RateLimiter.builder().rules(rules)
                     .store(store(prefix, clock, batching)).build();
             RateLimiter b = RateLimiter.builder().rules(rules)
                     .store(store(prefix, clock, batching)).build()) {
            for (int round = 0; round < ROUNDS; round++) {
                String key = "exact:" + round;
                Exactness.round(a, b, key, CAPACITY, THREADS, 4);
                // Both instances see the one shared, empty bucket afterwards.
                assertFalse(a.tryAcquire(key).allowed());
                assertFalse(b.peek(key).allowed());
            }
            // Sanity: the stores really are shared: a reset on one refills for the other.
            a.reset("exact:0");
            assertTrue(b.tryAcquire("exact:0").allowed());
        }
    }
}
