package dev.ratelimiter.examples.client;

/** The server could not be reached (or kept failing) and the client is set to fail closed. */
public final class RateLimiterUnavailableException extends RuntimeException {

    /**
     * @param message what failed
     * @param cause the last error, may be null
     */
    public RateLimiterUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
