package dev.ratelimiter;

/**
 * Told of every decision a limiter makes for {@code tryAcquire}, {@code tryAcquireAsync} and
 * {@code acquire} (not {@code peek}), with the time the call took: the seam for meters, such as
 * the Micrometer binder, without core depending on a metrics library.
 *
 * <p>Called on the thread that made the decision (for {@code tryAcquireAsync} on a remote store,
 * the thread completing the future), after the decision is made and before it is returned. It
 * must be thread-safe and cheap, and should not throw: an exception reaches the caller. Calls
 * that end without a decision (invalid arguments, an unavailable store with no failure policy)
 * are not reported.
 */
@FunctionalInterface
public interface CheckListener {

    /** A listener that does nothing. */
    CheckListener NONE = (decision, nanos) -> { };

    /**
     * One decision.
     *
     * @param decision the decision, never null
     * @param nanos nanoseconds the call took, including any wait in {@code acquire}
     */
    void onDecision(Decision decision, long nanos);
}
