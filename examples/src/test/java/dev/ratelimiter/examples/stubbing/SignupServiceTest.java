package dev.ratelimiter.examples.stubbing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.ratelimiter.Decision;
import dev.ratelimiter.Limit;
import dev.ratelimiter.ManualClock;
import dev.ratelimiter.Policy;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.Rules;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Example 4 — stubbing the limiter in unit tests.
 *
 * <p>Way 1: the real limiter on the in-memory backend and a {@link ManualClock}: deny, step the
 * clock, allow; nothing sleeps. Way 2: mock the {@link RateLimiter} interface with Mockito to force
 * an answer. Run: {@code mvn -q -pl examples -am test -Dtest=SignupServiceTest
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class SignupServiceTest {

    private static final Policy THREE_PER_HOUR = Policy.of("signup",
            Limit.capacity(3).refillIntervally(3, Duration.ofHours(1)));

    @Test
    void theFourthAttemptWithinAnHourIsRefusedUntilTheHourIsOver() {
        ManualClock clock = new ManualClock();
        try (RateLimiter limiter = RateLimiter.inMemory(Rules.of(THREE_PER_HOUR), clock)) {
            SignupService service = new SignupService(limiter);
            for (int i = 0; i < 3; i++) {
                assertEquals("Welcome, a@example.com", service.signUp("a@example.com"));
            }
            assertEquals("Too many attempts; try again in 60 minutes",
                    service.signUp("a@example.com"));
            assertEquals("Welcome, b@example.com", service.signUp("b@example.com"),
                    "other addresses are unaffected");

            clock.advance(Duration.ofMinutes(59));
            assertEquals("Too many attempts; try again in 1 minutes",
                    service.signUp("a@example.com"));
            clock.advance(Duration.ofMinutes(1));
            assertEquals("Welcome, a@example.com", service.signUp("a@example.com"));
        }
    }

    @Test
    void aMockedLimiterForcesTheDeniedBranch() {
        RateLimiter limiter = mock(RateLimiter.class);
        when(limiter.tryAcquire(anyString())).thenReturn(new Decision(Decision.Outcome.DENIED,
                "signup:x", 1, 0, 3, Duration.ofMinutes(5).toNanos(), Duration.ofHours(1).toNanos(),
                THREE_PER_HOUR));
        assertEquals("Too many attempts; try again in 5 minutes",
                new SignupService(limiter).signUp("x"));
    }
}
