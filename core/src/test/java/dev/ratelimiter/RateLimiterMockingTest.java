package dev.ratelimiter;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** RateLimiter is an interface so that callers can mock it; this pins that promise. */
class RateLimiterMockingTest {
    @Test
    void callersCanMockTheLimiter() {
        RateLimiter limiter = mock(RateLimiter.class);
        Policy p = Policy.of("p", Limit.of(1, Duration.ofSeconds(1)));
        when(limiter.tryAcquire("k", 1)).thenReturn(
                new Decision(Decision.Outcome.DENIED, "k", 1, 0, 1, 1_000_000_000L,
                        1_000_000_000L, p));
        assertFalse(limiter.tryAcquire("k", 1).allowed());
        verify(limiter).tryAcquire("k", 1);
    }
}
