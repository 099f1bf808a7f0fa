package dev.ratelimiter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LimitAndPolicyTest {

    @Test
    void validationMessagesNameTheFieldAndValue() {
        assertEquals("capacity must be >= 1, was 0", assertThrows(IllegalArgumentException.class,
                () -> Limit.capacity(0)).getMessage());
        assertEquals("refillTokens must be >= 1, was 0", assertThrows(
                IllegalArgumentException.class,
                () -> Limit.capacity(1).refillGreedy(0, Duration.ofSeconds(1))).getMessage());
        assertEquals("refillPeriod must be positive, was PT0S", assertThrows(
                IllegalArgumentException.class,
                () -> Limit.capacity(1).refillGreedy(1, Duration.ZERO)).getMessage());
        assertEquals("refill rate must be at most 1 token per nanosecond, was 2 tokens per PT0.000000001S",
                assertThrows(IllegalArgumentException.class,
                        () -> Limit.capacity(1).refillGreedy(2, Duration.ofNanos(1))).getMessage());
        assertEquals("policy 'p' must have at least one limit", assertThrows(
                IllegalArgumentException.class, () -> new Policy("p", List.of())).getMessage());
        assertEquals("policy name must not be blank", assertThrows(IllegalArgumentException.class,
                () -> Policy.of(" ", Limit.of(1, Duration.ofSeconds(1)))).getMessage());
        assertEquals("refillPeriod", assertThrows(NullPointerException.class,
                () -> Limit.of(1, null)).getMessage());
    }

    @Test
    void theTightestLimitIsTheFirstOfTheSmallestCapacity() {
        Limit day = Limit.of(1000, Duration.ofDays(1));
        Limit burst = Limit.of(100, Duration.ofMinutes(1));
        Limit sameCapacity = Limit.of(100, Duration.ofHours(1));
        Policy p = Policy.of("p", day, burst, sameCapacity);
        assertEquals(1, p.tightestIndex());
        assertEquals(burst, p.tightestLimit());
        assertEquals(0, Policy.of("one", day).tightestIndex());
    }

    @Test
    void oneTokenPerNanosecondIsTheFastestRateAllowed() {
        assertEquals(1, Limit.capacity(5).refillGreedy(1, Duration.ofNanos(1)).refillTokens());
    }

    @Test
    void timeToFillFromEmptyRoundsUpAndSaturates() {
        assertEquals(5_000_000_000L, Limit.capacity(10).refillGreedy(2, Duration.ofSeconds(1))
                .nanosToFillFromEmpty());
        assertEquals(2_000_000_000L, Limit.capacity(10).refillIntervally(6, Duration.ofSeconds(1))
                .nanosToFillFromEmpty(), "two whole intervals");
        assertEquals(333_333_334L, Limit.capacity(1).refillGreedy(3, Duration.ofSeconds(1))
                .nanosToFillFromEmpty(), "rounded up");
        assertEquals(Long.MAX_VALUE, Limit.capacity(Long.MAX_VALUE)
                .refillGreedy(1, Duration.ofDays(365)).nanosToFillFromEmpty());
    }

    @Test
    void policyReportsItsTightestLimit() {
        Limit perSecond = Limit.of(10, Duration.ofSeconds(1));
        Limit perMinute = Limit.of(100, Duration.ofMinutes(1));
        Policy p = Policy.of("p", perMinute, perSecond);
        assertEquals(10, p.smallestCapacity());
        assertEquals(perSecond, p.tightestLimit());
    }

    @Test
    void manualClockRefusesToGoBack() {
        ManualClock clock = new ManualClock(5);
        clock.advance(Duration.ofNanos(3));
        assertEquals(8, clock.read());
        assertEquals("ManualClock: duration must not be negative, was PT-0.000000001S",
                assertThrows(IllegalArgumentException.class,
                        () -> clock.advance(Duration.ofNanos(-1))).getMessage());
    }
}
