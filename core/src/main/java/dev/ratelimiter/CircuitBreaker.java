package dev.ratelimiter;

import dev.ratelimiter.failure.BreakerState;
import dev.ratelimiter.failure.FailSafeStats;
import dev.ratelimiter.failure.FailurePolicy;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts consecutive store failures and stops calls to a store that keeps failing: part of the
 * engine ({@link BucketRateLimiter}), which asks it before every store call.
 *
 * <pre>
 *   CLOSED --(threshold consecutive failures)--> OPEN --(openDuration elapsed, next request)-->
 *   HALF_OPEN: that one request tries the store --success--> CLOSED
 *                                                --failure--> OPEN for another openDuration
 * </pre>
 *
 * While OPEN or HALF_OPEN every other request is answered without the store, so a dead store
 * costs {@code threshold} timeouts and then one per {@code openDuration}. Example with threshold
 * 3 and openDuration 1 s: three failed checks open it at t; checks until t+1 s do not touch the
 * store; the first check after t+1 s tries it.
 *
 * <p>Only {@link dev.ratelimiter.spi.StoreUnavailableException} (what the store did) counts as a
 * failure. Local back-pressure ({@link dev.ratelimiter.spi.StoreOverloadedException}) and bugs give
 * a trial's turn back through {@link #release(int)} and never open it.
 *
 * <p>Thread-safe and lock-free on the hot path (one volatile read when closed). Transitions are
 * compare-and-set on {@link #stateWord}, so each is made, and logged, exactly once.
 */
final class CircuitBreaker {

    private static final Logger LOG = LoggerFactory.getLogger(RateLimiter.class);

    /** What {@link #permit()} returns. */
    static final int DENIED = 0;
    static final int PERMITTED = 1;
    static final int TRIAL = 2;

    private final String name;
    private final Ticker ticker;
    private final int threshold;
    private final long openNanos;

    /** The state; {@link #openedAt} is meaningful while OPEN. */
    private final AtomicReference<BreakerState> stateWord =
            new AtomicReference<>(BreakerState.CLOSED);
    private volatile long openedAt;
    private final AtomicLong consecutiveFailures = new AtomicLong();
    private final LongAdder storeFailures = new LongAdder();
    private final LongAdder degraded = new LongAdder();
    private final LongAdder overloaded = new LongAdder();
    private final AtomicLong timesOpened = new AtomicLong();

    CircuitBreaker(String name, Ticker ticker, int threshold, long openNanos) {
        this.name = name;
        this.ticker = ticker;
        this.threshold = threshold;
        this.openNanos = openNanos;
    }

    /** Whether the caller may call the store: {@link #PERMITTED}, {@link #TRIAL} or {@link #DENIED}. */
    int permit() {
        BreakerState s = stateWord.get();
        if (s == BreakerState.CLOSED) {
            return PERMITTED;
        }
        if (s == BreakerState.OPEN && ticker.read() - openedAt >= openNanos
                && stateWord.compareAndSet(BreakerState.OPEN, BreakerState.HALF_OPEN)) {
            LOG.info("{}: circuit half-open after {} ms, trying the store", name,
                    openNanos / 1_000_000);
            return TRIAL;
        }
        return DENIED;
    }

    /** The store answered. */
    void onSuccess(int permit) {
        consecutiveFailures.set(0);
        if (permit == TRIAL && stateWord.compareAndSet(BreakerState.HALF_OPEN, BreakerState.CLOSED)) {
            LOG.info("{}: circuit closed, the store answered", name);
        }
    }

    /** The store failed with {@code cause}. */
    void onFailure(int permit, RuntimeException cause) {
        storeFailures.increment();
        long n = consecutiveFailures.incrementAndGet();
        if (permit == TRIAL) {
            if (open(BreakerState.HALF_OPEN)) {
                LOG.warn("{}: circuit re-opened for {} ms, the store still fails: {}", name,
                        openNanos / 1_000_000, cause.toString());
            }
        } else if (n >= threshold && open(BreakerState.CLOSED)) {
            LOG.warn("{}: circuit opened for {} ms after {} consecutive store failures; last: {}",
                    name, openNanos / 1_000_000, n, cause.toString());
        }
    }

    private boolean open(BreakerState from) {
        // openedAt is written before the state so that a reader who sees OPEN sees its time.
        long now = ticker.read();
        if (stateWord.get() != from) {
            return false;
        }
        openedAt = now;
        if (stateWord.compareAndSet(from, BreakerState.OPEN)) {
            timesOpened.incrementAndGet();
            return true;
        }
        return false;
    }

    /**
     * The call ended in an error that says nothing about the store (a bad argument, a bug): a
     * trial gives its turn back, so the next request tries the store at once.
     */
    void release(int permit) {
        if (permit == TRIAL) {
            stateWord.compareAndSet(BreakerState.HALF_OPEN, BreakerState.OPEN);
        }
    }

    /** A decision was made without the store. */
    void onDegraded() {
        degraded.increment();
    }

    /** Nanoseconds until the next trial may start; 0 if the breaker is not open. */
    long nanosUntilTrial() {
        if (stateWord.get() != BreakerState.OPEN) {
            return 0;
        }
        return Math.max(0, openNanos - (ticker.read() - openedAt));
    }

    long openNanos() {
        return openNanos;
    }

    BreakerState state() {
        return stateWord.get();
    }

    /** A check was refused as local back-pressure. */
    void onOverloaded() {
        overloaded.increment();
    }

    FailSafeStats stats(FailurePolicy policy) {
        return new FailSafeStats(stateWord.get(), consecutiveFailures.get(), storeFailures.sum(),
                degraded.sum(), timesOpened.get(), overloaded.sum(), policy);
    }
}
