package dev.ratelimiter.config;

import dev.ratelimiter.RateLimiterBuilder;
import dev.ratelimiter.failure.FailurePolicy;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code ratelimiter.store.*} settings: what a limiter answers when its store cannot be
 * reached, and its circuit breaker.
 *
 * <table>
 *   <caption>Properties (environment variable in brackets)</caption>
 *   <tr><td>{@code ratelimiter.store.failurePolicy} [RATE_LIMITER_FAILURE_POLICY]</td>
 *       <td>{@code fail-open} (default), {@code fail-closed} or {@code local-fallback}</td></tr>
 *   <tr><td>{@code ratelimiter.store.failureThreshold}
 *       [RATE_LIMITER_FAILURE_THRESHOLD]</td>
 *       <td>consecutive failures that open the circuit breaker; default 3</td></tr>
 *   <tr><td>{@code ratelimiter.store.openDurationMs} [RATE_LIMITER_OPEN_DURATION_MS]</td>
 *       <td>how long the breaker stays open before trying the store again; default 1000</td></tr>
 * </table>
 *
 * <p>Any other {@code ratelimiter.store.*} name, or a malformed value, is an error naming the
 * property; the bounds are {@link RateLimiterBuilder#circuitBreaker}'s. Immutable and
 * thread-safe.
 *
 * @param policy what to answer when the store fails
 * @param failureThreshold consecutive failures that open the breaker
 * @param openDuration how long the breaker stays open
 */
public record FailSafeConfig(FailurePolicy policy, int failureThreshold, Duration openDuration) {

    /** The section's prefix. */
    public static final String SECTION = "ratelimiter.store.";
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
     * @throws IllegalArgumentException for an unknown name or a bad value, naming it
     */
    public static FailSafeConfig from(ConfigSource source) {
        ConfigSection s = ConfigSection.of(source, SECTION, NAMES);
        FailurePolicy[] policy = {FailurePolicy.FAIL_OPEN};
        s.apply("failurePolicy", "RATE_LIMITER_FAILURE_POLICY", FailSafeConfig::policy,
                p -> policy[0] = p);
        int[] threshold = {RateLimiterBuilder.DEFAULT_FAILURE_THRESHOLD};
        Duration[] open = {RateLimiterBuilder.DEFAULT_OPEN_DURATION};
        // The builder owns the bounds.
        s.apply("failureThreshold", "RATE_LIMITER_FAILURE_THRESHOLD", ConfigSection::intNumber,
                t -> threshold[0] = RateLimiterBuilder.checkFailureThreshold(t));
        s.apply("openDurationMs", "RATE_LIMITER_OPEN_DURATION_MS", ConfigSection::millis,
                d -> open[0] = RateLimiterBuilder.checkOpenDuration(d));
        return new FailSafeConfig(policy[0], threshold[0], open[0]);
    }

    /**
     * Sets this failure policy and breaker on a limiter builder.
     *
     * @param builder the builder of a limiter on a remote store
     * @return the same builder
     */
    public RateLimiterBuilder applyTo(RateLimiterBuilder builder) {
        return builder.onStoreFailure(policy).circuitBreaker(failureThreshold, openDuration);
    }

    private static FailurePolicy policy(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (FailurePolicy p : FailurePolicy.values()) {
            if (p.name().equals(t)) {
                return p;
            }
        }
        throw new IllegalArgumentException("must be fail-open, fail-closed or local-fallback");
    }
}
