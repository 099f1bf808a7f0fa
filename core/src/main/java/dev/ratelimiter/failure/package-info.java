/**
 * What the limiter does when its store is down: {@link dev.ratelimiter.failure.FailSafeRateLimiter}
 * wraps any {@link dev.ratelimiter.RateLimiter} with a {@link dev.ratelimiter.failure.FailurePolicy}
 * and a circuit breaker, so that a dead store costs a few timeouts rather than one per request.
 */
package dev.ratelimiter.failure;
