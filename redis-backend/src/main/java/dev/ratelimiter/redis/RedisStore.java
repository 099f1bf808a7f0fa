package dev.ratelimiter.redis;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.ratelimiter.Ticker;
import dev.ratelimiter.spi.Bucket4jTokenBucket;
import dev.ratelimiter.spi.BucketSpec;
import dev.ratelimiter.spi.BucketStore;
import dev.ratelimiter.spi.StoreUnavailableException;
import dev.ratelimiter.spi.TimeMeters;
import dev.ratelimiter.spi.TokenBucket;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.Optimization;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.distributed.serialization.Mapper;
import io.github.bucket4j.redis.jedis.Bucket4jJedis;
import io.github.bucket4j.redis.jedis.RedisApi;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;
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
 * <p>How it works depends on the {@link Builder#strategy strategy}. With
 * {@link RedisStrategy#SCRIPT} (the default) each key is one Redis string
 * {@code <keyPrefix><key>} holding every limit of the policy, and each check is one
 * {@code EVALSHA} that refills, decides and consumes inside Redis: one round trip, no retries,
 * however many JVMs share the key. With
 * {@link RedisStrategy#CAS} each key is one Redis string holding the Bucket4j bucket state,
 * updated with Bucket4j's compare-and-swap (a {@code GET}, then an {@code EVAL} that writes only
 * if the value is unchanged; retried on a lost race). Either way: one key per bucket and no
 * multi-key command, so it is safe in Redis Cluster; every write sets a TTL of the time the bucket
 * needs to refill to full plus {@link Builder#keyTtlKeepAlive keyTtlKeepAlive}: a key left alone
 * that long is full again, so expiring it changes no decision.
 *
 * <p>Hot keys: the store keeps one bucket per active key in a bounded cache (at most
 * {@link Builder#maxCachedKeys maxCachedKeys}). Under {@code CAS} it is a Bucket4j proxy with
 * {@code Optimizations.batching()}: checks that arrive on one key while a command for it is in
 * flight in this JVM are merged into a single compare-and-swap, so contention in one JVM costs one
 * round trip for the batch instead of a retry storm (across JVMs the retries remain). Under
 * {@code SCRIPT} checks that arrive on one key while one is in flight are sent together in the
 * next {@code EVALSHA}, which decides them in order.
 *
 * <p>Failures: every Redis error or timeout surfaces as {@link StoreUnavailableException} naming
 * the store and the cause. Build the limiter with {@code onStoreFailure(FailurePolicy...)} to
 * choose fail-open, fail-closed or a local fallback, and to stop calling a dead Redis.
 *
 * <p>Waits are bounded. The CAS loop stops at {@code requestTimeout} (the script strategy has no
 * loop); each Redis call waits at
 * most {@code poolMaxWait} for a pooled connection (or {@code connectTimeout} to open one) and
 * {@code readTimeout} for the reply. So a check costs at most about
 * {@code requestTimeout + max(poolMaxWait, connectTimeout) + readTimeout}: 20 + 10 + 15 = 45 ms
 * with the defaults.
 *
 * <p>Thread-safe. Time comes from the {@link Builder#ticker ticker} (default
 * {@link Ticker#wallClock()}, which every JVM sharing the store must agree on), under both
 * strategies: the script receives the client's time with each call. A JVM whose clock is behind
 * cannot mint tokens: a bucket's last refill time only moves forward, so a late clock sees no
 * refill until it passes that time (it is refused a little more, never admitted more). A store
 * built from
 * a URL or cluster nodes owns its connections and closes them in {@link #close()}; a client passed
 * in by the caller stays the caller's to close.
 */
public final class RedisStore implements BucketStore {

    /** The default key prefix. */
    public static final String DEFAULT_KEY_PREFIX = "ratelimiter:";
    /** The default connect timeout: 10 ms. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofMillis(10);
    /** The default read (socket) timeout: 15 ms. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofMillis(15);
    /** The default bound on one check's compare-and-swap loop: 20 ms. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofMillis(20);
    /** The default wait for a pooled connection: 10 ms. */
    public static final Duration DEFAULT_POOL_MAX_WAIT = Duration.ofMillis(10);
    /** The default number of connections per node: 16. */
    public static final int DEFAULT_POOL_MAX_TOTAL = 16;
    /** The default time a key outlives its refill to full: 5 s. */
    public static final Duration DEFAULT_KEY_TTL_KEEP_ALIVE = Duration.ofSeconds(5);
    /** The default bound on cached per-key proxies: 10,000. */
    public static final int DEFAULT_MAX_CACHED_KEYS = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(RedisStore.class);
    /** Marks a policy the script strategy cannot compute exactly; it falls back to CAS. */
    private static final ScriptTokenBucket.Args UNSUPPORTED =
            new ScriptTokenBucket.Args(new byte[0], new byte[0], 0, new byte[0]);
    private static final byte[] SCRIPT_SHA =
            RedisScripts.TOKEN_BUCKET_SHA.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SCRIPT = RedisScripts.TOKEN_BUCKET.getBytes(StandardCharsets.UTF_8);

    private final String description;
    private final String keyPrefix;
    private final RedisStrategy strategy;
    private final boolean batching;
    private final Ticker ticker;
    private final long keepAliveMs;
    /** Per distinct list of limits (not per spec: every reload makes new specs). */
    private final ConcurrentMap<List<dev.ratelimiter.Limit>, ScriptTokenBucket.Args> scriptArgs =
            new ConcurrentHashMap<>();
    private final ProxyManager<String> proxyManager;
    private final Optimization optimization;
    private final Cache<String, Held> proxies;
    private final UnifiedJedis client;
    private final Pool<Jedis> jedisPool;
    private final boolean ownsClient;
    private final StoreErrors errors;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RedisStore(Builder b) {
        this.keyPrefix = b.keyPrefix;
        this.strategy = b.strategy;
        this.batching = b.batching;
        this.ticker = b.ticker;
        this.keepAliveMs = b.keyTtlKeepAlive.toMillis();
        boolean owns = false;
        UnifiedJedis c = b.client;
        String desc = b.client != null ? "(client " + b.client.getClass().getSimpleName() + ")"
                : b.jedisPool != null ? "(JedisPool)" : b.target.toString();
        if (c == null && b.jedisPool == null) {
            c = connect(b, desc);
            owns = true;
        }
        this.client = c;
        this.jedisPool = b.jedisPool;
        this.ownsClient = owns;
        this.description = desc;

        StoreErrors errors = new StoreErrors(desc, this::dropIdleConnections);
        Ticker ticker = b.ticker;
        TimeMeter clock = TimeMeters.of(ticker, true);
        RedisApi api = (client != null
                ? Bucket4jJedis.casBasedBuilder(client)
                : Bucket4jJedis.casBasedBuilder(jedisPool)).getRedisApi();
        this.proxyManager = new Bucket4jJedis.JedisBasedProxyManagerBuilder<>(Mapper.STRING, api)
                .clientClock(clock)
                .requestTimeout(b.requestTimeout)
                .expirationAfterWrite(ExpirationAfterWriteStrategy
                        .basedOnTimeForRefillingBucketUpToMax(b.keyTtlKeepAlive))
                .build();
        this.optimization = errors.around(
                b.batching ? Optimizations.batching() : Optimization.NONE_OPTIMIZED);
        this.proxies = Caffeine.newBuilder().maximumSize(b.maxCachedKeys).build();
        this.errors = errors;
    }

    private static UnifiedJedis connect(Builder b, String desc) {
        RedisTarget t = b.target;
        DefaultJedisClientConfig.Builder cc = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(millis(b.connectTimeout))
                .socketTimeoutMillis(millis(b.readTimeout));
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
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(b.poolMaxTotal);
        pool.setMaxIdle(b.poolMaxTotal);
        pool.setMinIdle(0);
        pool.setBlockWhenExhausted(true);
        pool.setMaxWait(b.poolMaxWait);
        try {
            if (t.cluster) {
                return RedisClusterClient.builder()
                        .nodes(new LinkedHashSet<>(t.nodes))
                        .clientConfig(cc.build())
                        .poolConfig(pool)
                        .maxAttempts(3)
                        .maxTotalRetriesDuration(b.requestTimeout.plus(b.readTimeout))
                        .build();
            }
            return RedisClient.builder()
                    .hostAndPort(t.nodes.get(0))
                    .clientConfig(cc.build())
                    .poolConfig(pool)
                    .build();
        } catch (RuntimeException e) {
            throw new StoreErrors(desc, () -> { }).translate(e);
        }
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }

    /**
     * Starts a store configuration.
     *
     * @return a new builder; set one of {@code url}, {@code clusterNodes}, {@code client} or
     *     {@code jedisPool}
     */
    public static Builder builder() {
        return new Builder();
    }

    /** A key's cached bucket and the spec it was made for. */
    private record Held(BucketSpec spec, TokenBucket bucket) {
    }

    @Override
    public TokenBucket bucket(String key, BucketSpec spec) {
        checkOpen();
        Held held = proxies.getIfPresent(key);
        if (held == null) {
            held = proxies.get(key, k -> new Held(spec, newBucket(k, spec)));
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
     * ({@link CasMigration}), then a proxy for the new configuration is cached.
     */
    private Held moved(String key, Held held, BucketSpec spec) {
        Held next;
        if (held.spec.sameLimits(spec)) {
            next = new Held(spec, held.bucket);
        } else {
            TokenBucket bucket = newBucket(key, spec);
            if (!(bucket instanceof ScriptTokenBucket)) {
                CasMigration.move(this::casCommands, keyPrefix + key, spec, ticker.read(),
                        keepAliveMs, errors);
            }
            next = new Held(spec, bucket);
        }
        return proxies.asMap().compute(key, (k, h) ->
                h != null && h.spec != held.spec && !spec.supersedes(h.spec) ? h : next);
    }

    /** GET and EVAL on the key's node, for {@link CasMigration}. */
    private CasMigration.Commands casCommands() {
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
                try (Jedis jedis = jedisPool.getResource()) {
                    return jedis.get(key);
                }
            }

            @Override
            public Object eval(byte[] script, List<byte[]> keys, List<byte[]> args) {
                try (Jedis jedis = jedisPool.getResource()) {
                    return jedis.eval(script, keys, args);
                }
            }
        };
    }

    private TokenBucket newBucket(String key, BucketSpec spec) {
        if (strategy == RedisStrategy.SCRIPT) {
            ScriptTokenBucket.Args args =
                    scriptArgs.computeIfAbsent(spec.policy().limits(),
                            limits -> scriptArgsOrUnsupported(spec));
            if (args != UNSUPPORTED) {
                return new ScriptTokenBucket(keyPrefix + key, args, keepAliveMs, ticker,
                        this::runScript, batching);
            }
        }
        return new Bucket4jTokenBucket(proxyManager.builder()
                .withOptimization(optimization)
                .build(keyPrefix + key, spec::configuration));
    }

    private ScriptTokenBucket.Args scriptArgsOrUnsupported(BucketSpec spec) {
        if (ScriptTokenBucket.supports(spec)) {
            return ScriptTokenBucket.args(spec);
        }
        LOG.warn("RedisStore {}: policy '{}' has numbers the script cannot keep exact below 2^53"
                + " (see RedisScripts); its keys use the cas strategy", description,
                spec.policy().name());
        return UNSUPPORTED;
    }

    /**
     * One {@code EVALSHA}; after {@code NOSCRIPT} (the node restarted, failed over, or ran
     * {@code SCRIPT FLUSH}) one {@code EVAL} with the source, which runs this call and caches the
     * script on that node for the next ones.
     */
    @SuppressWarnings("unchecked")
    private List<Long> runScript(List<byte[]> keys, List<byte[]> args) {
        try {
            Object reply;
            if (client != null) {
                try {
                    reply = client.evalsha(SCRIPT_SHA, keys, args);
                } catch (JedisNoScriptException e) {
                    reply = client.eval(SCRIPT, keys, args);
                }
            } else {
                try (Jedis jedis = jedisPool.getResource()) {
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

    /** @return the strategy this store uses for every policy the script supports */
    public RedisStrategy strategy() {
        return strategy;
    }

    @Override
    public void remove(String key) {
        checkOpen();
        proxies.invalidate(key);
        try {
            proxyManager.removeProxy(keyPrefix + key);
        } catch (RuntimeException e) {
            throw errors.translate(e);
        }
    }

    /**
     * Sends a {@code PING}: a way to check the URL, credentials and reachability at start-up.
     *
     * @throws StoreUnavailableException if Redis does not answer, naming the store and the cause
     *     (unreachable, credentials rejected, timed out)
     */
    public void verify() {
        checkOpen();
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

    /** @return how many per-key proxies are cached now (at most {@code maxCachedKeys}) */
    public long cachedKeys() {
        proxies.cleanUp();
        return proxies.estimatedSize();
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
        proxies.invalidateAll();
        if (ownsClient) {
            client.close();
        }
    }

    @Override
    public String toString() {
        return "RedisStore[" + description + ", prefix=" + keyPrefix + ", strategy="
                + strategy.name().toLowerCase(java.util.Locale.ROOT) + "]";
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("RedisStore " + description + " is closed");
        }
    }

    /** After a connection error, idle pooled connections probably point at a dead server. */
    private void dropIdleConnections() {
        try {
            if (client instanceof RedisClient rc) {
                rc.getPool().clear();
            } else if (client instanceof RedisClusterClient rcc) {
                for (ConnectionPool p : rcc.getClusterNodes().values()) {
                    p.clear();
                }
            } else if (jedisPool != null) {
                jedisPool.clear();
            }
        } catch (RuntimeException ignored) {
            // Best effort: a pool that cannot be cleared now is cleared on the next error.
        }
    }

    /**
     * Configures a {@link RedisStore}. Each option is validated as it is set; messages name the
     * option and the value. Not thread-safe.
     */
    public static final class Builder {
        private RedisTarget target;
        private String targetOption;
        private UnifiedJedis client;
        private Pool<Jedis> jedisPool;
        private String username;
        private String password;
        private String keyPrefix = DEFAULT_KEY_PREFIX;
        private Ticker ticker = Ticker.wallClock();
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Duration poolMaxWait = DEFAULT_POOL_MAX_WAIT;
        private int poolMaxTotal = DEFAULT_POOL_MAX_TOTAL;
        private Duration keyTtlKeepAlive = DEFAULT_KEY_TTL_KEEP_ALIVE;
        private boolean batching = true;
        private RedisStrategy strategy = RedisStrategy.SCRIPT;
        private int maxCachedKeys = DEFAULT_MAX_CACHED_KEYS;

        private Builder() {
        }

        /**
         * One Redis server: {@code redis://[user:password@]host[:port][/database]}, or
         * {@code rediss://...} for TLS. Port 6379 and database 0 when left out; user and password
         * are URL-encoded.
         *
         * @param url the URL, not null
         * @return this builder
         * @throws IllegalArgumentException if the URL is malformed, naming what is wrong
         * @throws IllegalStateException if another connection option is already set
         */
        public Builder url(String url) {
            Objects.requireNonNull(url, "url");
            setTarget("url");
            this.target = RedisTarget.parseUrl("url", url);
            return this;
        }

        /**
         * A Redis Cluster, found from these seed nodes: {@code "host:port,host:port"}. The
         * store discovers the other nodes and follows slot moves.
         *
         * @param nodes comma-separated {@code host:port}, at least one
         * @return this builder
         * @throws IllegalArgumentException if an entry is not {@code host:port}
         * @throws IllegalStateException if another connection option is already set
         */
        public Builder clusterNodes(String nodes) {
            Objects.requireNonNull(nodes, "clusterNodes");
            setTarget("clusterNodes");
            this.target = RedisTarget.parseClusterNodes("clusterNodes", nodes, null, null, false);
            return this;
        }

        /**
         * A client the caller already has ({@code RedisClient}, {@code RedisClusterClient},
         * {@code JedisPooled}, {@code JedisCluster}). The caller keeps owning it: the store does
         * not close it, and its timeouts and pool apply instead of this builder's.
         *
         * @param client the client
         * @return this builder
         * @throws IllegalStateException if another connection option is already set
         */
        public Builder client(UnifiedJedis client) {
            Objects.requireNonNull(client, "client");
            setTarget("client");
            this.client = client;
            return this;
        }

        /**
         * A {@code JedisPool} the caller already has; as for {@link #client}, the caller owns it.
         *
         * @param pool the pool
         * @return this builder
         * @throws IllegalStateException if another connection option is already set
         */
        public Builder jedisPool(Pool<Jedis> pool) {
            Objects.requireNonNull(pool, "jedisPool");
            setTarget("jedisPool");
            this.jedisPool = pool;
            return this;
        }

        private void setTarget(String option) {
            if (targetOption != null) {
                throw new IllegalStateException("RedisStore: " + option + " conflicts with "
                        + targetOption + " already set; choose one way to reach Redis");
            }
            targetOption = option;
        }

        /**
         * The user, overriding one in the URL (Redis 6 ACL).
         *
         * @param username the user
         * @return this builder
         */
        public Builder username(String username) {
            this.username = Objects.requireNonNull(username, "username");
            return this;
        }

        /**
         * The password, overriding one in the URL; the way to give cluster nodes a password.
         *
         * @param password the password
         * @return this builder
         */
        public Builder password(String password) {
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /**
         * Prepended to every key. Two limiters share limits exactly when they share Redis and
         * prefix.
         *
         * @param keyPrefix the prefix, may be empty; default {@code "ratelimiter:"}
         * @return this builder
         * @throws IllegalArgumentException if the prefix contains whitespace or is over 64 chars
         */
        public Builder keyPrefix(String keyPrefix) {
            Objects.requireNonNull(keyPrefix, "keyPrefix");
            if (keyPrefix.length() > 64 || keyPrefix.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("keyPrefix must be at most 64 characters"
                        + " without whitespace, was '" + keyPrefix + "'");
            }
            this.keyPrefix = keyPrefix;
            return this;
        }

        /**
         * The clock buckets read. It exists for tests (a {@code ManualClock} steps refills);
         * in production every JVM sharing the store must read the same clock, which is why the
         * default is {@link Ticker#wallClock()}. The request timeout is measured on it too.
         *
         * @param ticker the ticker
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * How long to wait for a TCP connection. Default 10 ms (Redis is expected nearby).
         *
         * @param timeout positive, at most {@link Integer#MAX_VALUE} ms
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positiveMillis("connectTimeout", timeout);
            return this;
        }

        /**
         * How long to wait for each reply from Redis. Default 15 ms.
         *
         * @param timeout positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = positiveMillis("readTimeout", timeout);
            return this;
        }

        /**
         * The most one check may spend in Bucket4j's compare-and-swap loop, across retries; the
         * loop is otherwise unbounded under contention. Default 20 ms.
         *
         * @param timeout positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = positiveMillis("requestTimeout", timeout);
            return this;
        }

        /**
         * How long a call waits for a free pooled connection. Default 10 ms.
         *
         * @param timeout positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder poolMaxWait(Duration timeout) {
            this.poolMaxWait = positiveMillis("poolMaxWait", timeout);
            return this;
        }

        /**
         * The most connections to each Redis node. Default 16; size it to the threads that
         * check concurrently, or calls wait up to {@code poolMaxWait} and then fail.
         *
         * @param max at least 1
         * @return this builder
         * @throws IllegalArgumentException if less than 1
         */
        public Builder poolMaxTotal(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("poolMaxTotal must be >= 1, was " + max);
            }
            this.poolMaxTotal = max;
            return this;
        }

        /**
         * How long a key lives after its bucket would be full again. Default 5 s.
         *
         * @param keepAlive positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder keyTtlKeepAlive(Duration keepAlive) {
            this.keyTtlKeepAlive = positiveMillis("keyTtlKeepAlive", keepAlive);
            return this;
        }

        /**
         * How checks become Redis commands: {@link RedisStrategy#SCRIPT} (default; one
         * {@code EVALSHA} per check) or {@link RedisStrategy#CAS} (Bucket4j compare-and-swap).
         * Every JVM sharing the key prefix must use the same one. Under {@code SCRIPT}, a policy
         * whose numbers the script cannot keep exact (see {@code ScriptTokenBucket.supports}:
         * capacity over 2^50, a period of 52 days or more, or an unusual tokens/period ratio) is
         * served by {@code CAS}, with one warning logged per policy.
         *
         * @param strategy the strategy, not null
         * @return this builder
         */
        public Builder strategy(RedisStrategy strategy) {
            this.strategy = Objects.requireNonNull(strategy, "strategy");
            return this;
        }

        /**
         * Whether concurrent checks on one key in this JVM are merged into one Redis command:
         * under {@code SCRIPT}, one {@code EVALSHA} deciding them in order; under {@code CAS},
         * Bucket4j's {@code Optimizations.batching()}. Default true.
         *
         * @param batching true to merge
         * @return this builder
         */
        public Builder batching(boolean batching) {
            this.batching = batching;
            return this;
        }

        /**
         * The most per-key proxies kept; the least recently used are dropped beyond it (a dropped
         * key only loses batching until it is used again). Default 10,000.
         *
         * @param max at least 1
         * @return this builder
         * @throws IllegalArgumentException if less than 1
         */
        public Builder maxCachedKeys(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxCachedKeys must be >= 1, was " + max);
            }
            this.maxCachedKeys = max;
            return this;
        }

        /**
         * Applies every option set in {@code config}; options it leaves unset keep their value.
         *
         * @param config the loaded configuration
         * @return this builder
         */
        public Builder config(RedisStoreConfig config) {
            Objects.requireNonNull(config, "config");
            config.applyTo(this);
            return this;
        }

        /**
         * Builds the store. A store given a URL connects lazily (the first check opens the first
         * connection; call {@link RedisStore#verify()} to check eagerly). A cluster store reads
         * the slot map now.
         *
         * @return the store
         * @throws IllegalStateException if no way to reach Redis was set
         * @throws StoreUnavailableException if cluster seed nodes cannot be reached
         */
        public RedisStore build() {
            if (targetOption == null) {
                throw new IllegalStateException("RedisStore: set url, clusterNodes, client or"
                        + " jedisPool (ratelimiter.redis.url or ratelimiter.redis.clusterNodes)");
            }
            if (target != null && (username != null || password != null)) {
                target = target.withCredentials(username, password);
            } else if (target == null && (username != null || password != null)) {
                throw new IllegalStateException("RedisStore: username/password apply to url or"
                        + " clusterNodes, not to a client set with " + targetOption);
            }
            return new RedisStore(this);
        }

        private static Duration positiveMillis(String option, Duration d) {
            Objects.requireNonNull(d, option);
            if (d.isNegative() || d.isZero() || d.toMillis() == 0) {
                throw new IllegalArgumentException(option + " must be at least 1 ms, was " + d);
            }
            return d;
        }
    }
}
