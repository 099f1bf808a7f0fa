package dev.ratelimiter.redis;

import dev.ratelimiter.Ticker;
import dev.ratelimiter.spi.Bucket4jTokenBucket;
import dev.ratelimiter.spi.BucketSpec;
import dev.ratelimiter.spi.TimeMeters;
import dev.ratelimiter.spi.TokenBucket;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.Optimization;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.distributed.serialization.Mapper;
import io.github.bucket4j.redis.jedis.Bucket4jJedis;
import io.github.bucket4j.redis.jedis.RedisApi;
import java.time.Duration;
import java.util.List;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.Pool;

/**
 * {@link RedisStrategy#CAS}: each key's bucket is a Bucket4j proxy over Bucket4j's Jedis
 * compare-and-swap ({@code GET}, then an {@code EVAL} that writes only if unchanged), on the
 * store's pooled client: one pooled connection per in-flight call, no pipelining. Also serves the
 * policies the script strategy cannot keep exact.
 *
 * <p>Every failure goes through {@link StoreErrors} as the outermost Bucket4j optimization, so a
 * pool wait or a compare-and-swap loop out of time is overload and a Redis error is
 * unavailability, even when batching wraps it. Thread-safe.
 */
final class CasStrategy {

    private final ProxyManager<String> proxyManager;
    private final Optimization optimization;
    private final UnifiedJedis client;
    private final Pool<Jedis> pool;
    private final Ticker ticker;
    private final long keepAliveMs;
    private final StoreErrors errors;

    CasStrategy(UnifiedJedis client, Pool<Jedis> pool, Ticker ticker, Duration requestTimeout,
                Duration keyTtlKeepAlive, boolean batching, StoreErrors errors) {
        this.client = client;
        this.pool = pool;
        this.ticker = ticker;
        this.keepAliveMs = keyTtlKeepAlive.toMillis();
        this.errors = errors;
        RedisApi api = (client != null
                ? Bucket4jJedis.casBasedBuilder(client)
                : Bucket4jJedis.casBasedBuilder(pool)).getRedisApi();
        this.proxyManager = new Bucket4jJedis.JedisBasedProxyManagerBuilder<>(Mapper.STRING, api)
                .clientClock(TimeMeters.of(ticker, true))
                .requestTimeout(requestTimeout)
                .expirationAfterWrite(ExpirationAfterWriteStrategy
                        .basedOnTimeForRefillingBucketUpToMax(keyTtlKeepAlive))
                .build();
        this.optimization = errors.around(
                batching ? Optimizations.batching() : Optimization.NONE_OPTIMIZED);
    }

    TokenBucket bucket(String redisKey, BucketSpec spec) {
        return new Bucket4jTokenBucket(proxyManager.builder()
                .withOptimization(optimization)
                .build(redisKey, spec::configuration), spec);
    }

    /**
     * Moves the key's stored state to {@code next} by the policy-move rule
     * ({@link CasMigration}), before a proxy for {@code next} is used.
     */
    void move(String redisKey, BucketSpec next) {
        CasMigration.move(this::commands, redisKey, next, ticker.read(), keepAliveMs, errors);
    }

    /** GET and EVAL on the key's node, for {@link CasMigration}. */
    private CasMigration.Commands commands() {
        if (client != null) {
            return new CasMigration.Commands() {
                @Override
                public byte[] get(byte[] key) {
                    return client.get(key);
                }

                @Override
                public Object eval(byte[] script, List<byte[]> keys, List<byte[]> args) {
                    return client.eval(script, keys, args);
                }
            };
        }
        return new CasMigration.Commands() {
            @Override
            public byte[] get(byte[] key) {
                try (Jedis jedis = pool.getResource()) {
                    return jedis.get(key);
                }
            }

            @Override
            public Object eval(byte[] script, List<byte[]> keys, List<byte[]> args) {
                try (Jedis jedis = pool.getResource()) {
                    return jedis.eval(script, keys, args);
                }
            }
        };
    }

    /** Deletes the key (either strategy's format). */
    void remove(String redisKey) {
        proxyManager.removeProxy(redisKey);
    }
}
