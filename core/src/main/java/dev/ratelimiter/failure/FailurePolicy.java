package dev.ratelimiter.failure;

/**
 * What a limiter answers when its store cannot be reached (or its circuit breaker is open); set
 * with {@code RateLimiter.builder().onStoreFailure(policy)}. Every such decision is
 * {@code degraded()} and its outcome names the policy ({@code FAILED_OPEN}, {@code FAILED_CLOSED},
 * {@code FALLBACK_ALLOWED}, {@code FALLBACK_DENIED}).
 *
 * <p>Only a store failure ({@code StoreUnavailableException}: refused, reset, timed out on a sent
 * command, error reply) applies a policy. A check this JVM could not send in time is
 * {@code OVERLOADED}, whatever the policy.
 */
public enum FailurePolicy {

    /**
     * Allow the request: availability over enforcement, like the reference client. The decision
     * reports the policy's full capacity as remaining, since nothing is known. The default.
     */
    FAIL_OPEN,

    /**
     * Deny the request: enforcement over availability. {@code retryAfter} is the time until the
     * breaker next tries the store (at least 1 ns).
     */
    FAIL_CLOSED,

    /**
     * Decide with an in-process limiter that has the same rules, so each JVM still enforces the
     * limit on its own share of the traffic until the store is back. Its buckets start full and
     * are independent of the store's. It holds at most 100,000 keys (core's in-memory store);
     * a new key beyond that, with none idle, is allowed as under {@link #FAIL_OPEN} (outcome
     * {@code FAILED_OPEN}).
     */
    LOCAL_FALLBACK
}
