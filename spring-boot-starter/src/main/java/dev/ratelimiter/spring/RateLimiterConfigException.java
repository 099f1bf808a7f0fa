package dev.ratelimiter.spring;

/**
 * A {@code ratelimiter.*} property has a bad value; start-up fails with it, and
 * {@link RateLimiterFailureAnalyzer} turns it into a short report naming the property instead of
 * a stack trace. The message is core's or a backend's, with property names as Spring writes
 * them ({@code ratelimiter.refill-rate}).
 */
public final class RateLimiterConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String property;

    /**
     * @param property the property at fault, such as {@code ratelimiter.capacity}, or null if
     *     the message names none
     * @param message what is wrong, naming the property
     * @param cause the parser's exception
     */
    public RateLimiterConfigException(String property, String message, Throwable cause) {
        super(message, cause);
        this.property = property;
    }

    /** @return the property at fault, such as {@code ratelimiter.capacity}; null if unknown */
    public String property() {
        return property;
    }
}
