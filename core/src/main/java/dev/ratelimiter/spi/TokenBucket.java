package dev.ratelimiter.spi;

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
     *     until full
     */
    Probe tryConsume(long tokens);

    /**
     * What {@link #tryConsume} would answer now, without taking anything.
     *
     * @param tokens at least 1
     * @return the probe: {@code granted} if the tokens are available now
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
     * engine turns it into a {@link dev.ratelimiter.Decision}. Immutable.
     *
     * @param granted {@code tryConsume}: the tokens were taken; {@code estimate}: they are
     *     available now
     * @param remaining tokens available now, the minimum over the limits ({@code estimate} may
     *     report a negative count while reservations wait)
     * @param nanosToWait nanoseconds until the tokens would be available; 0 if granted
     * @param nanosToFull nanoseconds until every limit is full again
     */
    record Probe(boolean granted, long remaining, long nanosToWait, long nanosToFull) {
    }
}
