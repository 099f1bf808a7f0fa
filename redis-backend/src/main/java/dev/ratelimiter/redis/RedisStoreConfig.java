package dev.ratelimiter.redis;

import dev.ratelimiter.config.ConfigSource;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code ratelimiter.redis.*} settings, read from properties and environment variables.
 * An environment variable, when set, wins over its property.
 *
 * <table>
 *   <caption>Properties [environment variable]: meaning, default</caption>
 *   <tr><td>{@code ratelimiter.redis.url} [RATE_LIMITER_REDIS_URL]</td>
 *       <td>{@code redis://[user:password@]host[:port][/db]} or {@code rediss://}; one of url
 *       and clusterNodes is required</td></tr>
 *   <tr><td>{@code ratelimiter.redis.clusterNodes} [RATE_LIMITER_REDIS_CLUSTER_NODES]</td>
 *       <td>Redis Cluster seed nodes, {@code host:port,host:port}</td></tr>
 *   <tr><td>{@code ratelimiter.redis.username} [RATE_LIMITER_REDIS_USERNAME]</td>
 *       <td>overrides the URL's user</td></tr>
 *   <tr><td>{@code ratelimiter.redis.password} [RATE_LIMITER_REDIS_PASSWORD]</td>
 *       <td>overrides the URL's password; the way to set one for cluster nodes</td></tr>
 *   <tr><td>{@code ratelimiter.redis.keyPrefix} [RATE_LIMITER_REDIS_KEY_PREFIX]</td>
 *       <td>{@code ratelimiter:}</td></tr>
 *   <tr><td>{@code ratelimiter.redis.timeoutMs} [RATE_LIMITER_REDIS_TIMEOUT_MS]</td>
 *       <td>500: one check's deadline from when it is queued (script strategy); the worst-case
 *       latency of a check</td></tr>
 *   <tr><td>{@code ratelimiter.redis.connectionsPerNode}
 *       [RATE_LIMITER_REDIS_CONNECTIONS_PER_NODE]</td>
 *       <td>2 pipelined connections per node, shared by every thread</td></tr>
 *   <tr><td>{@code ratelimiter.redis.maxQueuedCommands}
 *       [RATE_LIMITER_REDIS_MAX_QUEUED_COMMANDS]</td>
 *       <td>4096 commands waiting to be written per node; beyond: overload</td></tr>
 *   <tr><td>{@code ratelimiter.redis.connectTimeoutMs} [RATE_LIMITER_REDIS_CONNECT_TIMEOUT_MS]</td>
 *       <td>200</td></tr>
 *   <tr><td>{@code ratelimiter.redis.readTimeoutMs} [RATE_LIMITER_REDIS_READ_TIMEOUT_MS]</td>
 *       <td>500: no reply that long while a command is in flight breaks the connection</td></tr>
 *   <tr><td>{@code ratelimiter.redis.requestTimeoutMs} [RATE_LIMITER_REDIS_REQUEST_TIMEOUT_MS]</td>
 *       <td>500: bound on one check's compare-and-swap loop (cas strategy)</td></tr>
 *   <tr><td>{@code ratelimiter.redis.poolMaxTotal} [RATE_LIMITER_REDIS_POOL_MAX_TOTAL]</td>
 *       <td>16 pooled connections per node (cas strategy)</td></tr>
 *   <tr><td>{@code ratelimiter.redis.poolMaxWaitMs} [RATE_LIMITER_REDIS_POOL_MAX_WAIT_MS]</td>
 *       <td>200 (cas strategy); running out of it is overload, not a store failure</td></tr>
 *   <tr><td>{@code ratelimiter.redis.keyTtlKeepAliveMs}
 *       [RATE_LIMITER_REDIS_KEY_TTL_KEEP_ALIVE_MS]</td>
 *       <td>5000: a key's TTL is its time to refill to full plus this</td></tr>
 *   <tr><td>{@code ratelimiter.redis.strategy} [RATE_LIMITER_REDIS_STRATEGY]</td>
 *       <td>{@code script}: one {@code EVALSHA} per check; {@code cas} for Bucket4j's
 *       compare-and-swap (see {@link RedisStrategy})</td></tr>
 *   <tr><td>{@code ratelimiter.redis.batching} [RATE_LIMITER_REDIS_BATCHING]</td>
 *       <td>true: merge concurrent checks on one key in this JVM into one command</td></tr>
 *   <tr><td>{@code ratelimiter.redis.maxCachedKeys} [RATE_LIMITER_REDIS_MAX_CACHED_KEYS]</td>
 *       <td>10000 per-key proxies kept for batching</td></tr>
 * </table>
 *
 * <p>Any other {@code ratelimiter.redis.*} property is an error, as is a malformed value; the
 * message names the property. Immutable and thread-safe.
 */
public final class RedisStoreConfig {

    private static final String PREFIX = "ratelimiter.redis.";
    /** Every property this section knows, without the prefix. */
    static final List<String> NAMES = List.of("url", "clusterNodes", "username", "password",
            "keyPrefix", "connectTimeoutMs", "readTimeoutMs", "requestTimeoutMs", "poolMaxTotal",
            "poolMaxWaitMs", "keyTtlKeepAliveMs", "batching", "maxCachedKeys", "strategy",
            "timeoutMs", "connectionsPerNode", "maxQueuedCommands");

    private final Map<String, String> values;

    private RedisStoreConfig(Map<String, String> values) {
        this.values = values;
    }

    /**
     * Reads and validates the section. Values are checked here, so that a bad one fails at
     * start-up naming its property, before any connection is tried.
     *
     * @param source settings
     * @return the configuration
     * @throws IllegalArgumentException for an unknown {@code ratelimiter.redis.*} property or a
     *     bad value, naming the property
     */
    public static RedisStoreConfig from(ConfigSource source) {
        Objects.requireNonNull(source, "source");
        for (String name : source.propertyNames(PREFIX)) {
            if (!NAMES.contains(name.substring(PREFIX.length()))) {
                throw new IllegalArgumentException("unknown property " + name + "; the known "
                        + PREFIX + "* names are " + NAMES);
            }
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : NAMES) {
            source.get(PREFIX + name, envName(name)).ifPresent(v -> values.put(name, v));
        }
        RedisStoreConfig config = new RedisStoreConfig(Map.copyOf(values));
        // Validate every value now by applying it to a throwaway builder.
        config.applyTo(RedisStore.builder());
        return config;
    }

    /**
     * The environment variable for a property: {@code RATE_LIMITER_REDIS_} and the name in
     * upper snake case ({@code connectTimeoutMs} becomes {@code RATE_LIMITER_REDIS_CONNECT_TIMEOUT_MS}).
     *
     * @param name the property name without {@code ratelimiter.redis.}
     * @return the variable's name
     */
    static String envName(String name) {
        StringBuilder sb = new StringBuilder("RATE_LIMITER_REDIS_");
        for (char c : name.toCharArray()) {
            if (Character.isUpperCase(c)) {
                sb.append('_');
            }
            sb.append(Character.toUpperCase(c));
        }
        return sb.toString();
    }

    /**
     * A setting as read (environment over property).
     *
     * @param name the property name without {@code ratelimiter.redis.}
     * @return the value, empty if unset
     */
    public Optional<String> get(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /** @return whether a Redis location (url or clusterNodes) is configured */
    public boolean isConfigured() {
        return values.containsKey("url") || values.containsKey("clusterNodes");
    }

    void applyTo(RedisStoreBuilder b) {
        String url = values.get("url");
        String nodes = values.get("clusterNodes");
        if (url != null && nodes != null) {
            throw new IllegalArgumentException(PREFIX + "url and " + PREFIX
                    + "clusterNodes are both set; set one");
        }
        wrap("url", () -> {
            if (url != null) {
                b.url(url);
            }
        });
        wrap("clusterNodes", () -> {
            if (nodes != null) {
                b.clusterNodes(nodes);
            }
        });
        ifSet("username", b::username);
        ifSet("password", b::password);
        ifSet("keyPrefix", v -> wrap("keyPrefix", () -> b.keyPrefix(v)));
        ifSet("connectTimeoutMs", v -> b.connectTimeout(millis("connectTimeoutMs", v)));
        ifSet("readTimeoutMs", v -> b.readTimeout(millis("readTimeoutMs", v)));
        ifSet("requestTimeoutMs", v -> b.requestTimeout(millis("requestTimeoutMs", v)));
        ifSet("poolMaxWaitMs", v -> b.poolMaxWait(millis("poolMaxWaitMs", v)));
        ifSet("keyTtlKeepAliveMs", v -> b.keyTtlKeepAlive(millis("keyTtlKeepAliveMs", v)));
        ifSet("poolMaxTotal", v -> b.poolMaxTotal(positiveInt("poolMaxTotal", v)));
        ifSet("maxCachedKeys", v -> b.maxCachedKeys(positiveInt("maxCachedKeys", v)));
        ifSet("batching", v -> b.batching(bool("batching", v)));
        ifSet("strategy", v -> b.strategy(strategy(v)));
        ifSet("timeoutMs", v -> b.timeout(millis("timeoutMs", v)));
        ifSet("connectionsPerNode", v -> wrap("connectionsPerNode",
                () -> b.connectionsPerNode(positiveInt("connectionsPerNode", v))));
        ifSet("maxQueuedCommands", v -> b.maxQueuedCommands(positiveInt("maxQueuedCommands", v)));
    }

    private void ifSet(String name, java.util.function.Consumer<String> action) {
        String v = values.get(name);
        if (v != null) {
            action.accept(v);
        }
    }

    /** Re-labels a builder's message with the full property name. */
    private static void wrap(String name, Runnable r) {
        try {
            r.run();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PREFIX + e.getMessage(), e);
        }
    }

    private static Duration millis(String name, String v) {
        long ms = positiveLong(name, v);
        return Duration.ofMillis(ms);
    }

    private static int positiveInt(String name, String v) {
        long n = positiveLong(name, v);
        if (n > Integer.MAX_VALUE) {
            throw bad(name, v, "a whole number from 1 to " + Integer.MAX_VALUE);
        }
        return (int) n;
    }

    private static long positiveLong(String name, String v) {
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw bad(name, v, "a whole number >= 1");
        }
        if (n < 1 || n > Integer.MAX_VALUE) {
            throw bad(name, v, "a whole number from 1 to " + Integer.MAX_VALUE);
        }
        return n;
    }

    private static RedisStrategy strategy(String v) {
        try {
            return RedisStrategy.parse(v);
        } catch (IllegalArgumentException e) {
            throw bad("strategy", v, "script or cas");
        }
    }

    private static boolean bool(String name, String v) {
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw bad(name, v, "true or false");
    }

    private static IllegalArgumentException bad(String name, String v, String expected) {
        return new IllegalArgumentException(PREFIX + name + " [" + envName(name) + "] must be "
                + expected + ", was '" + v + "'");
    }

    @Override
    public String toString() {
        Map<String, String> shown = new LinkedHashMap<>(values);
        shown.computeIfPresent("password", (k, v) -> "***");
        shown.computeIfPresent("url", (k, v) -> RedisTarget.mask(v));
        return "RedisStoreConfig" + shown;
    }
}
