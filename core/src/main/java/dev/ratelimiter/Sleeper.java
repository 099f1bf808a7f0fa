package dev.ratelimiter;

import java.util.concurrent.locks.LockSupport;

/**
 * Waits for a number of nanoseconds; used by {@link RateLimiter#acquire} while it waits for
 * reserved tokens to refill.
 *
 * <p>Like {@link Ticker}, this seam exists for tests: {@link ManualClock} implements it by stepping
 * its own time forward, so a test of {@code acquire} neither sleeps nor races. Implementations must
 * be thread-safe.
 */
@FunctionalInterface
public interface Sleeper {

    /**
     * Waits for at least {@code nanos} nanoseconds.
     *
     * @param nanos how long to wait, in nanoseconds; zero or negative returns at once
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    void sleep(long nanos) throws InterruptedException;

    /**
     * Parks the calling thread for real, resuming on interrupt with {@link InterruptedException}.
     *
     * @return the system sleeper
     */
    static Sleeper system() {
        return nanos -> {
            long deadline = System.nanoTime() + nanos;
            long remaining = nanos;
            while (remaining > 0) {
                LockSupport.parkNanos(remaining);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                remaining = deadline - System.nanoTime();
            }
        };
    }
}
