package dev.ratelimiter;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * The answer to one request for tokens, with everything an adapter needs for response headers,
 * and {@link #outcome() why} it was answered so, so that adapters translate and never infer.
 *
 * <p>Times are kept in nanoseconds so that a decision costs one allocation; {@link #retryAfter()}
 * and {@link #resetAfter()} give them as {@link Duration}s.
 *
 * <ul>
 *   <li>{@code outcome} says who decided and why: the limit ({@link Outcome#ALLOWED},
 *       {@link Outcome#DENIED}), the failure policy while the store was unavailable
 *       ({@link Outcome#FAILED_OPEN}, {@link Outcome#FAILED_CLOSED},
 *       {@link Outcome#FALLBACK_ALLOWED}, {@link Outcome#FALLBACK_DENIED}), or a refusal that is
 *       not about the limit at all ({@link Outcome#STORE_FULL}, {@link Outcome#OVERLOADED}), or a
 *       shadow policy's denial let through ({@link Outcome#SHADOW_DENIED}).
 *       {@link #allowed()} and {@link #degraded()} are derived from it.</li>
 *   <li>{@code retryAfterNanos} is 0 when allowed. When denied it is how long until the request
 *       could succeed if nothing else consumed; when the request can never succeed (it asks for
 *       more tokens than the policy's smallest capacity) it is {@link #NEVER} and
 *       {@link #exceedsCapacity()} is true. Nothing is consumed by a denied request. For a
 *       refusal ({@link Outcome#refused()}) it is when to try again.</li>
 *   <li>{@code resetAfterNanos} is how long until the bucket is full again if nothing consumes.</li>
 *   <li>{@code remaining} is the tokens left after this decision, in the tightest bucket of the
 *       policy (the minimum over its limits), never negative.</li>
 *   <li>{@code limit} is the capacity of the policy's tightest limit
 *       ({@link Policy#tightestLimit()}).</li>
 * </ul>
 *
 * <p>Immutable and thread-safe. {@code outcome}, {@code key} and {@code policy} are never null.
 *
 * @param outcome who decided, and why
 * @param key the key asked for
 * @param tokensRequested the tokens asked for
 * @param remaining tokens left, never negative
 * @param limit capacity of the tightest limit
 * @param retryAfterNanos nanoseconds until a retry may succeed; 0 when allowed; {@link #NEVER}
 * @param resetAfterNanos nanoseconds until the bucket is full again
 * @param policy the policy that applies to the key
 */
public record Decision(Outcome outcome, String key, long tokensRequested, long remaining,
                       long limit, long retryAfterNanos, long resetAfterNanos, Policy policy) {

    /** The {@code retryAfterNanos} of a request that can never succeed. */
    public static final long NEVER = Long.MAX_VALUE;

    /**
     * Why a request was answered as it was. Adapters map each to a response (see the HTTP
     * module's responder); metrics tag checks with {@link #tag()}.
     */
    public enum Outcome {
        /** The store had the tokens; they were taken. */
        ALLOWED(true, false, false),
        /** The limit refused: not enough tokens (or more than the capacity). */
        DENIED(false, false, false),
        /** The store was unavailable; {@code FAIL_OPEN} allowed the request. */
        FAILED_OPEN(true, true, false),
        /** The store was unavailable; {@code FAIL_CLOSED} refused the request. */
        FAILED_CLOSED(false, true, true),
        /** The store was unavailable; the in-process fallback's limit allowed the request. */
        FALLBACK_ALLOWED(true, true, false),
        /** The store was unavailable; the in-process fallback's limit refused the request. */
        FALLBACK_DENIED(false, true, false),
        /**
         * A bounded store holds its maximum of keys, none of which may be dropped, so a new key
         * cannot be tracked: refused, nothing consumed. Not a store failure.
         */
        STORE_FULL(false, false, true),
        /**
         * This JVM could not send the check to the store in time (its queue was full or the
         * deadline passed before the command was written): refused as back-pressure, nothing
         * consumed. Not a store failure: the failure policy does not apply and the circuit
         * breaker does not count it.
         */
        OVERLOADED(false, false, true),
        /**
         * The policy is in shadow mode ({@link Policy#shadow()}) and would have denied: the
         * request is allowed and nothing was consumed (the state is what enforcement would have
         * left). Adapters answer as allowed and say which policy would have denied.
         */
        SHADOW_DENIED(true, false, false);

        private final boolean allowed;
        private final boolean degraded;
        private final boolean refused;
        private final String tag;

        Outcome(boolean allowed, boolean degraded, boolean refused) {
            this.allowed = allowed;
            this.degraded = degraded;
            this.refused = refused;
            this.tag = name().toLowerCase(java.util.Locale.ROOT);
        }

        /** @return whether the request may proceed */
        public boolean allowed() {
            return allowed;
        }

        /** @return whether the store was bypassed and a failure policy decided */
        public boolean degraded() {
            return degraded;
        }

        /**
         * Whether the answer is a refusal that is not the limit's ({@code FAILED_CLOSED},
         * {@code STORE_FULL}, {@code OVERLOADED}): an HTTP adapter answers 503, not 429.
         *
         * @return true for a service-side refusal
         */
        public boolean refused() {
            return refused;
        }

        /** @return the lower-case name, as metrics tag it: {@code "failed_open"} */
        public String tag() {
            return tag;
        }
    }

    /**
     * Checks nullness.
     *
     * @throws NullPointerException if {@code outcome}, {@code key} or {@code policy} is null
     */
    public Decision {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(policy, "policy");
    }

    /**
     * Whether the tokens were granted (and, when the store decided, consumed).
     *
     * @return {@code outcome().allowed()}
     */
    public boolean allowed() {
        return outcome.allowed();
    }

    /**
     * Whether the decision was taken without the store (a failure policy answered instead).
     *
     * @return {@code outcome().degraded()}
     */
    public boolean degraded() {
        return outcome.degraded();
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
