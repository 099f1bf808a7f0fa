package dev.ratelimiter.spi;

/**
 * Thrown by a bounded in-process {@link BucketStore} that holds its maximum of keys, none of which
 * it may drop without changing a decision, when a new key arrives. The engine answers it with
 * {@link dev.ratelimiter.Decision.Outcome#STORE_FULL}: refused, nothing consumed. It is not a store
 * failure: no failure policy applies and the circuit breaker does not count it.
 */
public class StoreFullException extends RuntimeException {

    /**
     * @param message which store is full and what to do about it
     */
    public StoreFullException(String message) {
        super(message, null, false, false);
    }
}
