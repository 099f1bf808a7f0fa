package dev.ratelimiter.spring;

import dev.ratelimiter.caffeine.CaffeineStoreConfig;
import dev.ratelimiter.config.ConfigSource;
import dev.ratelimiter.config.RateLimiterConfig;
import dev.ratelimiter.config.FailSafeConfig;
import dev.ratelimiter.failure.FailurePolicy;
import dev.ratelimiter.redis.RedisStoreConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * The bound {@link RateLimiterProperties} parsed by core's and the backends' own readers: each
 * property is put, under the name the standalone server reads ({@code ratelimiter.refillRate}),
 * into a {@link ConfigSource}, and {@link RateLimiterConfig}, {@link FailSafeConfig},
 * {@link CaffeineStoreConfig} and {@link RedisStoreConfig} read it exactly as they read the
 * server's file. Their messages are then given back in Spring's names
 * ({@code ratelimiter.refill-rate}) as a {@link RateLimiterConfigException}.
 *
 * <p>Environment variables are Spring's business here (relaxed binding), so the source has none.
 * Immutable and thread-safe.
 */
final class ParsedConfig {

    final RateLimiterConfig core;
    final FailSafeConfig failSafe;
    final CaffeineStoreConfig caffeine;
    final RedisStoreConfig redis;

    private ParsedConfig(RateLimiterConfig core, FailSafeConfig failSafe,
                         CaffeineStoreConfig caffeine, RedisStoreConfig redis) {
        this.core = core;
        this.failSafe = failSafe;
        this.caffeine = caffeine;
        this.redis = redis;
    }

    /**
     * Parses the properties.
     *
     * @param p the bound properties
     * @return the parsed configuration
     * @throws RateLimiterConfigException naming the Spring property at fault
     */
    static ParsedConfig parse(RateLimiterProperties p) {
        Names names = new Names();
        names.put("ratelimiter.capacity", "ratelimiter.capacity", p.getCapacity());
        names.put("ratelimiter.refillRate", "ratelimiter.refill-rate", p.getRefillRate());
        names.put("ratelimiter.limits", "ratelimiter.limits", p.getLimits());
        names.put("ratelimiter.maxKeyLength", "ratelimiter.max-key-length", p.getMaxKeyLength());
        policies(names, "keys", p.getKeys());
        policies(names, "patterns", p.getPatterns());

        RateLimiterProperties.Store store = p.getStore();
        FailurePolicy policy = store.getFailurePolicy();
        names.put("ratelimiter.store.failurePolicy", "ratelimiter.store.failure-policy",
                policy == null ? null : policy.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        names.put("ratelimiter.store.failureThreshold", "ratelimiter.store.failure-threshold",
                store.getFailureThreshold());
        names.put("ratelimiter.store.openDurationMs", "ratelimiter.store.open-duration-ms",
                store.getOpenDurationMs());

        names.put("ratelimiter.caffeine.maximumKeys", "ratelimiter.caffeine.maximum-keys",
                p.getCaffeine().getMaximumKeys());

        RateLimiterProperties.Redis r = p.getRedis();
        redis(names, "url", r.getUrl());
        redis(names, "clusterNodes", r.getClusterNodes());
        redis(names, "username", r.getUsername());
        redis(names, "password", r.getPassword());
        redis(names, "keyPrefix", r.getKeyPrefix());
        redis(names, "connectTimeoutMs", r.getConnectTimeoutMs());
        redis(names, "readTimeoutMs", r.getReadTimeoutMs());
        redis(names, "requestTimeoutMs", r.getRequestTimeoutMs());
        redis(names, "poolMaxTotal", r.getPoolMaxTotal());
        redis(names, "poolMaxWaitMs", r.getPoolMaxWaitMs());
        redis(names, "keyTtlKeepAliveMs", r.getKeyTtlKeepAliveMs());
        redis(names, "strategy", r.getStrategy());
        redis(names, "batching", r.getBatching());
        redis(names, "maxCachedKeys", r.getMaxCachedKeys());
        redis(names, "timeoutMs", r.getTimeoutMs());
        redis(names, "connectionsPerNode", r.getConnectionsPerNode());
        redis(names, "maxQueuedCommands", r.getMaxQueuedCommands());

        ConfigSource source = ConfigSource.of(names.properties, Map.of());
        return new ParsedConfig(
                names.read(() -> RateLimiterConfig.from(source)),
                names.read(() -> FailSafeConfig.from(source)),
                names.read(() -> CaffeineStoreConfig.from(source)),
                names.read(() -> RedisStoreConfig.from(source)));
    }

    private static void policies(Names names, String section,
                                 Map<String, RateLimiterProperties.PolicyProperties> policies) {
        policies.forEach((subject, policy) -> {
            String core = "ratelimiter." + section + "." + subject + ".";
            String spring = "ratelimiter." + section + "." + springKey(subject) + ".";
            names.put(core + "capacity", spring + "capacity", policy.getCapacity());
            names.put(core + "refillRate", spring + "refill-rate", policy.getRefillRate());
            names.put(core + "limits", spring + "limits", policy.getLimits());
        });
    }

    /** A map key as it is written in Spring properties: in brackets unless plain. */
    private static String springKey(String key) {
        return key.matches("[a-z0-9-]+") ? key : "[" + key + "]";
    }

    private static void redis(Names names, String name, Object value) {
        names.put("ratelimiter.redis." + name, "ratelimiter.redis." + kebab(name), value);
    }

    /** {@code connectTimeoutMs} as Spring's canonical name {@code connect-timeout-ms}. */
    static String kebab(String camel) {
        StringBuilder b = new StringBuilder(camel.length() + 4);
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) {
                b.append('-').append(Character.toLowerCase(c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** The properties as core reads them, and how to name each the Spring way. */
    private static final class Names {
        final Properties properties = new Properties();
        /** Core name to Spring name; translate() matches the longest first. */
        final Map<String, String> spring = new LinkedHashMap<>();

        void put(String core, String springName, Object value) {
            spring.put(core, springName);
            if (value != null) {
                properties.setProperty(core, value.toString());
            }
        }

        <T> T read(Supplier<T> reader) {
            try {
                return reader.get();
            } catch (IllegalArgumentException | IllegalStateException e) {
                String message = translate(e.getMessage());
                throw new RateLimiterConfigException(firstProperty(message), message, e);
            }
        }

        String translate(String message) {
            String m = String.valueOf(message)
                    // Environment variable names are the standalone server's, not Spring's.
                    .replaceAll(" [\\[(]RATE_LIMITER_[A-Z_]+[\\])]", "");
            List<Map.Entry<String, String>> byLength = new ArrayList<>(spring.entrySet());
            byLength.sort(Comparator.comparingInt(
                    (Map.Entry<String, String> e) -> e.getKey().length()).reversed());
            StringBuilder out = new StringBuilder();
            int i = 0;
            outer:
            while (i < m.length()) {
                for (Map.Entry<String, String> e : byLength) {
                    if (m.startsWith(e.getKey(), i)) {
                        out.append(e.getValue());
                        i += e.getKey().length();
                        continue outer;
                    }
                }
                out.append(m.charAt(i++));
            }
            return out.toString();
        }

        String firstProperty(String message) {
            int best = -1;
            String found = null;
            for (String name : spring.values()) {
                int at = message.indexOf(name);
                if (at >= 0 && (best < 0 || at < best
                        || at == best && name.length() > found.length())) {
                    best = at;
                    found = name;
                }
            }
            return found;
        }
    }
}
