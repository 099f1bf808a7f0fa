package dev.ratelimiter.spi;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.BucketState;
import io.github.bucket4j.ConfigurationBuilder;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.VerboseResult;
import java.time.Duration;
import java.util.Objects;

/**
 * A {@link TokenBucket} over a Bucket4j {@link Bucket}, such as a proxy to remote state (the
 * Redis CAS strategy). In-process stores use {@link LocalTokenBucket} instead, which also moves
 * its state when the rules change. Make one per bucket and keep it with the bucket. Bucket4j
 * stays behind this class: its probe is translated into the SPI's own {@link TokenBucket.Probe}.
 *
 * <p>Per-limit values ({@link TokenBucket.Probe#remainingPerLimit()}): for a policy of several
 * limits each call uses Bucket4j's verbose API, whose answer carries the bucket's state after
 * the call, and reads each limit's tokens and time to full from it; for a single-limit policy it
 * uses the plain API and reports none (they would equal the minimum).
 *
 * <p>Thread-safe as the wrapped bucket is.
 */
public final class Bucket4jTokenBucket implements TokenBucket {

    private final Bucket bucket;
    /** Whether answers carry per-limit values: the policy has several limits, or is unknown. */
    private final boolean perLimit;

    /**
     * A bucket whose policy is not known here: every call reads Bucket4j's verbose answer, and
     * reports per-limit values when the bucket has several limits. Prefer
     * {@link #Bucket4jTokenBucket(Bucket, BucketSpec)}, which spares a single-limit bucket that.
     *
     * @param bucket the Bucket4j bucket
     */
    public Bucket4jTokenBucket(Bucket bucket) {
        this.bucket = Objects.requireNonNull(bucket, "bucket");
        this.perLimit = true;
    }

    /**
     * A bucket made from {@code spec}'s configuration.
     *
     * @param bucket the Bucket4j bucket
     * @param spec the policy it was made for: per-limit values only if it has several limits
     */
    public Bucket4jTokenBucket(Bucket bucket, BucketSpec spec) {
        this.bucket = Objects.requireNonNull(bucket, "bucket");
        this.perLimit = Objects.requireNonNull(spec, "spec").policy().limits().size() > 1;
    }

    /** @return the wrapped bucket */
    public Bucket bucket() {
        return bucket;
    }

    @Override
    public Probe tryConsume(long tokens) {
        return tryConsume(bucket, tokens, perLimit);
    }

    @Override
    public Probe estimate(long tokens) {
        return estimate(bucket, tokens, perLimit);
    }

    @Override
    public long reserve(long tokens, long maxWaitNanos) {
        return reserve(bucket, tokens, maxWaitNanos);
    }

    /**
     * {@link TokenBucket#tryConsume} on a Bucket4j bucket: the one translation of its probe.
     *
     * @param perLimit whether to read per-limit values (the verbose API); false for a
     *     single-limit bucket, which then allocates nothing but the probe
     */
    static Probe tryConsume(Bucket bucket, long tokens, boolean perLimit) {
        if (!perLimit) {
            ConsumptionProbe p = bucket.tryConsumeAndReturnRemaining(tokens);
            boolean consumed = p.isConsumed();
            return new Probe(consumed, p.getRemainingTokens(),
                    consumed ? 0 : p.getNanosToWaitForRefill(), p.getNanosToWaitForReset());
        }
        VerboseResult<ConsumptionProbe> r = bucket.asVerbose().tryConsumeAndReturnRemaining(tokens);
        ConsumptionProbe p = r.getValue();
        boolean consumed = p.isConsumed();
        return withLimits(consumed, p.getRemainingTokens(),
                consumed ? 0 : p.getNanosToWaitForRefill(), p.getNanosToWaitForReset(), r);
    }

    /** {@link TokenBucket#estimate} on a Bucket4j bucket; {@code perLimit} as for tryConsume. */
    static Probe estimate(Bucket bucket, long tokens, boolean perLimit) {
        VerboseResult<EstimationProbe> result = bucket.asVerbose().estimateAbilityToConsume(tokens);
        EstimationProbe probe = result.getValue();
        boolean possible = probe.canBeConsumed();
        long wait = possible ? 0 : probe.getNanosToWaitForRefill();
        long full = result.getState().calculateFullRefillingTime(result.getOperationTimeNanos());
        return perLimit ? withLimits(possible, probe.getRemainingTokens(), wait, full, result)
                : new Probe(possible, probe.getRemainingTokens(), wait, full);
    }

    /** The probe with each limit's values read from the state a verbose answer carries. */
    private static Probe withLimits(boolean granted, long remaining, long wait, long full,
                                    VerboseResult<?> answer) {
        BucketState state = answer.getState();
        Bandwidth[] bandwidths = state.getConfiguration().getBandwidths();
        if (bandwidths.length < 2) {
            return new Probe(granted, remaining, wait, full);
        }
        long[] tokens = new long[bandwidths.length];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = state.getCurrentSize(i);
        }
        return new Probe(granted, remaining, wait, full, tokens,
                nanosToFullPerLimit(state, answer.getOperationTimeNanos()));
    }

    /**
     * Each limit's nanoseconds until full in {@code state} at {@code nowNanos}: the terms of
     * Bucket4j 8.15's {@code BucketState64BitsInteger.calculateFullRefillingTime}, which reports
     * only their maximum. Bucket4j keeps the per-limit term private, so it is reached two ways:
     * <ul>
     *   <li>a greedy limit's term depends only on public state (tokens and rounding remainder),
     *       so it is Bucket4j's formula, repeated here: {@code (period * deficit - remainder) /
     *       refillTokens}, in doubles when the product overflows, as Bucket4j does;</li>
     *   <li>an interval limit's term also depends on its last refill time, which Bucket4j does
     *       not expose, so Bucket4j computes it, on a copy of the state where the limit is alone
     *       to need time: every limit gets {@code lift} tokens, {@code lift} being the largest
     *       deficit among the other limits (so they are all full), and this limit's capacity is
     *       raised by {@code lift} too (so its deficit is unchanged). The copy's time to full is
     *       then exactly this limit's term. Worked example: limits A (capacity 10, holds 4) and
     *       B (interval, capacity 100, holds 30): {@code lift = 6}; the copy has A at 10 of 10
     *       (full, term 0) and B at 36 of 106 (deficit 70, as before, same last refill), so
     *       the copy's maximum is B's term. This costs a copy and a configuration per interval
     *       limit, only for policies of several limits.</li>
     * </ul>
     * A full (or overfull) limit's term is 0, as in Bucket4j.
     *
     * @param state the bucket's state, refilled to {@code nowNanos}
     * @param nowNanos the time of the answer, on the bucket's clock
     * @return one time per limit, in the configuration's order
     */
    static long[] nanosToFullPerLimit(BucketState state, long nowNanos) {
        Bandwidth[] bandwidths = state.getConfiguration().getBandwidths();
        long[] full = new long[bandwidths.length];
        for (int i = 0; i < full.length; i++) {
            Bandwidth b = bandwidths[i];
            long size = state.getCurrentSize(i);
            if (size >= b.getCapacity()) {
                continue;
            }
            full[i] = b.isRefillIntervally() ? intervalNanosToFull(state, bandwidths, i, nowNanos)
                    : greedyNanosToFull(b, b.getCapacity() - size, state.getRoundingError(i));
        }
        return full;
    }

    /**
     * Bucket4j 8.15's {@code calculateDelayNanosAfterWillBePossibleToConsumeForGreedyBandwidth}.
     */
    private static long greedyNanosToFull(Bandwidth b, long deficit, long roundingError) {
        long period = b.getRefillPeriodNanos();
        long tokens = b.getRefillTokens();
        long divided = multiplyOrMax(period, deficit);
        if (divided == Long.MAX_VALUE) {
            return (long) ((double) deficit / (double) tokens * (double) period);
        }
        return (divided - roundingError) / tokens;
    }

    /** Bucket4j 8.15's {@code multiplyExactOrReturnMaxValue}. */
    private static long multiplyOrMax(long x, long y) {
        long r = x * y;
        long ax = Math.abs(x);
        long ay = Math.abs(y);
        if (((ax | ay) >>> 31 != 0)
                && (((y != 0) && (r / y != x)) || (x == Long.MIN_VALUE && y == -1))) {
            return Long.MAX_VALUE;
        }
        return r;
    }

    /** Limit {@code i}'s term, by Bucket4j on a lifted copy (see {@link #nanosToFullPerLimit}). */
    private static long intervalNanosToFull(BucketState state, Bandwidth[] bandwidths, int i,
                                            long nowNanos) {
        long lift = 0;
        for (int j = 0; j < bandwidths.length; j++) {
            if (j != i) {
                long size = state.getCurrentSize(j);
                long deficit = bandwidths[j].getCapacity() - size;
                if (size < 0 && deficit < 0) {
                    // A debt too large to lift without overflowing: report the bucket's own
                    // time to full, which is never shorter than this limit's.
                    return state.calculateFullRefillingTime(nowNanos);
                }
                lift = Math.max(lift, deficit);
            }
        }
        Bandwidth b = bandwidths[i];
        long capacity = b.getCapacity() + lift;
        if (capacity < 0) {
            return state.calculateFullRefillingTime(nowNanos);
        }
        Bandwidth raised = Bandwidth.builder().capacity(capacity)
                .refillIntervally(b.getRefillTokens(), Duration.ofNanos(b.getRefillPeriodNanos()))
                .build();
        ConfigurationBuilder lifted = BucketConfiguration.builder();
        for (int j = 0; j < bandwidths.length; j++) {
            lifted.addLimit(j != i ? bandwidths[j] : raised);
        }
        BucketState copy = state.copy();
        copy.forceAddTokens(lift);
        copy.setConfiguration(lifted.build());
        return copy.calculateFullRefillingTime(nowNanos);
    }

    /**
     * {@link TokenBucket#reserve} on a Bucket4j bucket. Uses Bucket4j's blocking consume with a
     * strategy that records the wait instead of parking: Bucket4j reserves first and then asks
     * the strategy to wait, so recording the requested wait gives exactly "reserve, and tell me
     * how long".
     */
    static long reserve(Bucket bucket, long tokens, long maxWaitNanos) {
        long[] wait = {0};
        try {
            boolean reserved = bucket.asBlocking().tryConsume(tokens, maxWaitNanos,
                    nanos -> wait[0] = nanos);
            return reserved ? wait[0] : -1;
        } catch (InterruptedException e) {
            // The recording strategy never blocks, so this cannot happen; keep the flag anyway.
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reserving", e);
        }
    }
}
