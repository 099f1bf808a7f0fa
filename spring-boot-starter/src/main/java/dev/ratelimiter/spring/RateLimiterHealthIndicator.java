package dev.ratelimiter.spring;

import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.failure.BreakerState;
import dev.ratelimiter.failure.FailSafeStats;
import dev.ratelimiter.failure.FailurePolicy;
import dev.ratelimiter.spi.BucketStore;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The actuator's {@code ratelimiter} health: the store and its circuit breaker, as the
 * standalone server's {@code /health} reports them.
 * <ul>
 *   <li>{@code UP}: a local store, or a remote one whose breaker is closed with no recent
 *       failure;</li>
 *   <li>{@code DEGRADED}: the breaker is half-open, or closed after recent failures, or open
 *       while the failure policy still answers (fail-open, local-fallback);</li>
 *   <li>{@code DOWN}: the breaker is open and the policy is fail-closed, so checks are refused
 *       (the server's 503 case; the actuator maps DOWN to 503 too).</li>
 * </ul>
 * Details: {@code backend}, and with a failure policy {@code state}, {@code failurePolicy},
 * {@code consecutiveFailures}, {@code storeFailures}, {@code degradedDecisions},
 * {@code overloadedChecks}. Cheap and
 * thread-safe: it reads counters, it does not call the store.
 */
final class RateLimiterHealthIndicator implements HealthIndicator {

    /** Checks are answered, but not from the store. */
    static final Status DEGRADED = new Status("DEGRADED", "answered without the store");

    private final RateLimiter limiter;
    private final String backend;

    RateLimiterHealthIndicator(RateLimiter limiter, BucketStore store) {
        this.limiter = limiter;
        this.backend = store == null ? "unknown" : store.name();
    }

    @Override
    public Health health() {
        FailSafeStats stats = limiter.stats();
        if (stats.failurePolicy() == null) {
            // A local store, or a remote one without failure handling (its failures are 503s).
            return Health.up().withDetail("backend", backend).build();
        }
        Status status;
        if (stats.state() == BreakerState.OPEN) {
            status = stats.failurePolicy() == FailurePolicy.FAIL_CLOSED ? Status.DOWN : DEGRADED;
        } else if (stats.state() == BreakerState.HALF_OPEN || stats.consecutiveFailures() > 0) {
            status = DEGRADED;
        } else {
            status = Status.UP;
        }
        return Health.status(status)
                .withDetail("backend", backend)
                .withDetail("state", stats.state().name())
                .withDetail("failurePolicy", stats.failurePolicy().name())
                .withDetail("consecutiveFailures", stats.consecutiveFailures())
                .withDetail("storeFailures", stats.storeFailures())
                .withDetail("degradedDecisions", stats.degradedDecisions())
                .withDetail("overloadedChecks", stats.overloadedChecks())
                .build();
    }
}
