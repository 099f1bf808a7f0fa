package dev.ratelimiter.redis;

import java.time.Duration;
import java.util.LinkedHashSet;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.UnifiedJedis;

/**
 * How the store reaches Redis from its own settings: the client configuration every connection
 * uses (timeouts, credentials, TLS, database), and the pooled Jedis client that the
 * compare-and-swap strategy runs on. Stateless.
 */
final class PooledClients {

    private PooledClients() {
    }

    /** The configuration of every connection the store opens to {@code t}. */
    static JedisClientConfig clientConfig(RedisTarget t, Duration connectTimeout,
                                          Duration readTimeout) {
        DefaultJedisClientConfig.Builder cc = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis(connectTimeout))
                .socketTimeoutMillis(millis(readTimeout));
        if (t.ssl) {
            // JVM trust store, certificate and host name verified.
            cc.sslOptions(SslOptions.defaults());
        }
        if (t.user != null) {
            cc.user(t.user);
        }
        if (t.password != null) {
            cc.password(t.password);
        }
        if (!t.cluster) {
            cc.database(t.database);
        }
        return cc.build();
    }

    /**
     * A pooled client: {@code RedisClient} or {@code RedisClusterClient} (which reads the slot
     * map now).
     */
    static UnifiedJedis pooled(RedisTarget t, JedisClientConfig config, int poolMaxTotal,
                               Duration poolMaxWait, Duration retriesBound) {
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(poolMaxTotal);
        pool.setMaxIdle(poolMaxTotal);
        pool.setMinIdle(0);
        pool.setBlockWhenExhausted(true);
        pool.setMaxWait(poolMaxWait);
        if (t.cluster) {
            return RedisClusterClient.builder()
                    .nodes(new LinkedHashSet<>(t.nodes))
                    .clientConfig(config)
                    .poolConfig(pool)
                    .maxAttempts(3)
                    .maxTotalRetriesDuration(retriesBound)
                    .build();
        }
        return RedisClient.builder()
                .hostAndPort(t.nodes.get(0))
                .clientConfig(config)
                .poolConfig(pool)
                .build();
    }

    /** After a connection error, idle pooled connections probably point at a dead server. */
    static void dropIdleConnections(UnifiedJedis client, redis.clients.jedis.util.Pool<?> pool) {
        try {
            if (client instanceof RedisClient rc) {
                rc.getPool().clear();
            } else if (client instanceof RedisClusterClient rcc) {
                for (ConnectionPool p : rcc.getClusterNodes().values()) {
                    p.clear();
                }
            } else if (pool != null) {
                pool.clear();
            }
        } catch (RuntimeException ignored) {
            // Best effort: a pool that cannot be cleared now is cleared on the next error.
        }
    }

    static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }
}
