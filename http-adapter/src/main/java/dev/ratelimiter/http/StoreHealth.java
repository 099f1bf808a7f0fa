package dev.ratelimiter.http;

import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.failure.FailSafeStats;
import dev.ratelimiter.failure.FailurePolicy;

/**
 * What {@code /health} reports about the store, read from the limiter's
 * {@link RateLimiter#stats()}: a limiter without a failure policy (an in-process store) is always
 * {@link Status#UP}; one with a policy reports its circuit breaker.
 *
 * <p>Thread-safe and cheap: each read is one stats snapshot, taken per health probe.
 */
final class StoreHealth {

    /** The store's state as {@code /health} reports it. */
    enum Status { UP, DEGRADED, DOWN }

    private final RateLimiter limiter;

    StoreHealth(RateLimiter limiter) {
        this.limiter = limiter;
    }

    /**
     * {@code DOWN} while the breaker is open, {@code DEGRADED} after a failure or while trying the
     * store again, {@code UP} otherwise.
     *
     * @return the state now
     */
    Status status() {
        FailSafeStats stats = limiter.stats();
        switch (stats.state()) {
            case OPEN:
                return Status.DOWN;
            case HALF_OPEN:
                return Status.DEGRADED;
            default:
                return stats.consecutiveFailures() > 0 ? Status.DEGRADED : Status.UP;
        }
    }

    /** @return whether checks are refused (503) while the store is down */
    boolean failClosed() {
        return limiter.stats().failurePolicy() == FailurePolicy.FAIL_CLOSED;
    }
}
