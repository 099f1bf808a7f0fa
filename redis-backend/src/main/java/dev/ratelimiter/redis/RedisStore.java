package dev.ratelimiter.redis;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.ratelimiter.Ticker;
import dev.ratelimiter.spi.BucketSpec;
import dev.ratelimiter.spi.BucketStore;
import dev.ratelimiter.spi.StoreOverloadedException;
import dev.ratelimiter.spi.StoreUnavailableException;
import dev.ratelimiter.spi.TokenBucket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.Pool;

/**
 * Bucket state in Redis or Redis Cluster, shared by every JVM that points at the same server
 * and key prefix: two services with the same rules enforce one limit together.
 *
 * <pre>{@code
 * RedisStore store = RedisStore.builder().url("redis://redis.internal:6379").build();
 * RateLimiter limiter = RateLimiter.builder().rules(rules).store(store).build();
 * }</pre>
 *
 * <p>How it works depends on the {@link RedisStoreBuilder#strategy strategy}. With
 * {@link RedisStrategy#SCRIPT} (the default) each key is one Redis string
 * {@code <keyPrefix><key>} holding every limit of the policy, and each check is one
 * {@code EVALSHA} that refills, decides and consumes inside Redis: one round trip, no retries,
 * however many JVMs share the key. With {@link RedisStrategy#CAS} each key is one Redis string
 * holding the Bucket4j bucket state, updated with Bucket4j's compare-and-swap. Either way: one
 * key per bucket and no multi-key command, so it is safe in Redis Cluster; every write sets a
 * TTL of the time the bucket needs to refill to full plus
 * {@link RedisStoreBuilder#keyTtlKeepAlive keyTtlKeepAlive}.
 *
 * <p><b>Automatic pipelining</b> (script strategy, store built from a URL or cluster nodes):
 * the checks of every thread share {@link RedisStoreBuilder#connectionsPerNode two connections per
 * Redis node}. Commands that queue while a round trip is in flight go out together in the next
 * write and their replies are matched in order; a hot key's concurrent checks are first merged
 * into one {@code EVALSHA} (batching), which then rides the same pipeline. The pipeline has no
 * threads of its own: the caller that finds the connection idle writes everything queued and
 * reads the replies for everyone (see {@code NodePipeline}); a lone caller pays one plain round
 * trip. On Redis Cluster, keys are routed by slot to their master, and the store follows
 * {@code MOVED}, {@code ASK} and failovers (one daemon thread refreshes the slot map). A store
 * given a Jedis client or pool of the caller's does not pipeline: each check is a blocking call
 * on that client.
 *
 * <p><b>Failures and overload are different things.</b> What Redis did (refused or reset a
 * connection, did not answer a sent command in time, answered with an error) is a
 * {@link StoreUnavailableException}, which the engine's failure policy and circuit breaker see.
 * What this JVM could not do in time (its queue for a node was full, a check's deadline passed
 * before it was written, a {@code cas} call found no free pooled connection) is a
 * {@link StoreOverloadedException}: the engine answers it as overload, never through the failure
 * policy, so a traffic spike cannot turn a fail-open limiter into no limiter.
 *
 * <p><b>Worst-case latency.</b> Under the script strategy a check returns or throws within its
 * one {@link RedisStoreBuilder#timeout timeout} (default 500 ms), measured from when it was
 * queued, whatever Redis does: the wait in the per-key batch, the queue, the write and the reply
 * all count against it (plus thread scheduling). One exception, by construction of the pipeline:
 * the caller that is carrying a round trip for others (the "leader", see {@code NodePipeline})
 * reads that round trip's replies until the latest deadline in it, and opens the connection if
 * it is closed; when Redis stops answering, that one caller can take up to
 * {@code 2 x timeout + connectTimeout + readTimeout} (1 s + 200 ms + 500 ms = 1.7 s with the
 * defaults). With Redis healthy, checks take a round trip plus queueing (sub-millisecond to a
 * few milliseconds on a loaded machine). Under the {@code cas} strategy a check costs at
 * most about {@code requestTimeout + max(poolMaxWait, connectTimeout) + readTimeout}
 * (500 + 200 + 500 ms with the defaults).
 *
 * <p><b>Rules changes</b> ({@code RateLimiter.updateRules}): a key whose policy's limits changed
 * keeps the tokens it used, by the rule every store follows, under both strategies: the script
 * moves the stored state when it sees another policy's signature ({@link RedisScripts}, "Policy
 * moves"), and under CAS the stored Bucket4j state is moved with a compare-and-swap
 * ({@link CasMigration}) before the new configuration is used. Within this JVM a key moves only to
 * newer rules.
 *
 * <p>Thread-safe. Time comes from the {@link RedisStoreBuilder#ticker ticker} (default
 * {@link Ticker#wallClock()}, which every JVM sharing the store must agree on): the script
 * receives the client's time with each call. A JVM whose clock is behind cannot mint tokens: a
 * bucket's last refill time only moves forward. A store built from a URL or cluster nodes owns
 * its connections and threads and closes them in {@link #close()}; a client passed in by the
 * caller stays the caller's to close.
 */
public final class RedisStore implements BucketStore {

    /** The default key prefix. */
    public static final String DEFAULT_KEY_PREFIX = "ratelimiter:";
    /** The default deadline of one check (script strategy), from when it is queued: 500 ms. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(500);
    /** The default connect timeout (TCP and handshake): 200 ms. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofMillis(200);
    /** The default read (socket) timeout: 500 ms. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofMillis(500);
    /** The default bound on one check's compare-and-swap loop: 500 ms. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofMillis(500);
    /** The default wait for a pooled connection (cas strategy): 200 ms. */
    public static final Duration DEFAULT_POOL_MAX_WAIT = Duration.ofMillis(200);
    /** The default number of pooled connections per node (cas strategy): 16. */
    public static final int DEFAULT_POOL_MAX_TOTAL = 16;
    /** The default number of pipelined connections per node (script strategy): 2. */
    public static final int DEFAULT_CONNECTIONS_PER_NODE = 2;
    /** The default bound on commands queued for one node and not yet written: 4,096. */
    public static final int DEFAULT_MAX_QUEUED_COMMANDS = 4096;
    /** The default time a key outlives its refill to full: 5 s. */
    public static final Duration DEFAULT_KEY_TTL_KEEP_ALIVE = Duration.ofSeconds(5);
    /** The default bound on cached per-key proxies: 10,000. */
    public static final int DEFAULT_MAX_CACHED_KEYS = 10_000;

    private final String description;
    private final String keyPrefix;
    private final RedisStrategy strategy;
    /** Each key's bucket and the spec it was made for. */
    private final Cache<String, Held> buckets;
    private final UnifiedJedis client;
    private final Pool<Jedis> jedisPool;
    private final boolean ownsClient;
    private final RedisPipelines pipelines;
    private final ScriptStrategy script;
    private final CasStrategy cas;
    private final StoreErrors errors;
    private final long timeoutNanos;
    private final AtomicBoolean closed = new AtomicBoolean();

    RedisStore(RedisStoreBuilder b) {
        this.keyPrefix = b.keyPrefix;
        this.strategy = b.strategy;
        this.timeoutNanos = b.timeout.toNanos();
        String desc = b.client != null ? "(client " + b.client.getClass().getSimpleName() + ")"
                : b.jedisPool != null ? "(JedisPool)" : b.target.toString();
        this.description = desc;
        UnifiedJedis[] own = new UnifiedJedis[1];
        this.errors = new StoreErrors(desc,
                () -> PooledClients.dropIdleConnections(own[0], b.jedisPool));
        UnifiedJedis c = b.client;
        RedisPipelines p = null;
        boolean owns = false;
        if (c == null && b.jedisPool == null) {
            JedisClientConfig config = PooledClients.clientConfig(b.target, b.connectTimeout,
                    b.readTimeout);
            try {
                c = PooledClients.pooled(b.target, config, b.poolMaxTotal, b.poolMaxWait,
                        b.requestTimeout.plus(b.readTimeout));
                owns = true;
                if (b.strategy == RedisStrategy.SCRIPT) {
                    p = new RedisPipelines(b.target, config, b.connectionsPerNode,
                            b.maxQueuedCommands, timeoutNanos, errors);
                }
            } catch (RuntimeException e) {
                if (c != null) {
                    c.close();
                }
                throw errors.unavailable(e);
            }
        }
        own[0] = c;
        this.client = c;
        this.jedisPool = b.jedisPool;
        this.ownsClient = owns;
        this.pipelines = p;
        this.cas = new CasStrategy(c, b.jedisPool, b.ticker, b.requestTimeout, b.keyTtlKeepAlive,
                b.batching, errors);
        long keepAliveMs = b.keyTtlKeepAlive.toMillis();
        this.script = b.strategy != RedisStrategy.SCRIPT ? null : p != null
                ? ScriptStrategy.pipelined(desc, keepAliveMs, b.ticker, b.batching, p, errors)
                : ScriptStrategy.pooled(desc, keepAliveMs, b.ticker, b.batching, c, b.jedisPool,
                        timeoutNanos, errors);
        // Maintenance (eviction, buffer drains) runs on the checking threads, amortized: the
        // default hands it to ForkJoinPool.commonPool, a thread wake-up each time, which cost
        // checks on many keys context switches they did not need.
        this.buckets = Caffeine.newBuilder().maximumSize(b.maxCachedKeys).executor(Runnable::run)
                .build();
    }

    /**
     * Starts a store configuration.
     *
     * @return a new builder; set one of {@code url}, {@code clusterNodes}, {@code client} or
     *     {@code jedisPool}
     */
    public static RedisStoreBuilder builder() {
        return new RedisStoreBuilder();
    }

    /** A key's cached bucket and the spec it was made for. */
    private record Held(BucketSpec spec, TokenBucket bucket) {
    }

    @Override
    public TokenBucket bucket(String key, BucketSpec spec) {
        checkOpen();
        Held held = buckets.getIfPresent(key);
        if (held == null) {
            held = buckets.get(key, k -> new Held(spec, newBucket(k, spec)));
        }
        if (held.spec == spec || !spec.supersedes(held.spec)) {
            return held.bucket; // the hit path; or a stale check: the key stays on newer rules
        }
        return moved(key, held, spec).bucket;
    }

    /**
     * The key's policy changed in this JVM (see {@code RateLimiter.updateRules}). The same limits:
     * the bucket is kept. Otherwise: under the script strategy a bucket for the new policy, whose
     * first call moves the stored state (the script sees another signature; see
     * {@link RedisScripts}); under CAS the stored Bucket4j state is moved first
     * ({@link CasMigration}), then a proxy for the new configuration is cached. A move between
     * the script and its CAS fallback (a policy whose numbers the script cannot keep exact)
     * cannot carry the state over, the formats differ: the key is deleted and starts full.
     */
    private Held moved(String key, Held held, BucketSpec spec) {
        Held next;
        if (held.spec.sameLimits(spec)) {
            next = new Held(spec, held.bucket);
        } else {
            TokenBucket bucket = newBucket(key, spec);
            boolean scriptBefore = held.bucket instanceof ScriptTokenBucket;
            boolean scriptAfter = bucket instanceof ScriptTokenBucket;
            if (scriptBefore != scriptAfter) {
                // The policy moved between the script and the CAS fallback (numbers the script
                // cannot keep exact): the stored formats differ, so the key starts full.
                try {
                    cas.remove(keyPrefix + key);
                } catch (RuntimeException e) {
                    throw errors.translate(e);
                }
            } else if (!scriptAfter) {
                cas.move(keyPrefix + key, spec);
            }
            next = new Held(spec, bucket);
        }
        return buckets.asMap().compute(key, (k, h) ->
                h != null && h.spec != held.spec && !spec.supersedes(h.spec) ? h : next);
    }

    private TokenBucket newBucket(String key, BucketSpec spec) {
        if (script != null) {
            TokenBucket b = script.bucket(keyPrefix + key, spec);
            if (b != null) {
                return b;
            }
        }
        return cas.bucket(keyPrefix + key, spec);
    }

    /** @return the strategy this store uses for every policy the script supports */
    public RedisStrategy strategy() {
        return strategy;
    }

    @Override
    public void remove(String key) {
        checkOpen();
        buckets.invalidate(key);
        if (pipelines != null) {
            byte[] k = (keyPrefix + key).getBytes(StandardCharsets.UTF_8);
            pipelines.execute(new CommandArguments(Protocol.Command.DEL).key(k), k, null,
                    System.nanoTime() + timeoutNanos);
            return;
        }
        try {
            cas.remove(keyPrefix + key);
        } catch (RuntimeException e) {
            throw errors.translate(e);
        }
    }

    /**
     * Sends a {@code PING} (to every master of a cluster): a way to check the URL, credentials
     * and reachability at start-up.
     *
     * @throws StoreUnavailableException if Redis does not answer, naming the store and the cause
     *     (unreachable, credentials rejected, timed out)
     */
    public void verify() {
        checkOpen();
        if (pipelines != null) {
            pipelines.ping();
            return;
        }
        try {
            if (client != null) {
                client.ping();
            } else {
                try (Jedis jedis = jedisPool.getResource()) {
                    jedis.ping();
                }
            }
        } catch (RuntimeException e) {
            throw errors.translate(e);
        }
    }

    /**
     * The Redis key that holds a limiter key's bucket: the prefix followed by the key.
     *
     * @param key the limiter's key
     * @return the Redis key
     */
    public String redisKey(String key) {
        return keyPrefix + key;
    }

    /** @return how many per-key buckets are cached now (at most {@code maxCachedKeys}) */
    public long cachedKeys() {
        buckets.cleanUp();
        return buckets.estimatedSize();
    }

    /** @return whether checks go through the automatic pipeline (script strategy, own client) */
    public boolean pipelined() {
        return pipelines != null;
    }

    /** @return commands waiting in this JVM to be written to Redis (0 when not pipelined) */
    int queuedCommands() {
        return pipelines == null ? 0 : pipelines.queued();
    }

    @Override
    public boolean isLocal() {
        return false;
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        buckets.invalidateAll();
        if (pipelines != null) {
            pipelines.close();
        }
        if (ownsClient) {
            client.close();
        }
    }

    @Override
    public String toString() {
        return "RedisStore[" + description + ", prefix=" + keyPrefix + ", strategy="
                + strategy.name().toLowerCase(Locale.ROOT) + (pipelines != null
                ? ", pipelined" : "") + "]";
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("RedisStore " + description + " is closed");
        }
    }
}
