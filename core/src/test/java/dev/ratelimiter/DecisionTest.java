package dev.ratelimiter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ratelimiter.Decision.Outcome;
import dev.ratelimiter.Decision.PerLimit;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The decision's per-limit values: what they answer with and without them, and validation. */
class DecisionTest {

    private static final Policy TWO = Policy.of("two",
            Limit.capacity(100).refillGreedy(100, Duration.ofMinutes(1)),
            Limit.of(1000, Duration.ofDays(1)));

    @Test
    void perLimitValues_areEachLimitsOwn_andNegativesReadAsZero() {
        Decision d = new Decision(Outcome.ALLOWED, "k", 1, 7, 100, 0, 80_000, TWO,
                PerLimit.of(new long[] {7, -3}, new long[] {2_000, 80_000}));
        assertEquals(7, d.remaining(0));
        assertEquals(0, d.remaining(1), "a limit in debt has nothing left");
        assertEquals(2_000, d.resetAfterNanos(0));
        assertEquals(80_000, d.resetAfterNanos(1));
    }

    @Test
    void withoutPerLimitValues_everyLimitReportsTheMinimumAndTheLongestTime() {
        // The constructor of the first release: tests stubbing a limiter still compile.
        Decision d = new Decision(Outcome.DENIED, "k", 1, 4, 100, 10, 90_000, TWO);
        assertNull(d.perLimit());
        assertEquals(4, d.remaining(0));
        assertEquals(4, d.remaining(1));
        assertEquals(90_000, d.resetAfterNanos(1));
    }

    @Test
    void perLimitMustMatchThePolicy_andIndexesAreChecked() {
        PerLimit three = PerLimit.of(new long[] {1, 2, 3}, new long[] {0, 0, 0});
        assertEquals("perLimit must have one entry per limit of policy 'two' (2), had 3",
                assertThrows(IllegalArgumentException.class, () -> new Decision(Outcome.ALLOWED,
                        "k", 1, 1, 100, 0, 0, TWO, three)).getMessage());
        assertEquals("remaining and resetAfterNanos must have one entry per limit, at least one,"
                + " were of lengths 2 and 1", assertThrows(IllegalArgumentException.class,
                        () -> PerLimit.of(new long[] {1, 2}, new long[] {0})).getMessage());
        Decision d = new Decision(Outcome.ALLOWED, "k", 1, 7, 100, 0, 0, TWO);
        assertThrows(IndexOutOfBoundsException.class, () -> d.remaining(2));
        assertThrows(IndexOutOfBoundsException.class, () -> d.resetAfterNanos(-1));
    }

    @Test
    void perLimitIsAValue_copiedFromItsArrays() {
        long[] remaining = {7, 990};
        PerLimit a = PerLimit.of(remaining, new long[] {1, 2});
        remaining[0] = 0;
        assertEquals(7, a.remaining(0), "copied");
        assertEquals(a, PerLimit.of(new long[] {7, 990}, new long[] {1, 2}));
        assertEquals(a.hashCode(), PerLimit.of(new long[] {7, 990}, new long[] {1, 2}).hashCode());
        assertNotEquals(a, PerLimit.of(new long[] {7, 991}, new long[] {1, 2}));
        assertEquals(new Decision(Outcome.ALLOWED, "k", 1, 7, 100, 0, 2, TWO, a),
                new Decision(Outcome.ALLOWED, "k", 1, 7, 100, 0, 2, TWO,
                        PerLimit.of(new long[] {7, 990}, new long[] {1, 2})));
        assertEquals("PerLimit[remaining=[7, 990], resetAfterNanos=[1, 2]]", a.toString());
    }
}
