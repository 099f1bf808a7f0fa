package dev.ratelimiter.redis;

import dev.ratelimiter.Limit;
import dev.ratelimiter.Ticker;
import dev.ratelimiter.spi.BucketSpec;
import dev.ratelimiter.spi.StoreOverloadedException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.util.Pool;

/**
 * {@link RedisStrategy#SCRIPT}: makes each key's {@link ScriptTokenBucket} and runs its
 * {@code EVALSHA}s, through the store's {@link RedisPipelines} (the default: every thread's
 * checks share a few pipelined connections) or, when the caller handed the store a Jedis client
 * or pool of their own, through that client (one blocking round trip per check).
 *
 * <p>A policy whose numbers the script cannot keep exact (see {@link ScriptTokenBucket#supports})
 * is answered with null, and the store serves it with {@link CasStrategy}. Thread-safe.
 */
final class ScriptStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(ScriptStrategy.class);
    /** Marks a policy the script cannot compute exactly. */
    private static final ScriptTokenBucket.Args UNSUPPORTED =
            new ScriptTokenBucket.Args(new byte[0], new byte[0], 0, new byte[0]);
    static final byte[] SCRIPT_SHA =
            RedisScripts.TOKEN_BUCKET_SHA.getBytes(StandardCharsets.US_ASCII);
    static final byte[] SCRIPT = RedisScripts.TOKEN_BUCKET.getBytes(StandardCharsets.UTF_8);

    private final String description;
    private final long keepAliveMs;
    private final Ticker ticker;
    private final boolean batching;
    private final ScriptTokenBucket.ScriptRunner runner;
    /** Per distinct list of limits, not per spec: every rules reload makes new specs. */
    private final ConcurrentMap<List<Limit>, ScriptTokenBucket.Args> args =
            new ConcurrentHashMap<>();

    private ScriptStrategy(String description, long keepAliveMs, Ticker ticker, boolean batching,
                           ScriptTokenBucket.ScriptRunner runner) {
        this.description = description;
        this.keepAliveMs = keepAliveMs;
        this.ticker = ticker;
        this.batching = batching;
        this.runner = runner;
    }

    /** Every {@code EVALSHA} through the pipelines; each check's deadline is {@code timeout}. */
    static ScriptStrategy pipelined(String description, long keepAliveMs, Ticker ticker,
                                    boolean batching, RedisPipelines pipelines,
                                    StoreErrors errors) {
        return new ScriptStrategy(description, keepAliveMs, ticker, batching,
                new PipelinedRunner(pipelines, errors));
    }

    /** Every {@code EVALSHA} on the caller's own client or pool (no pipelining). */
    static ScriptStrategy pooled(String description, long keepAliveMs, Ticker ticker,
                                 boolean batching, UnifiedJedis client, Pool<Jedis> pool,
                                 long timeoutNanos, StoreErrors errors) {
        return new ScriptStrategy(description, keepAliveMs, ticker, batching,
                new PooledRunner(client, pool, timeoutNanos, errors));
    }

    /**
     * @return the bucket, or null if the script cannot keep {@code spec}'s numbers exact
     */
    ScriptTokenBucket bucket(String redisKey, BucketSpec spec) {
        ScriptTokenBucket.Args a = args.computeIfAbsent(spec.policy().limits(),
                limits -> argsOrUnsupported(spec));
        if (a == UNSUPPORTED) {
            return null;
        }
        return new ScriptTokenBucket(redisKey, a, keepAliveMs, ticker, runner, batching);
    }

    private ScriptTokenBucket.Args argsOrUnsupported(BucketSpec spec) {
        if (ScriptTokenBucket.supports(spec)) {
            return ScriptTokenBucket.args(spec);
        }
        LOG.warn("RedisStore {}: policy '{}' has numbers the script cannot keep exact below 2^53"
                + " (see RedisScripts); its keys use the cas strategy", description,
                spec.policy().name());
        return UNSUPPORTED;
    }

    /** One {@code EVALSHA} per call, queued on the pipeline of the key's node. */
    private static final class PipelinedRunner implements ScriptTokenBucket.ScriptRunner {
        private final RedisPipelines pipelines;
        private final StoreErrors errors;

        PipelinedRunner(RedisPipelines pipelines, StoreErrors errors) {
            this.pipelines = pipelines;
            this.errors = errors;
        }

        @Override
        @SuppressWarnings("unchecked")
        public List<Long> run(List<byte[]> key, List<byte[]> args, long deadline) {
            CommandArguments c = new CommandArguments(Protocol.Command.EVALSHA).add(SCRIPT_SHA)
                    .add(1);
            c.key(key.get(0));
            for (byte[] a : args) {
                c.add(a);
            }
            return (List<Long>) pipelines.execute(c, key.get(0), SCRIPT, deadline);
        }

        @Override
        public long timeoutNanos() {
            return pipelines.timeoutNanos();
        }

        @Override
        public StoreOverloadedException notSent() {
            return errors.overloaded("could not send a check within its timeout"
                    + " (ratelimiter.redis.timeoutMs = "
                    + TimeUnit.NANOSECONDS.toMillis(pipelines.timeoutNanos())
                    + "): it waited behind other checks on its key in this JVM");
        }
    }

    /**
     * One {@code EVALSHA} per call on a client the caller owns; after {@code NOSCRIPT} (the node
     * restarted, failed over, or ran {@code SCRIPT FLUSH}) one {@code EVAL} with the source,
     * which runs this call and caches the script for the next ones. The deadline is not
     * enforced here: the caller's client timeouts bound the call.
     */
    private static final class PooledRunner implements ScriptTokenBucket.ScriptRunner {
        private final UnifiedJedis client;
        private final Pool<Jedis> pool;
        private final long timeoutNanos;
        private final StoreErrors errors;

        PooledRunner(UnifiedJedis client, Pool<Jedis> pool, long timeoutNanos,
                     StoreErrors errors) {
            this.client = client;
            this.pool = pool;
            this.timeoutNanos = timeoutNanos;
            this.errors = errors;
        }

        @Override
        @SuppressWarnings("unchecked")
        public List<Long> run(List<byte[]> keys, List<byte[]> args, long deadline) {
            try {
                Object reply;
                if (client != null) {
                    try {
                        reply = client.evalsha(SCRIPT_SHA, keys, args);
                    } catch (JedisNoScriptException e) {
                        reply = client.eval(SCRIPT, keys, args);
                    }
                } else {
                    try (Jedis jedis = pool.getResource()) {
                        try {
                            reply = jedis.evalsha(SCRIPT_SHA, keys, args);
                        } catch (JedisNoScriptException e) {
                            reply = jedis.eval(SCRIPT, keys, args);
                        }
                    }
                }
                return (List<Long>) reply;
            } catch (RuntimeException e) {
                throw errors.translate(e);
            }
        }

        @Override
        public long timeoutNanos() {
            return timeoutNanos;
        }

        @Override
        public StoreOverloadedException notSent() {
            return errors.overloaded("could not send a check within its timeout: it waited"
                    + " behind other checks on its key in this JVM");
        }
    }
}
