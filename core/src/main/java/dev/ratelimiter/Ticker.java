package dev.ratelimiter;

/**
 * A source of time in nanoseconds, read by the limiter instead of the system clock.
 *
 * <p>This seam exists for tests: {@link ManualClock} is a ticker that only moves when the test
 * steps it, so refill behaviour can be asserted exactly and without sleeping. Production code uses
 * {@link #system()} (monotonic, for a single JVM) or {@link #wallClock()} (comparable across JVMs,
 * for shared stores).
 *
 * <p>Implementations must be thread-safe and cheap: the limiter reads the ticker on every call.
 */
@FunctionalInterface
public interface Ticker {

    /**
     * Returns the current time in nanoseconds. Only differences between readings of the same
     * ticker are meaningful, unless the ticker documents an epoch.
     *
     * @return the current time, in nanoseconds
     */
    long read();

    /**
     * A ticker over {@link System#nanoTime()}: monotonic, nanosecond resolution, meaningful only
     * within one JVM. The default for in-process stores.
     *
     * @return the system monotonic ticker
     */
    static Ticker system() {
        return System::nanoTime;
    }

    /**
     * A ticker over {@link System#currentTimeMillis()}, in nanoseconds since the Unix epoch: the
     * same reading on every machine whose clock is synchronised, so it is the one to use when
     * several JVMs share bucket state.
     *
     * @return the wall-clock ticker, millisecond resolution, in nanoseconds
     */
    static Ticker wallClock() {
        return () -> System.currentTimeMillis() * 1_000_000L;
    }
}
