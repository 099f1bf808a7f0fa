package dev.ratelimiter.spi;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.VerboseResult;
import java.util.Objects;

/**
 * A {@link TokenBucket} over a Bucket4j {@link Bucket}, such as a proxy to remote state (the
 * Redis CAS strategy). In-process stores use {@link LocalTokenBucket} instead, which also moves
 * its state when the rules change. Make one per bucket and keep it with the bucket. Bucket4j stays behind this
 * class: its probe is translated into the SPI's own {@link TokenBucket.Probe}.
 *
 * <p>Thread-safe as the wrapped bucket is.
 */
public final class Bucket4jTokenBucket implements TokenBucket {

    private final Bucket bucket;

    /**
     * @param bucket the Bucket4j bucket
     */
    public Bucket4jTokenBucket(Bucket bucket) {
        this.bucket = Objects.requireNonNull(bucket, "bucket");
    }

    /** @return the wrapped bucket */
    public Bucket bucket() {
        return bucket;
    }

    @Override
    public Probe tryConsume(long tokens) {
        return tryConsume(bucket, tokens);
    }

    @Override
    public Probe estimate(long tokens) {
        return estimate(bucket, tokens);
    }

    @Override
    public long reserve(long tokens, long maxWaitNanos) {
        return reserve(bucket, tokens, maxWaitNanos);
    }

    /** {@link TokenBucket#tryConsume} on a Bucket4j bucket: the one translation of its probe. */
    static Probe tryConsume(Bucket bucket, long tokens) {
        ConsumptionProbe p = bucket.tryConsumeAndReturnRemaining(tokens);
        boolean consumed = p.isConsumed();
        return new Probe(consumed, p.getRemainingTokens(),
                consumed ? 0 : p.getNanosToWaitForRefill(), p.getNanosToWaitForReset());
    }

    /** {@link TokenBucket#estimate} on a Bucket4j bucket. */
    static Probe estimate(Bucket bucket, long tokens) {
        VerboseResult<EstimationProbe> result = bucket.asVerbose().estimateAbilityToConsume(tokens);
        EstimationProbe probe = result.getValue();
        return new Probe(probe.canBeConsumed(), probe.getRemainingTokens(),
                probe.canBeConsumed() ? 0 : probe.getNanosToWaitForRefill(),
                result.getDiagnostics().calculateFullRefillingTime());
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
