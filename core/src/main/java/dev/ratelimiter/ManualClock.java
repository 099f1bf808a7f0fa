package dev.ratelimiter;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told to: the time source for unit tests.
 *
 * <p>Give it to a store (for example {@code InMemoryStore.builder().ticker(clock)}) and to the
 * limiter ({@code RateLimiter.builder().sleeper(clock)}), then step it:
 *
 * <pre>{@code
 * ManualClock clock = new ManualClock();
 * RateLimiter limiter = RateLimiter.inMemory(Rules.of(policy), clock);
 * limiter.tryAcquire("k", 10);             // drains a bucket of 10
 * clock.advance(Duration.ofSeconds(1));    // refills 2 tokens at 2/s
 * }</pre>
 *
 * <p>As a {@link Sleeper}, a wait advances the clock by the wait instead of blocking, so
 * {@link RateLimiter#acquire} returns at once with the time moved on.
 *
 * <p>Thread-safe. Time never goes backwards.
 */
public final class ManualClock implements Ticker, Sleeper {

    private final AtomicLong nanos;

    /** Creates a clock reading zero. */
    public ManualClock() {
        this(0L);
    }

    /**
     * Creates a clock with the given reading.
     *
     * @param startNanos the first reading, in nanoseconds
     */
    public ManualClock(long startNanos) {
        this.nanos = new AtomicLong(startNanos);
    }

    @Override
    public long read() {
        return nanos.get();
    }

    /**
     * Moves the clock forward.
     *
     * @param duration how far; must not be negative
     * @throws NullPointerException if {@code duration} is null
     * @throws IllegalArgumentException if {@code duration} is negative
     */
    public void advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException(
                    "ManualClock: duration must not be negative, was " + duration);
        }
        advanceNanos(Durations.toNanosSaturated(duration));
    }

    /**
     * Moves the clock forward by a number of nanoseconds.
     *
     * @param delta nanoseconds; must not be negative
     * @throws IllegalArgumentException if {@code delta} is negative
     */
    public void advanceNanos(long delta) {
        if (delta < 0) {
            throw new IllegalArgumentException(
                    "ManualClock: nanos must not be negative, was " + delta);
        }
        nanos.addAndGet(delta);
    }

    /** Advances the clock by {@code nanos} instead of waiting. */
    @Override
    public void sleep(long nanos) {
        if (nanos > 0) {
            advanceNanos(nanos);
        }
    }

    @Override
    public String toString() {
        return "ManualClock[" + nanos.get() + "ns]";
    }
}
