package dev.ratelimiter.spring;

import dev.ratelimiter.Decision;
import java.util.Objects;

/**
 * A call to a {@link RateLimited} method was denied, or refused because the limiter could not
 * decide (its {@link Decision#outcome()} says which: {@code DENIED}, {@code FAILED_CLOSED}...);
 * it did not run. Carries the {@link Decision} (key, remaining tokens, {@code retryAfter}...). In a Spring MVC application
 * an unhandled one becomes the standalone server's answer to the same decision (429, or 503 for
 * a refusal); map it yourself (an
 * {@code @ExceptionHandler}) to answer otherwise.
 *
 * <p>It has no stack trace: denial is an expected, cheap outcome. Immutable.
 */
public final class RateLimitExceededException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Decision decision;

    /**
     * @param decision the denial
     * @throws NullPointerException if {@code decision} is null
     */
    public RateLimitExceededException(Decision decision) {
        super(message(Objects.requireNonNull(decision, "decision")), null, false, false);
        this.decision = decision;
    }

    private static String message(Decision d) {
        if (d.outcome().refused()) {
            return "rate limiter refused key '" + d.key() + "' (" + d.outcome().tag()
                    + "): it cannot decide now";
        }
        return "rate limit exceeded for key '" + d.key() + "' (policy " + d.policyName()
                + "); retry after " + (d.exceedsCapacity() ? "never (more tokens than the capacity)"
                        : d.retryAfter().toMillis() + " ms");
    }

    /** @return the decision that denied the call */
    public Decision decision() {
        return decision;
    }
}
