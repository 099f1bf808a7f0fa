package dev.ratelimiter.spring;

import dev.ratelimiter.Decision;
import java.util.Objects;

/**
 * A call to a {@link RateLimited} method was denied; it did not run. Carries the
 * {@link Decision} (key, remaining tokens, {@code retryAfter}...). In a Spring MVC application
 * an unhandled one becomes the contract's 429 response; map it yourself (an
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
        super("rate limit exceeded for key '" + Objects.requireNonNull(decision, "decision").key()
                + "' (policy " + decision.policyName() + "); retry after "
                + (decision.exceedsCapacity() ? "never (more tokens than the capacity)"
                        : decision.retryAfter().toMillis() + " ms"), null, false, false);
        this.decision = decision;
    }

    /** @return the decision that denied the call */
    public Decision decision() {
        return decision;
    }
}
