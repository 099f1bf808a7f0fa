package dev.ratelimiter.spi;

import java.util.Arrays;

/**
 * One key's token bucket, as the limiter's engine uses it: three operations, each atomic against
 * the stored state. A store returns one from {@link BucketStore#bucket}.
 *
 * <p>This is the whole contract between the engine and a backend, kept narrow on purpose:
 * Bucket4j-backed stores wrap a Bucket4j {@code Bucket} with {@link Bucket4jTokenBucket}; a store
 * that computes the same semantics elsewhere (a Redis script, say) implements it directly and must
 * pass the conformance suite. Every time is in nanoseconds; no method returns null.
 *
 * <p>Implementations are thread-safe. A remote one throws {@link StoreUnavailableException} when
 * its state cannot be reached.
 */
public interface TokenBucket {

    /**
     * Takes {@code tokens} from every limit if every limit has them; otherwise takes nothing.
     *
     * @param tokens at least 1, at most the smallest capacity (the engine checks)
     * @return the probe: {@code granted} if consumed, tokens left (the minimum over the limits,
     *     never negative), nanoseconds until enough tokens refill (0 when consumed), nanoseconds
     *     until full; for a policy of several limits, each limit's tokens and time to full too
     */
    Probe tryConsume(long tokens);

    /**
     * What {@link #tryConsume} would answer now, without taking anything.
     *
     * @param tokens at least 1
     * @return the probe: {@code granted} if the tokens are available now; per-limit values as
     *     for {@link #tryConsume}
     */
    Probe estimate(long tokens);

    /**
     * Reserves {@code tokens} if they will all be due within {@code maxWaitNanos}: the bucket may
     * go below zero, and later requests queue behind this one. Does not wait itself.
     *
     * @param tokens at least 1, at most the smallest capacity
     * @param maxWaitNanos the longest acceptable wait, positive
     * @return nanoseconds until the reserved tokens are due (0 if they are available now), or
     *     {@code -1} if the wait would exceed {@code maxWaitNanos}, in which case nothing is taken
     */
    long reserve(long tokens, long maxWaitNanos);

    /**
     * What a bucket answered to {@link #tryConsume} or {@link #estimate}: the store's arithmetic
     * (Bucket4j's in the JVM, or the Redis script that reproduces it), not yet a decision. The
     * engine turns it into a {@link dev.ratelimiter.Decision}.
     *
     * <p>For a policy of several limits the probe also carries each limit's own tokens and time
     * to full, in the policy's order, so that an adapter can report every limit (the HTTP
     * {@code RateLimit} header lists one item per limit). For a policy of one limit both arrays
     * are null, which means "the same as {@code remaining} and {@code nanosToFull}": the
     * single-limit path allocates nothing for them. A store that cannot tell the limits apart
     * may leave them null for any policy; the engine then reports the minimum for every limit.
     *
     * <p>Immutable by contract: the arrays belong to the probe once it is made; the store that
     * made them and the engine that reads them must not change them. {@link #equals} compares
     * the arrays' contents.
     *
     * @param granted {@code tryConsume}: the tokens were taken; {@code estimate}: they are
     *     available now
     * @param remaining tokens available now, the minimum over the limits ({@code estimate} may
     *     report a negative count while reservations wait)
     * @param nanosToWait nanoseconds until the tokens would be available; 0 if granted
     * @param nanosToFull nanoseconds until every limit is full again (the maximum over the limits)
     * @param remainingPerLimit tokens available now in each limit, in the policy's order (after
     *     this call's consumption; negative while in debt), or null: every limit as
     *     {@code remaining}
     * @param nanosToFullPerLimit nanoseconds until each limit is full again, in the policy's
     *     order, or null: every limit as {@code nanosToFull}; null exactly when
     *     {@code remainingPerLimit} is, and of the same length otherwise
     */
    record Probe(boolean granted, long remaining, long nanosToWait, long nanosToFull,
                 long[] remainingPerLimit, long[] nanosToFullPerLimit) {

        /**
         * Checks that the per-limit arrays come together.
         *
         * @throws IllegalArgumentException if one array is null and the other not, or their
         *     lengths differ
         */
        public Probe {
            if (remainingPerLimit == null ? nanosToFullPerLimit != null
                    : nanosToFullPerLimit == null
                            || nanosToFullPerLimit.length != remainingPerLimit.length) {
                throw new IllegalArgumentException("remainingPerLimit and nanosToFullPerLimit"
                        + " must both be null or have the same length, were "
                        + Arrays.toString(remainingPerLimit) + " and "
                        + Arrays.toString(nanosToFullPerLimit));
            }
        }

        /**
         * A probe without per-limit values: what a single-limit policy answers.
         *
         * @param granted as in the canonical constructor
         * @param remaining as in the canonical constructor
         * @param nanosToWait as in the canonical constructor
         * @param nanosToFull as in the canonical constructor
         */
        public Probe(boolean granted, long remaining, long nanosToWait, long nanosToFull) {
            this(granted, remaining, nanosToWait, nanosToFull, null, null);
        }

        /**
         * Whether the probe carries per-limit values.
         *
         * @return true if {@link #remainingPerLimit()} is not null
         */
        public boolean hasPerLimit() {
            return remainingPerLimit != null;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Probe p && granted == p.granted && remaining == p.remaining
                    && nanosToWait == p.nanosToWait && nanosToFull == p.nanosToFull
                    && Arrays.equals(remainingPerLimit, p.remainingPerLimit)
                    && Arrays.equals(nanosToFullPerLimit, p.nanosToFullPerLimit);
        }

        @Override
        public int hashCode() {
            int h = Boolean.hashCode(granted);
            h = 31 * h + Long.hashCode(remaining);
            h = 31 * h + Long.hashCode(nanosToWait);
            h = 31 * h + Long.hashCode(nanosToFull);
            h = 31 * h + Arrays.hashCode(remainingPerLimit);
            return 31 * h + Arrays.hashCode(nanosToFullPerLimit);
        }

        @Override
        public String toString() {
            return "Probe[granted=" + granted + ", remaining=" + remaining + ", nanosToWait="
                    + nanosToWait + ", nanosToFull=" + nanosToFull
                    + (remainingPerLimit == null ? "" : ", remainingPerLimit="
                            + Arrays.toString(remainingPerLimit) + ", nanosToFullPerLimit="
                            + Arrays.toString(nanosToFullPerLimit)) + "]";
        }
    }
}
