package dev.ratelimiter.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.Decision;
import dev.ratelimiter.ManualClock;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.failure.FailurePolicy;
import dev.ratelimiter.redis.testing.RedisProcess;
import dev.ratelimiter.redis.testing.TestRedis;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * A master dies under a pipelined store and its replica takes over ({@code CLUSTER FAILOVER
 * TAKEOVER}, what an operator or the cluster's own election does): the checks that were in flight
 * fail as unavailable (what Redis did), the store refreshes its slot map, and within seconds the
 * key's checks are decided by the new master again, on the bucket state it replicated.
 */
class ClusterFailoverTest {

    private static RedisClusterFixture cluster;

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

    @Test
    void deadMasterReplacedByItsReplica_checksAreDecidedByTheNewMasterWithinSeconds()
            throws Exception {
        RedisProcess replica = cluster.addReplica(0);
        String prefix = TestRedis.uniquePrefix();
        ManualClock clock = new ManualClock(1_767_225_600_000_000_000L);
        // A key in master 0's slots (0..5460).
        String key = null;
        try (Jedis any = cluster.masters.get(0).jedis()) {
            for (int i = 0; key == null; i++) {
                if (any.clusterKeySlot(prefix + "user:" + i) <= 5460) {
                    key = "user:" + i;
                }
            }
        }
        try (RateLimiter limiter = RateLimiter.builder().rules(Exactness.noRefill(10))
                .store(RedisStore.builder().clusterNodes(cluster.nodes()).keyPrefix(prefix)
                        .ticker(clock).timeout(Duration.ofSeconds(2)).build())
                .onStoreFailure(FailurePolicy.FAIL_CLOSED)
                .circuitBreaker(3, Duration.ofMillis(100))
                .build()) {
            assertEquals(6, limiter.tryAcquire(key, 4).remaining());
            try (Jedis master = cluster.masters.get(0).jedis()) {
                assertEquals(1L, master.waitReplicas(1, 2_000), "replicated before the kill");
            }
            cluster.masters.get(0).kill();
            try (Jedis r = replica.jedis()) {
                r.clusterFailover(redis.clients.jedis.args.ClusterFailoverOption.TAKEOVER);
            }
            long start = System.nanoTime();
            long deadline = start + TimeUnit.SECONDS.toNanos(15);
            Decision d = limiter.tryAcquire(key);
            while (d.degraded() && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // polling the store itself, with a deadline
                d = limiter.tryAcquire(key);
            }
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(!d.degraded(), "still degraded 15 s after the failover: " + d);
            // The replica had the bucket: 10 - 4 - 1 = 5 left.
            assertEquals(5, d.remaining(), "" + d);
            System.out.printf("failover: decided by the new master %d ms after the takeover%n",
                    tookMs);
        }
    }
}
