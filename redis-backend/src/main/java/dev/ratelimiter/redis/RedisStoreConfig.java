package dev.ratelimiter.redis;

import dev.ratelimiter.config.ConfigSection;
import dev.ratelimiter.config.ConfigSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

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
 * message names the property and its variable. The section is read through core's
 * {@link ConfigSection}, and every bound is the {@link RedisStoreBuilder} setter's: values are
 * applied through the setters, once in {@link #from} so that a bad one fails at start-up before
 * any connection is tried, and again by {@link #applyTo}. Immutable and thread-safe.
 */
public final class RedisStoreConfig {

    /** The section's prefix. */
    public static final String SECTION = "ratelimiter.redis.";
    /** Every property this section knows, without the prefix. */
    static final List<String> NAMES = List.of("url", "clusterNodes", "username", "password",
            "keyPrefix", "connectTimeoutMs", "readTimeoutMs", "requestTimeoutMs", "poolMaxTotal",
            "poolMaxWaitMs", "keyTtlKeepAliveMs", "batching", "maxCachedKeys", "strategy",
            "timeoutMs", "connectionsPerNode", "maxQueuedCommands");

    private final ConfigSection section;

    private RedisStoreConfig(ConfigSection section) {
        this.section = section;
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
        RedisStoreConfig config =
                new RedisStoreConfig(ConfigSection.of(source, SECTION, Set.copyOf(NAMES)));
        if (config.get("url").isPresent() && config.get("clusterNodes").isPresent()) {
            throw new IllegalArgumentException(SECTION + "url and " + SECTION
                    + "clusterNodes are both set; set one");
        }
        config.applyTo(RedisStore.builder()); // the setters check every value now
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
        return section.text(name, envName(name));
    }

    /** @return whether a Redis location (url or clusterNodes) is configured */
    public boolean isConfigured() {
        return get("url").isPresent() || get("clusterNodes").isPresent();
    }

    void applyTo(RedisStoreBuilder b) {
        set("url", Function.identity(), b::url);
        set("clusterNodes", Function.identity(), b::clusterNodes);
        set("username", Function.identity(), b::username);
        set("password", Function.identity(), b::password);
        set("keyPrefix", Function.identity(), b::keyPrefix);
        set("connectTimeoutMs", ConfigSection::millis, b::connectTimeout);
        set("readTimeoutMs", ConfigSection::millis, b::readTimeout);
        set("requestTimeoutMs", ConfigSection::millis, b::requestTimeout);
        set("poolMaxWaitMs", ConfigSection::millis, b::poolMaxWait);
        set("keyTtlKeepAliveMs", ConfigSection::millis, b::keyTtlKeepAlive);
        set("timeoutMs", ConfigSection::millis, b::timeout);
        set("poolMaxTotal", ConfigSection::intNumber, b::poolMaxTotal);
        set("maxCachedKeys", ConfigSection::intNumber, b::maxCachedKeys);
        set("connectionsPerNode", ConfigSection::intNumber, b::connectionsPerNode);
        set("maxQueuedCommands", ConfigSection::intNumber, b::maxQueuedCommands);
        set("batching", ConfigSection::bool, b::batching);
        set("strategy", RedisStoreConfig::strategy, b::strategy);
    }

    private <T> void set(String name, Function<String, T> parse, Consumer<? super T> setter) {
        section.apply(name, envName(name), parse, setter);
    }

    private static RedisStrategy strategy(String v) {
        try {
            return RedisStrategy.parse(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("must be script or cas");
        }
    }

    @Override
    public String toString() {
        Map<String, String> shown = new LinkedHashMap<>();
        for (String name : NAMES) {
            get(name).ifPresent(v -> shown.put(name, v));
        }
        shown.computeIfPresent("password", (k, v) -> "***");
        shown.computeIfPresent("url", (k, v) -> RedisTarget.mask(v));
        return "RedisStoreConfig" + shown;
    }
}
