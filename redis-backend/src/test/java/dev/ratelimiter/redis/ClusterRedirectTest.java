package dev.ratelimiter.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.Decision;
import dev.ratelimiter.ManualClock;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.redis.testing.RedisProcess;
import dev.ratelimiter.redis.testing.TestRedis;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisMovedDataException;

/**
 * A slot moves between masters while a pipelined store uses it, the way {@code redis-cli
 * --cluster reshard} moves it: the importing and migrating states ({@code ASK} for keys already
 * moved or new), {@code MIGRATE} of the key, then {@code SETSLOT NODE} ({@code MOVED} from the
 * old owner). Every check is answered, by whichever master holds the key, and the bucket's
 * state moves with it: no error, no decision changed.
 */
class ClusterRedirectTest {

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

    private static RedisProcess ownerOf(int slot) {
        return cluster.masters.get(slot <= 5460 ? 0 : slot <= 10922 ? 1 : 2);
    }

    /**
     * Waits (polling, with a deadline) until every master either serves {@code key} (the
     * owner) or answers {@code MOVED} to {@code owner}.
     */
    private static void awaitOwner(String key, RedisProcess owner) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            boolean agreed = true;
            for (RedisProcess m : cluster.masters) {
                try (Jedis j = m.jedis()) {
                    j.exists(key);
                    agreed &= m == owner;
                } catch (JedisMovedDataException moved) {
                    agreed &= moved.getTargetNode().getPort() == owner.port();
                } catch (JedisDataException other) {
                    agreed = false; // ASK or TRYAGAIN: still moving
                }
            }
            if (agreed) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("masters did not agree on the owner of " + key);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // polling, with a deadline
        }
    }

    @Test
    void slotMigration_askThenMoved_areFollowed_withTheBucketsStateIntact() {
        String prefix = TestRedis.uniquePrefix();
        ManualClock clock = new ManualClock(1_767_225_600_000_000_000L);
        String first = "{moving}a";
        String second = "{moving}b";
        try (RateLimiter limiter = RateLimiter.builder().rules(Exactness.noRefill(10))
                .store(TestRedis.patientStore().clusterNodes(cluster.nodes()).keyPrefix(prefix)
                        .ticker(clock).build()).build()) {
            int slot;
            try (Jedis any = cluster.masters.get(0).jedis()) {
                slot = (int) (long) any.clusterKeySlot(prefix + first);
            }
            RedisProcess source = ownerOf(slot);
            RedisProcess target = cluster.masters.get((cluster.masters.indexOf(source) + 1) % 3);
            assertEquals(7, limiter.tryAcquire(first, 3).remaining());

            try (Jedis src = source.jedis(); Jedis dst = target.jedis()) {
                String srcId = src.clusterMyId();
                String dstId = dst.clusterMyId();
                dst.clusterSetSlotImporting(slot, srcId);
                src.clusterSetSlotMigrating(slot, dstId);

                // A key the source does not have: ASK, answered by the target behind ASKING.
                assertEquals(6, limiter.tryAcquire(second, 4).remaining());
                assertEquals(1, dst.clusterCountKeysInSlot(slot), "created on the target");
                // A key still on the source: served there.
                assertEquals(4, limiter.tryAcquire(first, 3).remaining());

                // Move the key; the source now answers ASK for it, and its state came along.
                src.migrate("127.0.0.1", target.port(), prefix + first, 0, 5_000);
                assertEquals(3, limiter.tryAcquire(first, 1).remaining());

                // Finish the move: the source answers MOVED; the store updates its slot map.
                dst.clusterSetSlotNode(slot, dstId);
                src.clusterSetSlotNode(slot, dstId);
                for (RedisProcess other : cluster.masters) {
                    if (other != source && other != target) {
                        try (Jedis o = other.jedis()) {
                            o.clusterSetSlotNode(slot, dstId);
                        }
                    }
                }
                // As after a reshard, the store is asked once the masters agree on the owner:
                // until they do, a command can bounce between them (a clean-clone CI run once
                // saw 5 redirects in a row), which the store bounds and then fails.
                awaitOwner(prefix + first, target);
                assertEquals(2, limiter.tryAcquire(first, 1).remaining());
                assertEquals(5, limiter.tryAcquire(second, 1).remaining());
                Decision tooMuch = limiter.tryAcquire(first, 3);
                assertFalse(tooMuch.allowed());
                assertFalse(tooMuch.degraded());
                assertEquals(0, src.clusterCountKeysInSlot(slot));
                assertEquals(2, dst.clusterCountKeysInSlot(slot));
                assertTrue(limiter.tryAcquire(first, 2).allowed());
            }
        }
    }
}
