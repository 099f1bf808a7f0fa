package dev.ratelimiter;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
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
 *   <li>{@code resetAfterNanos} is how long until the bucket is full again if nothing consumes
 *       (every limit full: the longest of the limits' times).</li>
 *   <li>{@code remaining} is the tokens left after this decision, in the tightest bucket of the
 *       policy (the minimum over its limits), never negative.</li>
 *   <li>{@code limit} is the capacity of the policy's tightest limit
 *       ({@link Policy#tightestLimit()}).</li>
 *   <li>{@code perLimit} is each limit's own tokens left and time to full, for a policy of
 *       several limits, in the order of {@link Policy#limits()}; null when there is nothing more
 *       to say than {@code remaining} and {@code resetAfterNanos} (a single-limit policy, or a
 *       decision taken without the store that knows nothing per limit). Read it through
 *       {@link #remaining(int)} and {@link #resetAfterNanos(int)}, which answer either way.</li>
 * </ul>
 *
 * <p>For a policy of "100 per minute" and "1,000 per day" after 93 requests at once,
 * {@code remaining()} is 7 (the minute's), {@code remaining(0)} 7 and {@code remaining(1)} 907;
 * {@code resetAfterNanos(1)} is the day limit's own time to full, and {@code resetAfterNanos()}
 * the longest of them.
 *
 * <p>Immutable and thread-safe. {@code outcome}, {@code key} and {@code policy} are never null;
 * {@code perLimit} may be.
 *
 * @param outcome who decided, and why
 * @param key the key asked for
 * @param tokensRequested the tokens asked for
 * @param remaining tokens left, never negative
 * @param limit capacity of the tightest limit
 * @param retryAfterNanos nanoseconds until a retry may succeed; 0 when allowed; {@link #NEVER}
 * @param resetAfterNanos nanoseconds until the bucket is full again
 * @param policy the policy that applies to the key
 * @param perLimit each limit's tokens left and time to full, in the policy's order, or null:
 *     every limit as {@code remaining} and {@code resetAfterNanos}
 */
public record Decision(Outcome outcome, String key, long tokensRequested, long remaining,
                       long limit, long retryAfterNanos, long resetAfterNanos, Policy policy,
                       PerLimit perLimit) {

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
     * Checks nullness, and that {@code perLimit} has one entry per limit of the policy.
     *
     * @throws NullPointerException if {@code outcome}, {@code key} or {@code policy} is null
     * @throws IllegalArgumentException if {@code perLimit} is not null and its size is not the
     *     number of the policy's limits
     */
    public Decision {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(policy, "policy");
        if (perLimit != null && perLimit.size() != policy.limits().size()) {
            throw new IllegalArgumentException("perLimit must have one entry per limit of policy '"
                    + policy.name() + "' (" + policy.limits().size() + "), had "
                    + perLimit.size());
        }
    }

    /**
     * A decision without per-limit values: each limit reports {@code remaining} and
     * {@code resetAfterNanos} (exact for a single-limit policy). The constructor of the first
     * release, kept for callers that build decisions (tests stubbing a limiter, say).
     *
     * @param outcome who decided, and why
     * @param key the key asked for
     * @param tokensRequested the tokens asked for
     * @param remaining tokens left, never negative
     * @param limit capacity of the tightest limit
     * @param retryAfterNanos nanoseconds until a retry may succeed; 0 when allowed;
     *     {@link #NEVER}
     * @param resetAfterNanos nanoseconds until the bucket is full again
     * @param policy the policy that applies to the key
     * @throws NullPointerException if {@code outcome}, {@code key} or {@code policy} is null
     */
    public Decision(Outcome outcome, String key, long tokensRequested, long remaining,
                    long limit, long retryAfterNanos, long resetAfterNanos, Policy policy) {
        this(outcome, key, tokensRequested, remaining, limit, retryAfterNanos, resetAfterNanos,
                policy, null);
    }

    /**
     * Each limit's own state after a decision, in the order of the policy's
     * {@link Policy#limits()}: the tokens it has left and the nanoseconds until it is full again
     * if nothing consumes. Both are never negative (a limit in debt, as after a reservation,
     * reports 0 tokens).
     *
     * <p>Immutable and thread-safe: {@link #of} copies its arrays. Equal when the values are.
     */
    public static final class PerLimit {

        private final long[] remaining;
        private final long[] resetAfterNanos;

        /** Takes the arrays as they are; the engine hands over arrays no one else holds. */
        PerLimit(long[] remaining, long[] resetAfterNanos) {
            this.remaining = remaining;
            this.resetAfterNanos = resetAfterNanos;
        }

        /**
         * Per-limit values, copied.
         *
         * @param remaining each limit's tokens left (a negative count is reported as 0)
         * @param resetAfterNanos each limit's nanoseconds until full (negative as 0)
         * @return the values
         * @throws NullPointerException if an array is null
         * @throws IllegalArgumentException if the arrays are empty or of different lengths
         */
        public static PerLimit of(long[] remaining, long[] resetAfterNanos) {
            Objects.requireNonNull(remaining, "remaining");
            Objects.requireNonNull(resetAfterNanos, "resetAfterNanos");
            if (remaining.length == 0 || remaining.length != resetAfterNanos.length) {
                throw new IllegalArgumentException("remaining and resetAfterNanos must have one"
                        + " entry per limit, at least one, were of lengths " + remaining.length
                        + " and " + resetAfterNanos.length);
            }
            return new PerLimit(remaining.clone(), resetAfterNanos.clone());
        }

        /** @return the number of limits */
        public int size() {
            return remaining.length;
        }

        /**
         * @param limit the limit's index in the policy
         * @return its tokens left, never negative
         * @throws IndexOutOfBoundsException if {@code limit} is not an index of a limit
         */
        public long remaining(int limit) {
            return Math.max(0, remaining[limit]);
        }

        /**
         * @param limit the limit's index in the policy
         * @return its nanoseconds until full, never negative
         * @throws IndexOutOfBoundsException if {@code limit} is not an index of a limit
         */
        public long resetAfterNanos(int limit) {
            return Math.max(0, resetAfterNanos[limit]);
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof PerLimit p) || p.size() != size()) {
                return false;
            }
            for (int i = 0; i < size(); i++) {
                if (remaining(i) != p.remaining(i) || resetAfterNanos(i) != p.resetAfterNanos(i)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            int h = 1;
            for (int i = 0; i < size(); i++) {
                h = 31 * (31 * h + Long.hashCode(remaining(i))) + Long.hashCode(resetAfterNanos(i));
            }
            return h;
        }

        @Override
        public String toString() {
            long[] r = new long[size()];
            long[] t = new long[size()];
            for (int i = 0; i < r.length; i++) {
                r[i] = remaining(i);
                t[i] = resetAfterNanos(i);
            }
            return "PerLimit[remaining=" + Arrays.toString(r) + ", resetAfterNanos="
                    + Arrays.toString(t) + "]";
        }
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
     * The tokens left in one limit of the policy after this decision: its own count when the
     * decision has {@link #perLimit()} values, otherwise {@link #remaining()} (exact for a
     * single-limit policy; for several limits, the minimum stands in for each).
     *
     * @param limit the limit's index in {@link Policy#limits()}
     * @return tokens left in that limit, never negative
     * @throws IndexOutOfBoundsException if {@code limit} is not an index of the policy's limits
     */
    public long remaining(int limit) {
        Objects.checkIndex(limit, policy.limits().size());
        return perLimit == null ? remaining : perLimit.remaining(limit);
    }

    /**
     * Nanoseconds until one limit of the policy is full again if nothing consumes: its own time
     * when the decision has {@link #perLimit()} values, otherwise {@link #resetAfterNanos()}
     * (exact for a single-limit policy; for several limits, the longest stands in for each).
     *
     * @param limit the limit's index in {@link Policy#limits()}
     * @return nanoseconds until that limit is full, never negative
     * @throws IndexOutOfBoundsException if {@code limit} is not an index of the policy's limits
     */
    public long resetAfterNanos(int limit) {
        Objects.checkIndex(limit, policy.limits().size());
        return perLimit == null ? resetAfterNanos : perLimit.resetAfterNanos(limit);
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
