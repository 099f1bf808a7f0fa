package dev.ratelimiter.spi;

import dev.ratelimiter.Limit;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.BucketListener;
import io.github.bucket4j.BucketState;
import io.github.bucket4j.ConfigurationBuilder;
import io.github.bucket4j.MathType;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.VerboseResult;
import io.github.bucket4j.local.ThreadUnsafeBucket;
import java.util.List;
import java.util.Objects;

/**
 * A token bucket in this JVM that can move to another policy's limits without losing what the
 * key has consumed: how the in-process stores (core's in-memory store, the Caffeine store) hold
 * buckets. The arithmetic is Bucket4j's ({@code ThreadUnsafeBucket}, 64-bit integer math), run
 * under this object's monitor.
 *
 * <p><b>Moving to a new policy</b> ({@link #adopt}), the rule every store follows (see also the
 * Redis script, {@code RedisScripts}, which computes the same numbers):
 * <ol>
 *   <li>Limits are matched by position: limit {@code i} of the new policy inherits from limit
 *       {@code i} of the old one. A new limit (past the old count) starts full; an old limit past
 *       the new count is dropped.</li>
 *   <li>The old bucket is first refilled to now under the old limits. Then, per inherited limit,
 *       tokens used stay used: {@code available' = newCapacity - (oldCapacity - available)}, which
 *       is at most {@code newCapacity}. It is not raised to 0: a limit cut below what the key has
 *       already used leaves the bucket in debt (as a waiting reservation does), so the key waits
 *       for the refill to pay it. That keeps the rule exactly reversible (A to B and back to A
 *       gives A's tokens back), which is what stops two JVMs that reload at different moments
 *       from creating tokens by moving a key back and forth.</li>
 *   <li>Refill continues at the new rate from the moment of the move: each limit's last refill
 *       is now, and the fraction of a token refilled but not yet whole is dropped (never more
 *       tokens than either policy would have given).</li>
 *   <li>Same limits, another name or shadow flag: the bucket is kept exactly, nothing moves.</li>
 * </ol>
 * A spec of an older {@link BucketSpec#generation() generation} than the one the bucket holds is
 * ignored (the bucket stays on the newer policy): a check that resolved its policy just before a
 * swap cannot move the key back.
 *
 * <p>Bucket4j's own {@code replaceConfiguration(config, TokensInheritanceStrategy.ADDITIVE)}
 * (8.15) computes the same for a capacity that grows, but for one that shrinks it keeps
 * {@code min(newCapacity, available)} (its {@code AS_IS}), forgetting the tokens used; and it
 * keeps the last refill time and rescales the remainder. So it is not used as is: the move is
 * built from Bucket4j operations that give exactly the rule above (see
 * {@link #offsetConfiguration}).
 *
 * <p>Thread-safe: every operation, and a move, holds this object's monitor for the arithmetic
 * only (as Bucket4j's {@code SYNCHRONIZED} strategy holds its lock; one lock per call either way).
 */
public final class LocalTokenBucket implements TokenBucket {

    private final TimeMeter timeMeter;
    /** Guarded by {@code this}. */
    private ThreadUnsafeBucket bucket;
    private volatile BucketSpec spec;

    private LocalTokenBucket(BucketSpec spec, TimeMeter timeMeter) {
        this.timeMeter = timeMeter;
        this.spec = spec;
        this.bucket = new ThreadUnsafeBucket(spec.configuration(), MathType.INTEGER_64_BITS,
                timeMeter, BucketListener.NOPE);
    }

    /**
     * A new, full bucket for {@code spec}.
     *
     * @param spec the policy's specification
     * @param timeMeter the clock the bucket reads
     * @return the bucket
     */
    public static LocalTokenBucket create(BucketSpec spec, TimeMeter timeMeter) {
        return new LocalTokenBucket(Objects.requireNonNull(spec, "spec"),
                Objects.requireNonNull(timeMeter, "timeMeter"));
    }

    /** @return the spec the bucket follows now */
    public BucketSpec spec() {
        return spec;
    }

    /**
     * This bucket, moved to {@code next} by the rule in the class comment if {@code next}
     * supersedes the spec it holds. The hit path (the same spec) is one volatile read.
     *
     * @param next the spec the caller resolved for the key
     * @return this bucket
     */
    public LocalTokenBucket adopt(BucketSpec next) {
        if (next == spec) {
            return this;
        }
        synchronized (this) {
            BucketSpec held = spec;
            if (next == held || !next.supersedes(held)) {
                return this;
            }
            if (!next.sameLimits(held)) {
                bucket = moved(bucket, held, next);
            }
            spec = next;
        }
        return this;
    }

    /** The bucket for {@code next} with the old one's consumption carried over. */
    private ThreadUnsafeBucket moved(ThreadUnsafeBucket old, BucketSpec from, BucketSpec next) {
        VerboseResult<Long> read = old.asVerbose().getAvailableTokens(); // refills to now
        long[] target = targets(read.getState(), capacities(from.configuration()), next);
        long d = debtOffset(target);
        ThreadUnsafeBucket fresh = new ThreadUnsafeBucket(offsetConfiguration(target, d, next),
                MathType.INTEGER_64_BITS, timeMeter, BucketListener.NOPE);
        fresh.consumeIgnoringRateLimits(d);
        fresh.replaceConfiguration(next.configuration(), TokensInheritanceStrategy.AS_IS);
        return fresh;
    }

    /**
     * The same move on a bare Bucket4j state, for stores that keep Bucket4j state elsewhere (the
     * Redis compare-and-swap strategy): {@code old} under {@code oldConfiguration}, refilled to
     * {@code nowNanos} here (on a copy), moved to {@code next} by the rule in the class comment.
     *
     * @param old the stored state
     * @param oldConfiguration the configuration it was written under
     * @param next the spec to move to
     * @param nowNanos the time of the move, on the clock the state uses
     * @return a new state under {@code next}'s configuration
     */
    public static BucketState moveState(BucketState old, BucketConfiguration oldConfiguration,
                                        BucketSpec next, long nowNanos) {
        BucketState refilled = old.copy();
        refilled.setConfiguration(oldConfiguration);
        refilled.refillAllBandwidth(nowNanos);
        long[] target = targets(refilled, capacities(oldConfiguration), next);
        long d = debtOffset(target);
        BucketState x = BucketState.createInitialState(offsetConfiguration(target, d, next),
                MathType.INTEGER_64_BITS, nowNanos);
        x.consume(d);
        return x.replaceConfiguration(next.configuration(), TokensInheritanceStrategy.AS_IS,
                nowNanos);
    }

    private static long[] capacities(BucketConfiguration configuration) {
        var bandwidths = configuration.getBandwidths();
        long[] capacities = new long[bandwidths.length];
        for (int i = 0; i < capacities.length; i++) {
            capacities[i] = bandwidths[i].getCapacity();
        }
        return capacities;
    }

    /** Per new limit, the tokens it inherits: matched by position, a new limit full. */
    private static long[] targets(BucketState refilled, long[] oldCapacities, BucketSpec next) {
        List<Limit> after = next.policy().limits();
        long[] target = new long[after.size()];
        for (int i = 0; i < target.length; i++) {
            long capacity = after.get(i).capacity();
            target[i] = i < oldCapacities.length
                    ? inherited(refilled.getCurrentSize(i), oldCapacities[i], capacity)
                    : capacity;
        }
        return target;
    }

    /** {@code d = 1 + max(0, -min t)}: every {@code t[i] + d} is at least 1. */
    private static long debtOffset(long[] target) {
        long lowest = 0;
        for (long t : target) {
            lowest = Math.min(lowest, t);
        }
        return 1 - lowest;
    }

    /**
     * Bucket4j has no public way to set a bucket's state, so the state is reached with three of
     * its operations on a fresh bucket {@code X}: with {@code t[i]} the target tokens and
     * {@code d} from {@link #debtOffset}, {@code X} has limit {@code i} of capacity
     * {@code t[i] + d} and the new limit's refill, so it starts with {@code t[i] + d}; consuming
     * {@code d} (ignoring limits) leaves {@code t[i]} in every limit; replacing the configuration
     * with the new one {@code AS_IS} keeps {@code min(newCapacity, t[i]) = t[i]}, the last refill
     * (now) and the remainder (0, scaled by 1 since the periods are the new ones).
     */
    private static BucketConfiguration offsetConfiguration(long[] target, long d,
                                                           BucketSpec next) {
        List<Limit> after = next.policy().limits();
        ConfigurationBuilder x = BucketConfiguration.builder();
        for (int i = 0; i < target.length; i++) {
            x.addLimit(BucketSpec.bandwidth(after.get(i), target[i] + d, i));
        }
        return x.build();
    }

    /**
     * The migration rule for one limit: tokens used stay used.
     *
     * @param available the old limit's tokens after refilling to now (negative while in debt)
     * @param oldCapacity the old limit's capacity
     * @param newCapacity the new limit's capacity
     * @return {@code newCapacity - (oldCapacity - available)}, at most {@code newCapacity}
     */
    public static long inherited(long available, long oldCapacity, long newCapacity) {
        long used = Math.max(0, oldCapacity - available);
        return newCapacity - used;
    }

    @Override
    public synchronized Probe tryConsume(long tokens) {
        return Bucket4jTokenBucket.tryConsume(bucket, tokens, severalLimits());
    }

    @Override
    public synchronized Probe estimate(long tokens) {
        return Bucket4jTokenBucket.estimate(bucket, tokens, severalLimits());
    }

    /**
     * Whether answers carry per-limit values: the bucket has several limits. Read from the
     * bucket itself (two field reads), since a move may change the count. Guarded by {@code this}.
     */
    private boolean severalLimits() {
        return bucket.getConfiguration().getBandwidths().length > 1;
    }

    @Override
    public synchronized long reserve(long tokens, long maxWaitNanos) {
        return Bucket4jTokenBucket.reserve(bucket, tokens, maxWaitNanos);
    }

    @Override
    public String toString() {
        return "LocalTokenBucket[" + spec.policy().name() + "]";
    }
}
