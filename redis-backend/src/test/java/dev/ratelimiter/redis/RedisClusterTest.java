package dev.ratelimiter.redis;

import dev.ratelimiter.redis.testing.RedisProcess;
import dev.ratelimiter.redis.testing.TestRedis;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.ManualClock;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.RateLimiterConformanceTest;
import dev.ratelimiter.Rules;
import dev.ratelimiter.spi.BucketStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Redis Cluster: a real 3-master cluster started by the test. The whole conformance suite runs on
 * it (inherited), plus exactness across two pools and a check that keys land on all three masters,
 * each with a TTL. This class runs the compare-and-swap strategy; {@link ScriptClusterTest} runs
 * everything again on the script strategy.
 */
class RedisClusterTest extends RateLimiterConformanceTest {

    static RedisClusterFixture cluster;

    @BeforeAll
    static void startCluster() {
        cluster = new RedisClusterFixture();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** @return the strategy every store in this class uses */
    protected RedisStrategy strategy() {
        return RedisStrategy.CAS;
    }

    private RedisStore clusterStore(String prefix, ManualClock clock, int pool) {
        return TestRedis.patientStore()
                .clusterNodes(cluster.nodes())
                .strategy(strategy())
                .keyPrefix(prefix)
                .ticker(clock)
                .poolMaxTotal(pool)
                .requestTimeout(Duration.ofSeconds(10))
                .keyTtlKeepAlive(Duration.ofSeconds(60))
                .build();
    }

    @Override
    protected BucketStore newStore(ManualClock clock) {
        return clusterStore(TestRedis.uniquePrefix(), clock, 32);
    }

    @Test
    void keysSpreadOverAllThreeMasters_andEveryOneHasATtl() {
        String prefix = TestRedis.uniquePrefix();
        try (RateLimiter limiter = RateLimiter.builder()
                .store(clusterStore(prefix, clock, 8)).sleeper(clock).build()) {
            for (int i = 0; i < 300; i++) {
                assertTrue(limiter.tryAcquire("user:" + i).allowed());
            }
        }
        List<Integer> perMaster = new ArrayList<>();
        for (RedisProcess master : cluster.masters) {
            try (Jedis jedis = master.jedis()) {
                perMaster.add(KeyTtlTest.assertEveryKeyHasTtl(jedis, prefix));
            }
        }
        assertEquals(300, perMaster.stream().mapToInt(Integer::intValue).sum(), "" + perMaster);
        assertTrue(perMaster.stream().allMatch(n -> n > 50), "keys per master " + perMaster);
    }

    @Test
    void twoPoolsThirtyTwoThreads_admitExactlyCapacity_onEveryMaster() throws Exception {
        String prefix = TestRedis.uniquePrefix();
        Rules rules = Exactness.noRefill(RedisExactnessTest.CAPACITY);
        try (RateLimiter a = RateLimiter.builder().rules(rules)
                     .store(clusterStore(prefix, clock, 16)).build();
             RateLimiter b = RateLimiter.builder().rules(rules)
                     .store(clusterStore(prefix, clock, 16)).build()) {
            java.util.Set<Long> mastersVisited = new java.util.TreeSet<>();
            for (int round = 0; round < RedisExactnessTest.ROUNDS; round++) {
                // Different keys hash to different slots, so the rounds visit every master.
                String key = "exact:" + round;
                Exactness.round(a, b, key, RedisExactnessTest.CAPACITY,
                        RedisExactnessTest.THREADS, 4);
                try (Jedis jedis = cluster.masters.get(0).jedis()) {
                    long slot = jedis.clusterKeySlot(prefix + key);
                    mastersVisited.add(slot <= 5460 ? 0L : slot <= 10922 ? 1L : 2L);
                }
            }
            assertEquals(3, mastersVisited.size(), "masters visited " + mastersVisited);
        }
    }
}
