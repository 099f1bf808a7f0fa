package dev.ratelimiter;

/**
 * Told of every decision a limiter makes for {@code tryAcquire}, {@code tryAcquireAsync} and
 * {@code acquire} (not {@code peek}): the seam metrics bind to (the Micrometer binder, the
 * server's counters). Set with {@link RateLimiterBuilder#listener(CheckListener)}.
 *
 * <p>Called on the thread that decided, after the decision, so it must be fast, must not block
 * and must not throw (an exception would reach the caller of the check). Implementations must be
 * thread-safe.
 */
@FunctionalInterface
public interface CheckListener {

    /**
     * A decision was made.
     *
     * @param decision the decision, never null; its {@link Decision#outcome()} says why
     * @param nanos how long the limiter took, in nanoseconds (for {@code acquire}, the wait
     *     included)
     */
    void onDecision(Decision decision, long nanos);
}
