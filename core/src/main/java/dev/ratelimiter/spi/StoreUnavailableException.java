package dev.ratelimiter.spi;

/**
 * Thrown by a {@link BucketStore} that cannot reach its state (connection refused, timed out,
 * circuit open). The limiter's failure policy turns it into a decision; it reaches callers only
 * when no failure policy is configured.
 */
public class StoreUnavailableException extends RuntimeException {

    /**
     * @param message what failed, naming the store
     * @param cause the underlying error, may be null
     */
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
