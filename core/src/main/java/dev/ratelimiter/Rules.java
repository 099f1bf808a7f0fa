package dev.ratelimiter;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Which {@link Policy} applies to a key: an exact rule for the key if there is one, otherwise
 * the most specific matching pattern, otherwise the default.
 *
 * <p>Patterns use {@code *} as their only wildcard ({@code "user:*"}, {@code "*:search"},
 * {@code "api:*:write"}). When several match, the most specific wins, decided in this order and
 * never by the order the rules were added:
 * <ol>
 *   <li>more literal (non-{@code *}) characters;</li>
 *   <li>then a longer literal prefix (the text before the first {@code *});</li>
 *   <li>then the pattern's text, in {@link String#compareTo} order, so that the choice is
 *       deterministic.</li>
 * </ol>
 * For key {@code "user:42:search"}: {@code "user:*:search"} (12 literal characters) beats
 * {@code "*:search"} (7), which beats {@code "user:*"} (5). Between {@code "ab*"} and
 * {@code "*ab"} (2 each), the longer prefix wins: {@code "ab*"}.
 *
 * <p>Matching is linear in the key's length for each pattern; no regular expression is built.
 *
 * <p>Immutable and thread-safe.
 */
public final class Rules {

    private final Policy defaultPolicy;
    private final Map<String, Policy> exact;
    private final List<Map.Entry<GlobPattern, Policy>> patterns;

    private Rules(Builder builder) {
        this.defaultPolicy = builder.defaultPolicy;
        this.exact = Map.copyOf(builder.exact);
        List<Map.Entry<GlobPattern, Policy>> sorted = new ArrayList<>();
        for (Map.Entry<String, Policy> e : builder.patterns.entrySet()) {
            sorted.add(Map.entry(new GlobPattern(e.getKey()), e.getValue()));
        }
        sorted.sort(Comparator.comparing(Map.Entry::getKey, MOST_SPECIFIC_FIRST));
        this.patterns = List.copyOf(sorted);
    }

    static final Comparator<GlobPattern> MOST_SPECIFIC_FIRST =
            Comparator.comparingInt(GlobPattern::literalChars).reversed()
                    .thenComparing(Comparator.comparingInt(GlobPattern::prefixLength).reversed())
                    .thenComparing(GlobPattern::text);

    /**
     * Rules with only a default policy.
     *
     * @param defaultPolicy the policy for every key
     * @return the rules
     */
    public static Rules of(Policy defaultPolicy) {
        return builder(defaultPolicy).build();
    }

    /**
     * Starts rules with the policy for keys that no other rule matches.
     *
     * @param defaultPolicy the fallback policy
     * @return a builder
     * @throws NullPointerException if {@code defaultPolicy} is null
     */
    public static Builder builder(Policy defaultPolicy) {
        return new Builder(defaultPolicy);
    }

    /**
     * The policy for a key.
     *
     * @param key the key, not null
     * @return the exact rule's policy, else the most specific matching pattern's, else the default
     */
    public Policy resolve(String key) {
        Policy policy = exact.get(key);
        if (policy != null) {
            return policy;
        }
        for (int i = 0, n = patterns.size(); i < n; i++) {
            Map.Entry<GlobPattern, Policy> candidate = patterns.get(i);
            if (candidate.getKey().matches(key)) {
                return candidate.getValue();
            }
        }
        return defaultPolicy;
    }

    /** The default policy. @return the fallback policy */
    public Policy defaultPolicy() {
        return defaultPolicy;
    }

    /** Every distinct policy these rules can return, default first. @return the policies */
    public List<Policy> policies() {
        List<Policy> all = new ArrayList<>();
        all.add(defaultPolicy);
        for (Policy p : exact.values()) {
            if (!all.contains(p)) {
                all.add(p);
            }
        }
        for (Map.Entry<GlobPattern, Policy> e : patterns) {
            if (!all.contains(e.getValue())) {
                all.add(e.getValue());
            }
        }
        return all;
    }

    /** Same rules, with every policy mapped once through {@code compile}; for the engine. */
    <T> Compiled<T> compile(Function<Policy, T> compile) {
        Map<Policy, T> cache = new HashMap<>();
        Function<Policy, T> once = p -> cache.computeIfAbsent(p, compile);
        Map<String, T> exactCompiled = new HashMap<>();
        exact.forEach((k, p) -> exactCompiled.put(k, once.apply(p)));
        List<GlobPattern> globs = new ArrayList<>();
        List<T> values = new ArrayList<>();
        for (Map.Entry<GlobPattern, Policy> e : patterns) {
            globs.add(e.getKey());
            values.add(once.apply(e.getValue()));
        }
        return new Compiled<>(once.apply(defaultPolicy), exactCompiled,
                globs.toArray(new GlobPattern[0]), values);
    }

    /** The resolution structure with a value per policy; same order and semantics as Rules. */
    static final class Compiled<T> {
        private final T defaultValue;
        private final Map<String, T> exact;
        private final GlobPattern[] globs;
        private final Object[] values;

        private Compiled(T defaultValue, Map<String, T> exact, GlobPattern[] globs, List<T> values) {
            this.defaultValue = defaultValue;
            this.exact = Map.copyOf(exact);
            this.globs = globs;
            this.values = values.toArray();
        }

        @SuppressWarnings("unchecked")
        T resolve(String key) {
            T value = exact.get(key);
            if (value != null) {
                return value;
            }
            for (int i = 0; i < globs.length; i++) {
                if (globs[i].matches(key)) {
                    return (T) values[i];
                }
            }
            return defaultValue;
        }
    }

    /**
     * Collects rules. Not thread-safe; build once and share the {@link Rules}.
     */
    public static final class Builder {
        private final Policy defaultPolicy;
        private final Map<String, Policy> exact = new HashMap<>();
        private final Map<String, Policy> patterns = new HashMap<>();

        private Builder(Policy defaultPolicy) {
            this.defaultPolicy = Objects.requireNonNull(defaultPolicy, "defaultPolicy");
        }

        /**
         * The policy for exactly this key.
         *
         * @param key the key, not blank
         * @param policy its policy
         * @return this builder
         * @throws IllegalArgumentException if {@code key} is blank
         * @throws IllegalStateException if the key already has a rule
         */
        public Builder exact(String key, Policy policy) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(policy, "policy");
            if (key.isBlank()) {
                throw new IllegalArgumentException("rule key must not be blank");
            }
            if (exact.putIfAbsent(key, policy) != null) {
                throw new IllegalStateException("key '" + key + "' already has a rule");
            }
            return this;
        }

        /**
         * The policy for keys matching a pattern, where {@code *} matches any run of characters.
         *
         * @param pattern the pattern, not blank
         * @param policy its policy
         * @return this builder
         * @throws IllegalArgumentException if {@code pattern} is blank
         * @throws IllegalStateException if the pattern already has a rule
         */
        public Builder pattern(String pattern, Policy policy) {
            Objects.requireNonNull(pattern, "pattern");
            Objects.requireNonNull(policy, "policy");
            if (pattern.isBlank()) {
                throw new IllegalArgumentException("rule pattern must not be blank");
            }
            if (patterns.putIfAbsent(pattern, policy) != null) {
                throw new IllegalStateException("pattern '" + pattern + "' is configured twice");
            }
            return this;
        }

        /** @return the immutable rules */
        public Rules build() {
            return new Rules(this);
        }
    }
}
