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
 *   <tr><td>{@code ratelimiter.shadow} [RATE_LIMITER_SHADOW]</td>
 *       <td>{@code true}: the default policy runs in shadow mode (evaluated, state kept, a denial
 *       allowed and reported as {@code SHADOW_DENIED}); default false</td></tr>
 *   <tr><td>{@code ratelimiter.keys.<key>.capacity|refillRate|limits|shadow}</td>
 *       <td>a policy for exactly {@code <key>}; an unset capacity or refillRate is inherited
 *       from the default</td></tr>
 *   <tr><td>{@code ratelimiter.patterns.<pattern>.capacity|refillRate|limits|shadow}</td>
 *       <td>a policy for keys matching {@code <pattern>} ({@code *} is the wildcard; in a
 *       {@code .properties} file write {@code :} and {@code =} in names as {@code \:} and
 *       {@code \=})</td></tr>
 * </table>
 *
 * <p>A policy for a key or pattern is named after it. A malformed value is an error naming the
 * property (and its environment variable), as is an unknown name under {@code ratelimiter.keys.}
 * or {@code ratelimiter.patterns.}. Other modules read their own sections; whoever assembles them
 * (the standalone server, the Spring starter) rejects names that no section claims with
 * {@link ConfigSource#requireKnown}, using {@link #NAMES} and each module's section prefix.
 * Immutable and thread-safe.
 */
public final class RateLimiterConfig {

    /** The names and name prefixes this section reads, for {@link ConfigSource#requireKnown}. */
    public static final List<String> NAMES = List.of("ratelimiter.capacity",
            "ratelimiter.refillRate", "ratelimiter.limits", "ratelimiter.maxKeyLength",
            "ratelimiter.shadow",
            "ratelimiter.keys.", "ratelimiter.patterns.");

    private static final String PREFIX = "ratelimiter.";
    private static final String KEYS = "ratelimiter.keys.";
    private static final String PATTERNS = "ratelimiter.patterns.";
    private static final List<String> ATTRIBUTES = List.of("capacity", "refillRate", "limits",
            "shadow");
    private static final long DEFAULT_CAPACITY = 10;
    private static final String DEFAULT_RATE = "2";

    private final Rules rules;
    private final int maxKeyBytes;
    private final ConfigSection section;

    private RateLimiterConfig(Rules rules, int maxKeyBytes, ConfigSection section) {
        this.rules = rules;
        this.maxKeyBytes = maxKeyBytes;
        this.section = section;
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
        for (String name : source.propertyNames(KEYS)) {
            collect(name, KEYS, keyRules, source);
        }
        for (String name : source.propertyNames(PATTERNS)) {
            collect(name, PATTERNS, patternRules, source);
        }
        ConfigSection top = ConfigSection.shared(source, PREFIX);
        Optional<String> capacityText = top.text("capacity", "RATE_LIMITER_CAPACITY");
        Optional<String> rateText = top.text("refillRate", "RATE_LIMITER_REFILL_RATE");
        Optional<String> limitsText = top.text("limits", "RATE_LIMITER_LIMITS");
        long[] defaultCapacity = {DEFAULT_CAPACITY};
        top.apply("capacity", "RATE_LIMITER_CAPACITY", ConfigSection::wholeNumber,
                c -> defaultCapacity[0] = checkedCapacity(c));
        String defaultRate = rateText.orElse(DEFAULT_RATE);

        boolean[] defaultShadow = {false};
        top.apply("shadow", "RATE_LIMITER_SHADOW", ConfigSection::bool,
                b -> defaultShadow[0] = b);
        Policy defaultPolicy = policy("default", PREFIX, capacityText, rateText, limitsText,
                defaultCapacity[0], defaultRate).withShadow(defaultShadow[0]);
        Rules.Builder rules = Rules.builder(defaultPolicy);
        keyRules.forEach((key, attributes) -> rules.exact(key,
                policy(key, KEYS + key + ".", attributes, defaultCapacity[0], defaultRate)));
        patternRules.forEach((pattern, attributes) -> rules.pattern(pattern,
                policy(pattern, PATTERNS + pattern + ".", attributes, defaultCapacity[0],
                        defaultRate)));

        int[] maxKeyBytes = {RateLimiterBuilder.DEFAULT_MAX_KEY_BYTES};
        top.apply("maxKeyLength", "RATE_LIMITER_MAX_KEY_LENGTH", ConfigSection::intNumber,
                n -> maxKeyBytes[0] = n);
        return new RateLimiterConfig(rules.build(), maxKeyBytes[0], top);
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

    /**
     * Sets these rules and this key length on a limiter builder; the builder checks the length's
     * bound, and a violation names the property.
     *
     * @param builder the builder
     * @return the same builder
     * @throws IllegalArgumentException if {@code ratelimiter.maxKeyLength} is out of range
     */
    public RateLimiterBuilder applyTo(RateLimiterBuilder builder) {
        builder.rules(rules);
        section.apply("maxKeyLength", "RATE_LIMITER_MAX_KEY_LENGTH", ConfigSection::intNumber,
                builder::maxKeyBytes);
        return builder;
    }

    /** @return which policy applies to which key */
    public Rules rules() {
        return rules;
    }

    /** @return the longest accepted key, in UTF-8 bytes */
    public int maxKeyBytes() {
        return maxKeyBytes;
    }

    private static void collect(String name, String prefix, Map<String, Map<String, String>> into,
                                ConfigSource source) {
        int dot = name.lastIndexOf('.');
        String attribute = name.substring(dot + 1);
        String subject = dot > prefix.length() ? name.substring(prefix.length(), dot) : "";
        if (subject.isEmpty() || !ATTRIBUTES.contains(attribute)) {
            throw new IllegalArgumentException("unknown property '" + name + "'; expected "
                    + prefix + "<name>.capacity, .refillRate, .limits or .shadow"
                    + " (in a .properties file, escape ':' and '=' in names as '\\:' and '\\=')");
        }
        source.get(name, null).ifPresent(value ->
                into.computeIfAbsent(subject, s -> new LinkedHashMap<>()).put(attribute, value));
    }

    private static Policy policy(String name, String prefix, Map<String, String> attributes,
                                 long defaultCapacity, String defaultRate) {
        Policy policy = policy(name, prefix, Optional.ofNullable(attributes.get("capacity")),
                Optional.ofNullable(attributes.get("refillRate")),
                Optional.ofNullable(attributes.get("limits")), defaultCapacity, defaultRate);
        String shadow = attributes.get("shadow");
        if (shadow == null) {
            return policy;
        }
        try {
            return policy.withShadow(ConfigSection.bool(shadow.trim()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(prefix + "shadow " + e.getMessage() + ", was '"
                    + shadow + "'", e);
        }
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
        long cap = capacity.map(t -> capacity(prefix + "capacity", t)).orElse(defaultCapacity);
        Limit limit = LimitSyntax.rate(rate.isPresent() ? prefix + "refillRate"
                : "ratelimiter.refillRate", cap, rate.orElse(defaultRate));
        return Policy.of(name, limit);
    }

    /** A policy's capacity text; bounds are {@link Limit}'s, messages name the property. */
    private static long capacity(String property, String text) {
        long value;
        try {
            value = ConfigSection.wholeNumber(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(property + " " + e.getMessage() + ", was '" + text
                    + "'", e);
        }
        try {
            return checkedCapacity(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(property + ": " + e.getMessage(), e);
        }
    }

    private static long checkedCapacity(long capacity) {
        Limit.capacity(capacity); // throws "capacity must be >= 1, was ..." when it is not
        return capacity;
    }
}
