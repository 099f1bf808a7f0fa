package dev.ratelimiter;

import java.time.Duration;
import java.util.Objects;

/**
 * One token bucket: it holds at most {@code capacity} tokens and gets {@code refillTokens} back
 * every {@code refillPeriod}, greedily or all at once ({@link Refill}).
 *
 * <p>"10 per second with bursts of 20" is {@code Limit.capacity(20).refillGreedy(10,
 * Duration.ofSeconds(1))}. A new bucket starts full.
 *
 * <p>Immutable and thread-safe; no component is null.
 *
 * @param capacity the most tokens the bucket holds, at least 1
 * @param refillTokens tokens added per {@code refillPeriod}, at least 1
 * @param refillPeriod the refill period, positive
 * @param refill how the tokens come back
 */
public record Limit(long capacity, long refillTokens, Duration refillPeriod, Refill refill) {

    /**
     * Validates every component.
     *
     * @throws NullPointerException if {@code refillPeriod} or {@code refill} is null
     * @throws IllegalArgumentException if {@code capacity < 1}, {@code refillTokens < 1}, the
     *     period is not positive, or the rate exceeds one token per nanosecond
     */
    public Limit {
        Objects.requireNonNull(refillPeriod, "refillPeriod");
        Objects.requireNonNull(refill, "refill");
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
        }
        if (refillTokens < 1) {
            throw new IllegalArgumentException("refillTokens must be >= 1, was " + refillTokens);
        }
        if (refillPeriod.isNegative() || refillPeriod.isZero()) {
            throw new IllegalArgumentException(
                    "refillPeriod must be positive, was " + refillPeriod);
        }
        long periodNanos = Durations.toNanosSaturated(refillPeriod);
        if (refillTokens > periodNanos) {
            throw new IllegalArgumentException("refill rate must be at most 1 token per nanosecond,"
                    + " was " + refillTokens + " tokens per " + refillPeriod);
        }
    }

    /**
     * Starts a limit with the given capacity; name its refill next.
     *
     * @param capacity the most tokens the bucket holds, at least 1
     * @return the next stage of the builder
     * @throws IllegalArgumentException if {@code capacity < 1}
     */
    public static RefillStage capacity(long capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
        }
        return new RefillStage(capacity);
    }

    /**
     * "{@code tokens} per {@code period}": capacity {@code tokens}, refilled greedily.
     *
     * @param tokens the capacity and the refill amount, at least 1
     * @param period the refill period, positive
     * @return the limit
     */
    public static Limit of(long tokens, Duration period) {
        return new Limit(tokens, tokens, period, Refill.GREEDY);
    }

    /** Nanoseconds in {@link #refillPeriod()}, saturated. */
    public long refillPeriodNanos() {
        return Durations.toNanosSaturated(refillPeriod);
    }

    /**
     * How long an empty bucket takes to fill up again, in nanoseconds (saturated): after that long
     * without use, the bucket is full whatever its state was.
     *
     * @return nanoseconds from empty to full
     */
    public long nanosToFillFromEmpty() {
        long periodNanos = refillPeriodNanos();
        if (refill == Refill.INTERVAL) {
            return Durations.multiplySaturated(Durations.ceilDiv(capacity, refillTokens), periodNanos);
        }
        // ceil(capacity * period / refillTokens), computed without overflowing for large values.
        long whole = Durations.multiplySaturated(capacity / refillTokens, periodNanos);
        long rest = Durations.ceilDiv(
                Durations.multiplySaturated(capacity % refillTokens, periodNanos), refillTokens);
        long sum = whole + rest;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    /** The second stage of {@link Limit#capacity(long)}: how the bucket refills. */
    public static final class RefillStage {
        private final long capacity;

        private RefillStage(long capacity) {
            this.capacity = capacity;
        }

        /**
         * Tokens come back continuously at {@code tokens} per {@code period}.
         *
         * @param tokens tokens per period, at least 1
         * @param period the period, positive
         * @return the limit
         */
        public Limit refillGreedy(long tokens, Duration period) {
            return new Limit(capacity, tokens, period, Refill.GREEDY);
        }

        /**
         * All {@code tokens} come back at once at the end of each {@code period}.
         *
         * @param tokens tokens per period, at least 1
         * @param period the period, positive
         * @return the limit
         */
        public Limit refillIntervally(long tokens, Duration period) {
            return new Limit(capacity, tokens, period, Refill.INTERVAL);
        }
    }
}
