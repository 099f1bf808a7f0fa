package dev.ratelimiter;

import java.time.Duration;

/** Saturating conversions between {@link Duration} and nanoseconds. Stateless. */
final class Durations {

    private Durations() {
    }

    /** Nanoseconds in {@code d}, clamped to {@code [Long.MIN_VALUE, Long.MAX_VALUE]}. */
    static long toNanosSaturated(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException overflow) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /** {@code a * b} for non-negative operands, clamped to {@link Long#MAX_VALUE}. */
    static long multiplySaturated(long a, long b) {
        long high = Math.multiplyHigh(a, b);
        long low = a * b;
        if (high != 0 || low < 0) {
            return Long.MAX_VALUE;
        }
        return low;
    }

    /** {@code ceil(a / b)} for {@code a >= 0, b > 0}. */
    static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
