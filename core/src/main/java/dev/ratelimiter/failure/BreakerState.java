package dev.ratelimiter.failure;

/** The states of a limiter's store circuit breaker (see {@code RateLimiter.stats()}). */
public enum BreakerState {

    /** The store is used for every decision; failures are counted. */
    CLOSED,

    /** The store failed repeatedly: decisions follow the failure policy without calling it. */
    OPEN,

    /** The open period is over: one request is trying the store; the others still get the policy. */
    HALF_OPEN
}
