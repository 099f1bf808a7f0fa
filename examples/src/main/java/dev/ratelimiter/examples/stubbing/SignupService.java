package dev.ratelimiter.examples.stubbing;

import dev.ratelimiter.Decision;
import dev.ratelimiter.RateLimiter;
import java.util.Objects;

/**
 * Example 4 — a small service that uses the limiter; its tests (in {@code src/test}, class
 * {@code SignupServiceTest}) show the two ways to stub the limiter in unit tests: the in-memory
 * backend on a stepped clock, and a Mockito mock.
 *
 * <p>Each e-mail address may attempt a signup 3 times per hour.
 */
public final class SignupService {

    private final RateLimiter limiter;

    /** @param limiter the limiter; its rules decide the per-address allowance */
    public SignupService(RateLimiter limiter) {
        this.limiter = Objects.requireNonNull(limiter, "limiter");
    }

    /**
     * Attempts a signup.
     *
     * @param email the address
     * @return a message for the user
     */
    public String signUp(String email) {
        Decision d = limiter.tryAcquire("signup:" + email);
        if (!d.allowed()) {
            return "Too many attempts; try again in " + d.retryAfter().toMinutes() + " minutes";
        }
        return "Welcome, " + email;
    }
}
