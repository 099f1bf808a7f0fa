package dev.ratelimiter;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * The answer to one request for tokens, with everything an adapter needs for response headers.
 *
 * <p>Times are kept in nanoseconds so that a decision costs one allocation; {@link #retryAfter()}
 * and {@link #resetAfter()} give them as {@link Duration}s.
 *
 * <ul>
 *   <li>{@code retryAfterNanos} is 0 when allowed. When denied it is how long until the request
 *       could succeed if nothing else consumed; when the request can never succeed (it asks for
 *       more tokens than the policy's smallest capacity) it is {@link #NEVER} and
 *       {@link #exceedsCapacity()} is true. Nothing is consumed by a denied request.</li>
 *   <li>{@code resetAfterNanos} is how long until the bucket is full again if nothing consumes.</li>
 *   <li>{@code remaining} is the tokens left after this decision, in the tightest bucket of the
 *       policy (the minimum over its limits), never negative.</li>
 *   <li>{@code limit} is the capacity of the policy's tightest limit
 *       ({@link Policy#tightestLimit()}).</li>
 *   <li>{@code degraded} is true when the decision was taken without the store (the store was
 *       unavailable and a failure policy answered instead).</li>
 * </ul>
 *
 * <p>Immutable and thread-safe. {@code key} and {@code policy} are never null.
 *
 * @param allowed whether the tokens were granted (and consumed)
 * @param key the key asked for
 * @param tokensRequested the tokens asked for
 * @param remaining tokens left, never negative
 * @param limit capacity of the tightest limit
 * @param retryAfterNanos nanoseconds until a retry may succeed; 0 when allowed; {@link #NEVER}
 * @param resetAfterNanos nanoseconds until the bucket is full again
 * @param policy the policy that decided
 * @param degraded whether the store was bypassed
 */
public record Decision(boolean allowed, String key, long tokensRequested, long remaining,
                       long limit, long retryAfterNanos, long resetAfterNanos, Policy policy,
                       boolean degraded) {

    /** The {@code retryAfterNanos} of a request that can never succeed. */
    public static final long NEVER = Long.MAX_VALUE;

    /**
     * Checks nullness.
     *
     * @throws NullPointerException if {@code key} or {@code policy} is null
     */
    public Decision {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(policy, "policy");
    }

    /**
     * How long until a retry may succeed: zero when allowed, {@link ChronoUnit#FOREVER}'s
     * duration when the request can never succeed.
     *
     * @return the wait, never null
     */
    public Duration retryAfter() {
        if (retryAfterNanos == NEVER) {
            return ChronoUnit.FOREVER.getDuration();
        }
        return retryAfterNanos == 0 ? Duration.ZERO : Duration.ofNanos(retryAfterNanos);
    }

    /**
     * How long until the bucket is full again if nothing consumes.
     *
     * @return the time to full, never null
     */
    public Duration resetAfter() {
        return resetAfterNanos == 0 ? Duration.ZERO : Duration.ofNanos(resetAfterNanos);
    }

    /**
     * Whether the request asked for more tokens than the policy's smallest capacity, so that it
     * can never succeed however long the caller waits.
     *
     * @return true if no wait makes this request succeed
     */
    public boolean exceedsCapacity() {
        return retryAfterNanos == NEVER;
    }

    /**
     * The name of the policy that decided.
     *
     * @return the policy name
     */
    public String policyName() {
        return policy.name();
    }
}
