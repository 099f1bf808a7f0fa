package dev.ratelimiter.redis;

import dev.ratelimiter.Ticker;
import dev.ratelimiter.spi.StoreUnavailableException;
import java.time.Duration;
import java.util.Objects;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.Pool;

/**
 * Configures a {@link RedisStore}; get one from {@link RedisStore#builder()}. Each option is
 * validated as it is set; messages name the option and the value. The defaults need no tuning:
 * see {@link RedisStore} for what they are and the worst-case latency per check they give.
 * Not thread-safe.
 */
public final class RedisStoreBuilder {
    RedisTarget target;
    private String targetOption;
    UnifiedJedis client;
    Pool<Jedis> jedisPool;
    private String username;
    private String password;
    String keyPrefix = RedisStore.DEFAULT_KEY_PREFIX;
    Ticker ticker = Ticker.wallClock();
    Duration connectTimeout = RedisStore.DEFAULT_CONNECT_TIMEOUT;
    Duration readTimeout = RedisStore.DEFAULT_READ_TIMEOUT;
    Duration requestTimeout = RedisStore.DEFAULT_REQUEST_TIMEOUT;
    Duration poolMaxWait = RedisStore.DEFAULT_POOL_MAX_WAIT;
    int poolMaxTotal = RedisStore.DEFAULT_POOL_MAX_TOTAL;
    Duration keyTtlKeepAlive = RedisStore.DEFAULT_KEY_TTL_KEEP_ALIVE;
    boolean batching = true;
    RedisStrategy strategy = RedisStrategy.SCRIPT;
    int maxCachedKeys = RedisStore.DEFAULT_MAX_CACHED_KEYS;
    Duration timeout = RedisStore.DEFAULT_TIMEOUT;
    int connectionsPerNode = RedisStore.DEFAULT_CONNECTIONS_PER_NODE;
    int maxQueuedCommands = RedisStore.DEFAULT_MAX_QUEUED_COMMANDS;

    RedisStoreBuilder() {
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
    public RedisStoreBuilder url(String url) {
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
    public RedisStoreBuilder clusterNodes(String nodes) {
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
    public RedisStoreBuilder client(UnifiedJedis client) {
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
    public RedisStoreBuilder jedisPool(Pool<Jedis> pool) {
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
    public RedisStoreBuilder username(String username) {
        this.username = Objects.requireNonNull(username, "username");
        return this;
    }

    /**
     * The password, overriding one in the URL; the way to give cluster nodes a password.
     *
     * @param password the password
     * @return this builder
     */
    public RedisStoreBuilder password(String password) {
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
    public RedisStoreBuilder keyPrefix(String keyPrefix) {
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
    public RedisStoreBuilder ticker(Ticker ticker) {
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        return this;
    }

    /**
     * The one deadline of each check under the {@code script} strategy, measured from when the
     * check is queued in this JVM: it returns or throws within it. A check still unsent at its
     * deadline fails with {@link dev.ratelimiter.spi.StoreOverloadedException} (this JVM is
     * busy; no failure policy, no breaker); a check sent and not answered by then fails with
     * {@link StoreUnavailableException}. Default 500 ms: far above a loaded 2-core machine's
     * worst queueing (a p99 of a few ms at 400 callers), and short enough that a stalled Redis
     * costs each caller at most half a second before the breaker opens.
     *
     * @param timeout positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public RedisStoreBuilder timeout(Duration timeout) {
        this.timeout = positiveMillis("timeout", timeout);
        return this;
    }

    /**
     * Pipelined connections per Redis node under the {@code script} strategy; all threads'
     * checks share them. Default 2: while one waits for its replies, the other carries what
     * queued meanwhile, so Redis and this JVM work at the same time.
     *
     * @param connections 1 to 64
     * @return this builder
     * @throws IllegalArgumentException if outside 1..64
     */
    public RedisStoreBuilder connectionsPerNode(int connections) {
        if (connections < 1 || connections > 64) {
            throw new IllegalArgumentException("connectionsPerNode must be 1..64, was "
                    + connections);
        }
        this.connectionsPerNode = connections;
        return this;
    }

    /**
     * The most commands waiting in this JVM to be written to one node's connection. A check
     * that finds the queue full fails at once with
     * {@link dev.ratelimiter.spi.StoreOverloadedException}. Default 4,096: ten times the
     * callers of the heaviest load we test, so it bounds memory, not throughput.
     *
     * @param max at least 1
     * @return this builder
     * @throws IllegalArgumentException if less than 1
     */
    public RedisStoreBuilder maxQueuedCommands(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxQueuedCommands must be >= 1, was " + max);
        }
        this.maxQueuedCommands = max;
        return this;
    }

    /**
     * How long to wait for a TCP connection (and the handshake). Default 200 ms.
     *
     * @param timeout positive, at most {@link Integer#MAX_VALUE} ms
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public RedisStoreBuilder connectTimeout(Duration timeout) {
        this.connectTimeout = positiveMillis("connectTimeout", timeout);
        return this;
    }

    /**
     * How long a connection waits for a reply while a command is in flight before it is
     * declared broken (closed; its commands fail with {@link StoreUnavailableException}); on the
     * pooled client of the {@code cas} strategy, each call's socket timeout. Default 500 ms.
     *
     * @param timeout positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public RedisStoreBuilder readTimeout(Duration timeout) {
        this.readTimeout = positiveMillis("readTimeout", timeout);
        return this;
    }

    /**
     * The most one check may spend in Bucket4j's compare-and-swap loop, across retries; the
     * loop is otherwise unbounded under contention. Running out of it is overload (losing races
     * to other checks), not a store failure. Default 500 ms.
     *
     * @param timeout positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public RedisStoreBuilder requestTimeout(Duration timeout) {
        this.requestTimeout = positiveMillis("requestTimeout", timeout);
        return this;
    }

    /**
     * How long a {@code cas} call waits for a free pooled connection; running out of it is
     * overload ({@link dev.ratelimiter.spi.StoreOverloadedException}), never a store failure.
     * Default 200 ms.
     *
     * @param timeout positive
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public RedisStoreBuilder poolMaxWait(Duration timeout) {
        this.poolMaxWait = positiveMillis("poolMaxWait", timeout);
        return this;
    }

    /**
     * The most pooled connections to each Redis node, for the {@code cas} strategy (the
     * {@code script} strategy pipelines on {@link #connectionsPerNode}). Default 16; calls beyond
     * it wait up to {@code poolMaxWait}, then are refused as overload.
     *
     * @param max at least 1
     * @return this builder
     * @throws IllegalArgumentException if less than 1
     */
    public RedisStoreBuilder poolMaxTotal(int max) {
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
    public RedisStoreBuilder keyTtlKeepAlive(Duration keepAlive) {
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
    public RedisStoreBuilder strategy(RedisStrategy strategy) {
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
    public RedisStoreBuilder batching(boolean batching) {
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
    public RedisStoreBuilder maxCachedKeys(int max) {
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
    public RedisStoreBuilder config(RedisStoreConfig config) {
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
