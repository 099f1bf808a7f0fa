package dev.ratelimiter.http;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts checks in progress and refuses new ones past a bound, so that a slow store makes the
 * server answer 503 quickly instead of queueing without end. It counts work (a request whose
 * body has been read and which is being decided), not connections. Thread-safe, lock-free.
 */
final class InFlightGate {

    private final int max;
    private final AtomicInteger inFlight = new AtomicInteger();

    InFlightGate(int max) {
        this.max = max;
    }

    /** @return true if entered: call {@link #exit()} after; false if full */
    boolean tryEnter() {
        if (inFlight.incrementAndGet() > max) {
            inFlight.decrementAndGet();
            return false;
        }
        return true;
    }

    void exit() {
        inFlight.decrementAndGet();
    }

    int inFlight() {
        return inFlight.get();
    }
}
