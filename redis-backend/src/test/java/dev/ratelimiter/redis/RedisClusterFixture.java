package dev.ratelimiter.redis;

import dev.ratelimiter.redis.testing.RedisProcess;
import dev.ratelimiter.redis.testing.TestRedis;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import redis.clients.jedis.Jedis;

/**
 * A real 3-master Redis Cluster on loopback, built the way an operator would without
 * {@code redis-cli --cluster}: three {@code --cluster-enabled yes} servers, slots assigned with
 * {@code CLUSTER ADDSLOTS}, nodes introduced with {@code CLUSTER MEET}, then a wait (polling,
 * with a deadline) until every node reports {@code cluster_state:ok}.
 */
final class RedisClusterFixture implements AutoCloseable {

    static final int SLOTS = 16384;

    final List<RedisProcess> masters = new ArrayList<>();
    final List<RedisProcess> replicas = new ArrayList<>();

    RedisClusterFixture() {
        try {
            for (int i = 0; i < 3; i++) {
                masters.add(RedisProcess.startClusterNode());
            }
            int[][] ranges = {{0, 5460}, {5461, 10922}, {10923, SLOTS - 1}};
            for (int i = 0; i < 3; i++) {
                try (Jedis jedis = masters.get(i).jedis()) {
                    jedis.clusterAddSlots(IntStream.rangeClosed(ranges[i][0], ranges[i][1])
                            .toArray());
                }
            }
            try (Jedis first = masters.get(0).jedis()) {
                for (int i = 1; i < 3; i++) {
                    first.clusterMeet("127.0.0.1", masters.get(i).port());
                }
            }
            awaitClusterOk();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void awaitClusterOk() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String info = "";
        while (System.nanoTime() < deadline) {
            boolean allOk = true;
            for (RedisProcess m : masters) {
                try (Jedis jedis = m.jedis()) {
                    info = jedis.clusterInfo();
                    allOk &= info.contains("cluster_state:ok")
                            && info.contains("cluster_known_nodes:3")
                            && info.contains("cluster_slots_ok:" + SLOTS);
                }
            }
            if (allOk) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // polling, with a deadline
        }
        throw new IllegalStateException("cluster not ok within 30 s: " + info);
    }

    /**
     * Starts a replica of master {@code index}, joins it to the cluster and waits (polling, with
     * a deadline) until it has synchronised with its master.
     *
     * @return the replica
     */
    RedisProcess addReplica(int index) {
        RedisProcess replica = RedisProcess.startClusterNode();
        replicas.add(replica);
        String masterId;
        try (Jedis master = masters.get(index).jedis()) {
            masterId = master.clusterMyId();
        }
        for (RedisProcess m : masters) {
            try (Jedis jedis = m.jedis()) {
                jedis.clusterMeet("127.0.0.1", replica.port());
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Jedis r = replica.jedis()) {
            while (true) {
                try {
                    r.clusterReplicate(masterId);
                    break;
                } catch (RuntimeException notYetKnown) {
                    if (System.nanoTime() > deadline) {
                        throw notYetKnown;
                    }
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // polling, deadline
            }
            while (!r.info("replication").contains("master_link_status:up")
                    || !everyMasterSees(replica.port())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("replica never synchronised");
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // polling, deadline
            }
        }
        return replica;
    }

    private boolean everyMasterSees(int replicaPort) {
        for (RedisProcess m : masters) {
            try (Jedis jedis = m.jedis()) {
                String nodes = jedis.clusterNodes();
                if (!nodes.contains(":" + replicaPort + "@") || !nodes.lines()
                        .filter(l -> l.contains(":" + replicaPort + "@"))
                        .anyMatch(l -> l.contains("slave"))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Seed nodes for {@code RedisStoreBuilder.clusterNodes}. */
    String nodes() {
        StringBuilder sb = new StringBuilder();
        for (RedisProcess m : masters) {
            sb.append(sb.length() == 0 ? "" : ",").append("127.0.0.1:").append(m.port());
        }
        return sb.toString();
    }

    @Override
    public void close() {
        for (RedisProcess m : masters) {
            m.close();
        }
        for (RedisProcess r : replicas) {
            r.close();
        }
    }
}
