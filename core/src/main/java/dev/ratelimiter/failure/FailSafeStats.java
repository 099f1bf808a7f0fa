package dev.ratelimiter.failure;

/**
 * Counters of a {@link FailSafeRateLimiter}, for metrics. A snapshot: immutable, taken without
 * locking, so counters read together may be a few events apart under load.
 *
 * @param state the breaker's state when read
 * @param consecutiveFailures store failures since the last success
 * @param storeFailures store failures since the limiter was built
 * @param degradedDecisions decisions made without the store since the limiter was built
 * @param timesOpened how often the breaker has opened (including re-opening after a failed trial)
 */
public record FailSafeStats(BreakerState state, long consecutiveFailures, long storeFailures,
                            long degradedDecisions, long timesOpened) {
}
