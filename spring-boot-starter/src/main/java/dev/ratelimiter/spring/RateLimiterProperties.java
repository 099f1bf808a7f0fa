package dev.ratelimiter.spring;

import dev.ratelimiter.failure.FailurePolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code ratelimiter.*} properties, bound by Spring Boot (relaxed binding: {@code refill-rate},
 * {@code refillRate} and {@code RATELIMITER_REFILLRATE} are the same property) and documented in
 * the generated configuration metadata. They mean what the standalone server's settings of the
 * same names mean: this class only carries them; core and the backends parse and check them
 * ({@code RateLimiterConfig}, {@code FailSafeConfig}, {@code CaffeineStoreConfig},
 * {@code RedisStoreConfig}), so the meaning cannot drift. An unset property keeps that module's
 * default. An unknown {@code ratelimiter.*} property fails start-up.
 *
 * <p>Keys and patterns with characters other than letters, digits and {@code -} go in brackets:
 * {@code ratelimiter.patterns.[vip:*].limits=100/1s}.
 *
 * <p>Mutable JavaBean for the binder; not thread-safe; read once at start-up.
 */
@ConfigurationProperties(prefix = "ratelimiter", ignoreUnknownFields = false)
public class RateLimiterProperties {

    /** Capacity of the default policy, in tokens (at least 1). Default 10. */
    private Long capacity;

    /**
     * Refill of the default policy, in tokens per second; may be fractional, such as 0.5 or 2.5.
     * Default 2.
     */
    private String refillRate;

    /**
     * Instead of capacity and refill-rate: several limits, comma-separated, each
     * "TOKENS/PERIOD [burst CAPACITY] [interval]", such as "10/1s burst 20, 1000/1h".
     */
    private String limits;

    /** Longest accepted key, in UTF-8 bytes. Default 256. */
    private Integer maxKeyLength;

    /** Policies for exact keys: ratelimiter.keys.[KEY].capacity|refill-rate|limits. */
    private Map<String, PolicyProperties> keys = new LinkedHashMap<>();

    /**
     * Policies for key patterns ('*' is the wildcard; the most specific pattern wins):
     * ratelimiter.patterns.[PATTERN].capacity|refill-rate|limits.
     */
    private Map<String, PolicyProperties> patterns = new LinkedHashMap<>();

    /** What checks answer when a remote store (Redis) cannot be reached. */
    private Store store = new Store();

    /** The in-process Caffeine store, used unless Redis is configured. */
    private Caffeine caffeine = new Caffeine();

    /** The shared Redis store, used when url or cluster-nodes is set. */
    private Redis redis = new Redis();

    /** The servlet filter. */
    private Web web = new Web();

    public Long getCapacity() {
        return capacity;
    }

    public void setCapacity(Long capacity) {
        this.capacity = capacity;
    }

    public String getRefillRate() {
        return refillRate;
    }

    public void setRefillRate(String refillRate) {
        this.refillRate = refillRate;
    }

    public String getLimits() {
        return limits;
    }

    public void setLimits(String limits) {
        this.limits = limits;
    }

    public Integer getMaxKeyLength() {
        return maxKeyLength;
    }

    public void setMaxKeyLength(Integer maxKeyLength) {
        this.maxKeyLength = maxKeyLength;
    }

    public Map<String, PolicyProperties> getKeys() {
        return keys;
    }

    public void setKeys(Map<String, PolicyProperties> keys) {
        this.keys = keys;
    }

    public Map<String, PolicyProperties> getPatterns() {
        return patterns;
    }

    public void setPatterns(Map<String, PolicyProperties> patterns) {
        this.patterns = patterns;
    }

    public Store getStore() {
        return store;
    }

    public void setStore(Store store) {
        this.store = store;
    }

    public Caffeine getCaffeine() {
        return caffeine;
    }

    public void setCaffeine(Caffeine caffeine) {
        this.caffeine = caffeine;
    }

    public Redis getRedis() {
        return redis;
    }

    public void setRedis(Redis redis) {
        this.redis = redis;
    }

    public Web getWeb() {
        return web;
    }

    public void setWeb(Web web) {
        this.web = web;
    }

    /** A policy for a key or pattern; an unset capacity or refill rate is the default's. */
    public static class PolicyProperties {

        /** Capacity, in tokens. */
        private Long capacity;

        /** Refill in tokens per second, may be fractional. */
        private String refillRate;

        /** Instead of capacity and refill-rate: limits such as "10/1s burst 20, 1000/1h". */
        private String limits;

        public Long getCapacity() {
            return capacity;
        }

        public void setCapacity(Long capacity) {
            this.capacity = capacity;
        }

        public String getRefillRate() {
            return refillRate;
        }

        public void setRefillRate(String refillRate) {
            this.refillRate = refillRate;
        }

        public String getLimits() {
            return limits;
        }

        public void setLimits(String limits) {
            this.limits = limits;
        }
    }

    /** {@code ratelimiter.store.*}: the failure policy and circuit breaker of a remote store. */
    public static class Store {

        /** What checks answer while the store is unavailable. Default fail-open. */
        private FailurePolicy failurePolicy;

        /** Consecutive store failures that open the circuit breaker (1 to 1000). Default 3. */
        private Integer failureThreshold;

        /** How long the breaker stays open, in milliseconds (1 to 3600000). Default 1000. */
        private Long openDurationMs;

        public FailurePolicy getFailurePolicy() {
            return failurePolicy;
        }

        public void setFailurePolicy(FailurePolicy failurePolicy) {
            this.failurePolicy = failurePolicy;
        }

        public Integer getFailureThreshold() {
            return failureThreshold;
        }

        public void setFailureThreshold(Integer failureThreshold) {
            this.failureThreshold = failureThreshold;
        }

        public Long getOpenDurationMs() {
            return openDurationMs;
        }

        public void setOpenDurationMs(Long openDurationMs) {
            this.openDurationMs = openDurationMs;
        }
    }

    /** {@code ratelimiter.caffeine.*}. */
    public static class Caffeine {

        /** The most keys held at once. Default 1000000. */
        private Long maximumKeys;

        public Long getMaximumKeys() {
            return maximumKeys;
        }

        public void setMaximumKeys(Long maximumKeys) {
            this.maximumKeys = maximumKeys;
        }
    }

    /** {@code ratelimiter.redis.*}: setting url or cluster-nodes selects the Redis store. */
    public static class Redis {

        /** redis://[user:password@]host[:port][/db] or rediss://. */
        private String url;

        /** Redis Cluster seed nodes, host:port,host:port. */
        private String clusterNodes;

        /** Overrides the URL's user. */
        private String username;

        /** Overrides the URL's password; the way to set one for cluster nodes. */
        private String password;

        /** Prefix of every Redis key. Default "ratelimiter:". */
        private String keyPrefix;

        /** Connect timeout (TCP and handshake), in milliseconds. Default 200. */
        private Long connectTimeoutMs;

        /** No reply that long with a command in flight breaks the connection, in ms. Default 500. */
        private Long readTimeoutMs;

        /** cas strategy: bound on one check's compare-and-swap loop, in milliseconds. Default 500. */
        private Long requestTimeoutMs;

        /** cas strategy: pooled connections per node. Default 16. */
        private Integer poolMaxTotal;

        /** cas strategy: longest wait for a pooled connection (then overload), in ms. Default 200. */
        private Long poolMaxWaitMs;

        /** One deadline per check from when it is queued (script strategy), in ms. Default 500. */
        private Long timeoutMs;

        /** Pipelined connections per node, shared by every thread (script strategy). Default 2. */
        private Integer connectionsPerNode;

        /** Commands waiting to be written per node; beyond it a check is overload. Default 4096. */
        private Integer maxQueuedCommands;

        public Long getTimeoutMs() {
            return timeoutMs;
        }

        public void setTimeoutMs(Long timeoutMs) {
            this.timeoutMs = timeoutMs;
        }

        public Integer getConnectionsPerNode() {
            return connectionsPerNode;
        }

        public void setConnectionsPerNode(Integer connectionsPerNode) {
            this.connectionsPerNode = connectionsPerNode;
        }

        public Integer getMaxQueuedCommands() {
            return maxQueuedCommands;
        }

        public void setMaxQueuedCommands(Integer maxQueuedCommands) {
            this.maxQueuedCommands = maxQueuedCommands;
        }

        /** A key's TTL is its time to refill to full plus this, in milliseconds. Default 5000. */
        private Long keyTtlKeepAliveMs;

        /** "script" (one EVALSHA per check, default) or "cas". */
        private String strategy;

        /** Merge concurrent checks on one key in this JVM into one command. Default true. */
        private Boolean batching;

        /** Per-key proxies kept for batching. Default 10000. */
        private Integer maxCachedKeys;

        public String getUrl() {
            return url;
        }

        public void setUrl(String url) {
            this.url = url;
        }

        public String getClusterNodes() {
            return clusterNodes;
        }

        public void setClusterNodes(String clusterNodes) {
            this.clusterNodes = clusterNodes;
        }

        public String getUsername() {
            return username;
        }

        public void setUsername(String username) {
            this.username = username;
        }

        public String getPassword() {
            return password;
        }

        public void setPassword(String password) {
            this.password = password;
        }

        public String getKeyPrefix() {
            return keyPrefix;
        }

        public void setKeyPrefix(String keyPrefix) {
            this.keyPrefix = keyPrefix;
        }

        public Long getConnectTimeoutMs() {
            return connectTimeoutMs;
        }

        public void setConnectTimeoutMs(Long connectTimeoutMs) {
            this.connectTimeoutMs = connectTimeoutMs;
        }

        public Long getReadTimeoutMs() {
            return readTimeoutMs;
        }

        public void setReadTimeoutMs(Long readTimeoutMs) {
            this.readTimeoutMs = readTimeoutMs;
        }

        public Long getRequestTimeoutMs() {
            return requestTimeoutMs;
        }

        public void setRequestTimeoutMs(Long requestTimeoutMs) {
            this.requestTimeoutMs = requestTimeoutMs;
        }

        public Integer getPoolMaxTotal() {
            return poolMaxTotal;
        }

        public void setPoolMaxTotal(Integer poolMaxTotal) {
            this.poolMaxTotal = poolMaxTotal;
        }

        public Long getPoolMaxWaitMs() {
            return poolMaxWaitMs;
        }

        public void setPoolMaxWaitMs(Long poolMaxWaitMs) {
            this.poolMaxWaitMs = poolMaxWaitMs;
        }

        public Long getKeyTtlKeepAliveMs() {
            return keyTtlKeepAliveMs;
        }

        public void setKeyTtlKeepAliveMs(Long keyTtlKeepAliveMs) {
            this.keyTtlKeepAliveMs = keyTtlKeepAliveMs;
        }

        public String getStrategy() {
            return strategy;
        }

        public void setStrategy(String strategy) {
            this.strategy = strategy;
        }

        public Boolean getBatching() {
            return batching;
        }

        public void setBatching(Boolean batching) {
            this.batching = batching;
        }

        public Integer getMaxCachedKeys() {
            return maxCachedKeys;
        }

        public void setMaxCachedKeys(Integer maxCachedKeys) {
            this.maxCachedKeys = maxCachedKeys;
        }
    }

    /** {@code ratelimiter.web.*}: the servlet filter. */
    public static class Web {

        /** Whether the servlet filter limits requests. */
        private boolean enabled;

        /** Path patterns that are limited, such as /api/**; others pass untouched. */
        private List<String> paths = new ArrayList<>(List.of("/**"));

        /**
         * What a request is keyed by: "ip" (the client address; X-Forwarded-For only from
         * trusted-proxies), "header:NAME" (that header's value) or "principal" (the
         * authenticated user). A request without the header or principal is keyed by its IP.
         */
        private String key = "ip";

        /**
         * Addresses or CIDR ranges of reverse proxies whose X-Forwarded-For is believed, such as
         * 10.0.0.0/8. Empty: X-Forwarded-For is never read.
         */
        private List<String> trustedProxies = new ArrayList<>();

        /** Put before every key the filter checks. */
        private String keyPrefix = "web:";

        /** Tokens each request takes. */
        private long tokens = 1;

        /**
         * The filter's order. Default: early (before Spring Security) for ip and header keys;
         * just after Spring Security's filter chain (-100) for principal keys.
         */
        private Integer order;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public List<String> getPaths() {
            return paths;
        }

        public void setPaths(List<String> paths) {
            this.paths = paths;
        }

        public String getKey() {
            return key;
        }

        public void setKey(String key) {
            this.key = key;
        }

        public List<String> getTrustedProxies() {
            return trustedProxies;
        }

        public void setTrustedProxies(List<String> trustedProxies) {
            this.trustedProxies = trustedProxies;
        }

        public String getKeyPrefix() {
            return keyPrefix;
        }

        public void setKeyPrefix(String keyPrefix) {
            this.keyPrefix = keyPrefix;
        }

        public long getTokens() {
            return tokens;
        }

        public void setTokens(long tokens) {
            this.tokens = tokens;
        }

        public Integer getOrder() {
            return order;
        }

        public void setOrder(Integer order) {
            this.order = order;
        }
    }
}
