package dev.ratelimiter.failure;

import dev.ratelimiter.RateLimiterBuilder;
import dev.ratelimiter.config.ConfigSource;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code ratelimiter.store.*} settings: what a limiter answers when its store cannot be
 * reached.
 *
 * <table>
 *   <caption>Properties (environment variable in brackets)</caption>
 *   <tr><td>{@code ratelimiter.store.failurePolicy} [RATE_LIMITER_FAILURE_POLICY]</td>
 *       <td>{@code fail-open} (default), {@code fail-closed} or {@code local-fallback}</td></tr>
 *   <tr><td>{@code ratelimiter.store.failureThreshold}</td>
 *       <td>consecutive failures that open the circuit breaker; default 3</td></tr>
 *   <tr><td>{@code ratelimiter.store.openDurationMs}</td>
 *       <td>how long the breaker stays open before trying the store again; default 1000</td></tr>
 * </table>
 *
 * <p>Any other {@code ratelimiter.store.*} name, or a malformed value, is an error naming the
 * property. Immutable and thread-safe.
 *
 * @param policy what to answer when the store fails
 * @param failureThreshold consecutive failures that open the breaker, at least 1
 * @param openDuration how long the breaker stays open, positive
 */
public record FailSafeConfig(FailurePolicy policy, int failureThreshold, Duration openDuration) {

    private static final String PREFIX = "ratelimiter.store.";
    private static final Set<String> NAMES =
            Set.of("failurePolicy", "failureThreshold", "openDurationMs");

    /**
     * Checks nullness.
     *
     * @throws NullPointerException if {@code policy} or {@code openDuration} is null
     */
    public FailSafeConfig {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(openDuration, "openDuration");
    }

    /**
     * Reads the {@code ratelimiter.store.*} section.
     *
     * @param source settings
     * @return the settings, defaults for what is unset
     * @throws IllegalArgumentException for an unknown name or a malformed value, naming it
     */
    public static FailSafeConfig from(ConfigSource source) {
        for (String name : source.propertyNames(PREFIX)) {
            if (!NAMES.contains(name.substring(PREFIX.length()))) {
                throw new IllegalArgumentException("unknown property '" + name + "'; known: "
                        + PREFIX + "{" + String.join(", ", new TreeSet<>(NAMES)) + "}");
            }
        }
        FailurePolicy policy = source.get(PREFIX + "failurePolicy", "RATE_LIMITER_FAILURE_POLICY")
                .map(FailSafeConfig::policy).orElse(FailurePolicy.FAIL_OPEN);
        int threshold = source.get(PREFIX + "failureThreshold", null)
                .map(t -> (int) bounded(PREFIX + "failureThreshold", t, 1000))
                .orElse(FailSafeRateLimiter.DEFAULT_FAILURE_THRESHOLD);
        Duration open = source.get(PREFIX + "openDurationMs", null)
                .map(t -> Duration.ofMillis(bounded(PREFIX + "openDurationMs", t, 3_600_000)))
                .orElse(FailSafeRateLimiter.DEFAULT_OPEN_DURATION);
        return new FailSafeConfig(policy, threshold, open);
    }

    /**
     * Sets this failure policy and breaker on a limiter builder.
     *
     * @param builder the builder of a limiter on a remote store
     * @return the same builder
     */
    public RateLimiterBuilder applyTo(RateLimiterBuilder builder) {
        return builder.onStoreFailure(policy,
                options -> options.failureThreshold(failureThreshold).openDuration(openDuration));
    }

    private static FailurePolicy policy(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (FailurePolicy p : FailurePolicy.values()) {
            if (p.name().equals(t)) {
                return p;
            }
        }
        throw new IllegalArgumentException(PREFIX + "failurePolicy must be fail-open,"
                + " fail-closed or local-fallback, was '" + text + "'");
    }

    private static long bounded(String name, String text, long max) {
        try {
            long n = Long.parseLong(text);
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a whole number from 1 to " + max
                + ", was '" + text + "'");
    }
}
