package dev.ratelimiter.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ratelimiter.Limit;
import dev.ratelimiter.Policy;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.Rules;
import dev.ratelimiter.redis.testing.RedisProcess;
import dev.ratelimiter.redis.testing.TestRedis;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Everything {@link RedisClusterTest} proves (the whole conformance suite, exactness over two
 * pools on every master, keys spread with TTLs), on the script strategy; plus the script being
 * reloaded on every master after {@code SCRIPT FLUSH}.
 */
class ScriptClusterTest extends RedisClusterTest {

    @Override
    protected RedisStrategy strategy() {
        return RedisStrategy.SCRIPT;
    }

    @Test
    void scriptFlushOnEveryMasterMidRun_isAnsweredByReloading_withNoErrorAndNoDecisionChange() {
        Rules rules = Rules.of(Policy.of("ten", Limit.capacity(10)
                .refillIntervally(10, Duration.ofHours(1))));
        try (RateLimiter limiter = RateLimiter.builder().rules(rules)
                .store(RedisStore.builder().clusterNodes(cluster.nodes())
                        .strategy(RedisStrategy.SCRIPT).keyPrefix(TestRedis.uniquePrefix())
                        .ticker(clock).readTimeout(Duration.ofSeconds(2))
                        .connectTimeout(Duration.ofSeconds(2)).build())
                .build()) {
            long admitted = 0;
            for (int round = 0; round < 3; round++) {
                for (RedisProcess master : cluster.masters) {
                    try (Jedis jedis = master.jedis()) {
                        jedis.scriptFlush();
                    }
                }
                for (int k = 0; k < 30; k++) {
                    for (int i = 0; i < 4; i++) {
                        admitted += limiter.tryAcquire("flush:" + k, 3).allowed() ? 1 : 0;
                    }
                }
            }
            // 30 keys on all masters, 3 tokens of 10 each: 3 checks admitted per key, once.
            assertEquals(90, admitted);
        }
    }
}
