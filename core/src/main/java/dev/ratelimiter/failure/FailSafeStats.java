package dev.ratelimiter.failure;

/**
 * Counters of a limiter's store-failure handling, for metrics and health; read with
 * {@code RateLimiter.stats()}. A snapshot: immutable, taken without locking, so counters read
 * together may be a few events apart under load.
 *
 * @param state the circuit breaker's state when read ({@code CLOSED} for a limiter without a
 *     failure policy)
 * @param consecutiveFailures store failures since the last success
 * @param storeFailures store failures since the limiter was built
 * @param degradedDecisions decisions made without the store since the limiter was built
 * @param timesOpened how often the breaker has opened (including re-opening after a failed trial)
 * @param overloadedChecks checks refused as local back-pressure ({@code OVERLOADED}); never
 *     counted as store failures
 * @param failurePolicy what the limiter answers while the store is unavailable; null when none is
 *     configured (a store failure then reaches the caller as an exception)
 */
public record FailSafeStats(BreakerState state, long consecutiveFailures, long storeFailures,
                            long degradedDecisions, long timesOpened, long overloadedChecks,
                            FailurePolicy failurePolicy) {

    /** The stats of a limiter that has no failure handling: closed, all zero, no policy. */
    public static final FailSafeStats NONE =
            new FailSafeStats(BreakerState.CLOSED, 0, 0, 0, 0, 0, null);
}
