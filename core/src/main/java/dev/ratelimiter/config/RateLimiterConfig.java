package dev.ratelimiter.config;

import dev.ratelimiter.Limit;
import dev.ratelimiter.Policy;
import dev.ratelimiter.RateLimiterBuilder;
import dev.ratelimiter.Rules;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * The limiter's rules and key length, read from properties and environment variables.
 *
 * <table>
 *   <caption>Properties (environment variable in brackets)</caption>
 *   <tr><td>{@code ratelimiter.capacity} [RATE_LIMITER_CAPACITY]</td>
 *       <td>default policy's capacity; default 10</td></tr>
 *   <tr><td>{@code ratelimiter.refillRate} [RATE_LIMITER_REFILL_RATE]</td>
 *       <td>default policy's refill in tokens per second, may be fractional; default 2</td></tr>
 *   <tr><td>{@code ratelimiter.limits} [RATE_LIMITER_LIMITS]</td>
 *       <td>instead of the two above: several limits, see {@link LimitSyntax}</td></tr>
 *   <tr><td>{@code ratelimiter.maxKeyLength} [RATE_LIMITER_MAX_KEY_LENGTH]</td>
 *       <td>longest key in UTF-8 bytes; default 256</td></tr>
 *   <tr><td>{@code ratelimiter.keys.<key>.capacity|refillRate|limits}</td>
 *       <td>a policy for exactly {@code <key>}; an unset capacity or refillRate is inherited
 *       from the default</td></tr>
 *   <tr><td>{@code ratelimiter.patterns.<pattern>.capacity|refillRate|limits}</td>
 *       <td>a policy for keys matching {@code <pattern>} ({@code *} is the wildcard; in a
 *       {@code .properties} file write {@code :} and {@code =} in names as {@code \:} and
 *       {@code \=})</td></tr>
 * </table>
 *
 * <p>A policy for a key or pattern is named after it. Other modules own the sections
 * {@code ratelimiter.backend}, {@code ratelimiter.store.*}, {@code ratelimiter.caffeine.*},
 * {@code ratelimiter.redis.*}, {@code ratelimiter.server.*} and {@code ratelimiter.security.*};
 * any other {@code ratelimiter.*} name is an error, as is a malformed value: the message names the
 * property. Immutable and thread-safe.
 */
public final class RateLimiterConfig {

    /** Prefixes of the sections that other modules read and check. */
    public static final List<String> OTHER_SECTIONS = List.of("ratelimiter.backend",
            "ratelimiter.store.", "ratelimiter.caffeine.", "ratelimiter.redis.",
            "ratelimiter.server.", "ratelimiter.security.");

    private static final String PREFIX = "ratelimiter.";
    private static final String KEYS = "ratelimiter.keys.";
    private static final String PATTERNS = "ratelimiter.patterns.";
    private static final List<String> ATTRIBUTES = List.of("capacity", "refillRate", "limits");
    private static final long DEFAULT_CAPACITY = 10;
    private static final String DEFAULT_RATE = "2";

    private final Rules rules;
    private final int maxKeyBytes;

    private RateLimiterConfig(Rules rules, int maxKeyBytes) {
        this.rules = rules;
        this.maxKeyBytes = maxKeyBytes;
    }

    /**
     * Reads the core section.
     *
     * @param source settings
     * @return the configuration
     * @throws IllegalArgumentException for an unknown {@code ratelimiter.*} property or a bad
     *     value, naming the property
     * @throws IllegalStateException for conflicting settings, naming them
     */
    public static RateLimiterConfig from(ConfigSource source) {
        Objects.requireNonNull(source, "source");
        Map<String, Map<String, String>> keyRules = new LinkedHashMap<>();
        Map<String, Map<String, String>> patternRules = new LinkedHashMap<>();
        for (String name : source.propertyNames(PREFIX)) {
            if (isOtherSection(name) || isTopLevel(name)) {
                continue;
            }
            if (name.startsWith(KEYS)) {
                collect(name, KEYS, keyRules, source);
            } else if (name.startsWith(PATTERNS)) {
                collect(name, PATTERNS, patternRules, source);
            } else {
                throw new IllegalArgumentException("unknown property '" + name + "'; known:"
                        + " ratelimiter.capacity, refillRate, limits, maxKeyLength,"
                        + " keys.<key>.*, patterns.<pattern>.*");
            }
        }

        Optional<String> capacityText = source.get("ratelimiter.capacity", "RATE_LIMITER_CAPACITY");
        Optional<String> rateText = source.get("ratelimiter.refillRate", "RATE_LIMITER_REFILL_RATE");
        Optional<String> limitsText = source.get("ratelimiter.limits", "RATE_LIMITER_LIMITS");
        long defaultCapacity = capacityText
                .map(t -> positiveLong("ratelimiter.capacity", t)).orElse(DEFAULT_CAPACITY);
        String defaultRate = rateText.orElse(DEFAULT_RATE);

        Policy defaultPolicy = policy("default", "ratelimiter.", capacityText, rateText, limitsText,
                defaultCapacity, defaultRate);
        Rules.Builder rules = Rules.builder(defaultPolicy);
        keyRules.forEach((key, attributes) -> rules.exact(key,
                policy(key, KEYS + key + ".", attributes, defaultCapacity, defaultRate)));
        patternRules.forEach((pattern, attributes) -> rules.pattern(pattern,
                policy(pattern, PATTERNS + pattern + ".", attributes, defaultCapacity,
                        defaultRate)));

        int maxKeyBytes = source.get("ratelimiter.maxKeyLength", "RATE_LIMITER_MAX_KEY_LENGTH")
                .map(t -> positiveInt("ratelimiter.maxKeyLength", t))
                .orElse(RateLimiterBuilder.DEFAULT_MAX_KEY_BYTES);
        return new RateLimiterConfig(rules.build(), maxKeyBytes);
    }

    /**
     * Reads the core section of plain properties, without environment variables.
     *
     * @param properties the properties
     * @return the configuration
     */
    public static RateLimiterConfig fromProperties(Properties properties) {
        return from(ConfigSource.of(properties, Map.of()));
    }

    /** @return which policy applies to which key */
    public Rules rules() {
        return rules;
    }

    /** @return the longest accepted key, in UTF-8 bytes */
    public int maxKeyBytes() {
        return maxKeyBytes;
    }

    private static boolean isOtherSection(String name) {
        for (String section : OTHER_SECTIONS) {
            if (name.startsWith(section)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isTopLevel(String name) {
        return name.equals("ratelimiter.capacity") || name.equals("ratelimiter.refillRate")
                || name.equals("ratelimiter.limits") || name.equals("ratelimiter.maxKeyLength");
    }

    private static void collect(String name, String prefix, Map<String, Map<String, String>> into,
                                ConfigSource source) {
        int dot = name.lastIndexOf('.');
        String attribute = name.substring(dot + 1);
        String subject = dot > prefix.length() ? name.substring(prefix.length(), dot) : "";
        if (subject.isEmpty() || !ATTRIBUTES.contains(attribute)) {
            throw new IllegalArgumentException("unknown property '" + name + "'; expected "
                    + prefix + "<name>.capacity, .refillRate or .limits"
                    + " (in a .properties file, escape ':' and '=' in names as '\\:' and '\\=')");
        }
        source.get(name, null).ifPresent(value ->
                into.computeIfAbsent(subject, s -> new LinkedHashMap<>()).put(attribute, value));
    }

    private static Policy policy(String name, String prefix, Map<String, String> attributes,
                                 long defaultCapacity, String defaultRate) {
        return policy(name, prefix, Optional.ofNullable(attributes.get("capacity")),
                Optional.ofNullable(attributes.get("refillRate")),
                Optional.ofNullable(attributes.get("limits")), defaultCapacity, defaultRate);
    }

    private static Policy policy(String name, String prefix, Optional<String> capacity,
                                 Optional<String> rate, Optional<String> limits,
                                 long defaultCapacity, String defaultRate) {
        if (limits.isPresent()) {
            if (capacity.isPresent() || rate.isPresent()) {
                throw new IllegalStateException(prefix + "limits cannot be combined with "
                        + prefix + "capacity or " + prefix + "refillRate");
            }
            return new Policy(name, new ArrayList<>(LimitSyntax.limits(prefix + "limits",
                    limits.get())));
        }
        long cap = capacity.map(t -> positiveLong(prefix + "capacity", t)).orElse(defaultCapacity);
        Limit limit = LimitSyntax.rate(rate.isPresent() ? prefix + "refillRate"
                : "ratelimiter.refillRate", cap, rate.orElse(defaultRate));
        return Policy.of(name, limit);
    }

    private static long positiveLong(String property, String text) {
        try {
            long value = Long.parseLong(text);
            if (value >= 1) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(
                property + " must be a whole number >= 1, was '" + text + "'");
    }

    private static int positiveInt(String property, String text) {
        long value = positiveLong(property, text);
        if (value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    property + " must be at most " + Integer.MAX_VALUE + ", was '" + text + "'");
        }
        return (int) value;
    }
}
