package dev.ratelimiter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.Decision;
import dev.ratelimiter.Decision.Outcome;
import dev.ratelimiter.Decision.PerLimit;
import dev.ratelimiter.Limit;
import dev.ratelimiter.Policy;
import dev.ratelimiter.spi.StoreUnavailableException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every outcome has exactly one answer, whatever adapter writes it. */
class RateLimitResponseTest {

    private static final Policy API = Policy.of("api",
            Limit.capacity(10).refillGreedy(2, Duration.ofSeconds(1)));

    private static Decision decision(Outcome outcome, long retryAfterNanos) {
        return new Decision(outcome, "k", 1, 3, 10, retryAfterNanos, 3_500_000_000L, API);
    }

    private static Map<String, String> headers(RateLimitResponse r) {
        Map<String, String> h = new LinkedHashMap<>();
        r.forEachHeader(h::put);
        return h;
    }

    @ParameterizedTest
    @EnumSource(Outcome.class)
    void everyOutcomeMapsToOneStatus(Outcome outcome) {
        RateLimitResponse r = RateLimitResponse.of(decision(outcome, outcome.allowed() ? 0
                : 1_500_000_000L));
        int expected = outcome.refused() ? 503 : outcome.allowed() ? 200 : 429;
        assertEquals(expected, r.status(), outcome.name());
        assertEquals(outcome.allowed(), r.proceed());
        assertEquals("application/json", r.contentType());
        if (outcome.refused()) {
            assertTrue(headers(r).containsKey("Retry-After"));
            assertFalse(headers(r).containsKey("RateLimit"), "a refusal is not the limit's");
            assertTrue(new String(r.body(), StandardCharsets.UTF_8).startsWith("{\"error\":"));
        } else {
            assertEquals("\"api\";r=3;t=4", headers(r).get("RateLimit"));
            assertEquals(!outcome.allowed(), headers(r).containsKey("Retry-After"));
        }
    }

    @Test
    void deniedCarriesTheContractBodyAndRetryAfterRoundedUp() {
        RateLimitResponse r = RateLimitResponse.of(decision(Outcome.DENIED, 1_500_000_000L));
        assertEquals(Map.of("RateLimit-Policy", "\"api\";q=10;w=5", "RateLimit", "\"api\";r=3;t=4",
                "X-RateLimit-Limit", "10", "X-RateLimit-Remaining", "3", "X-RateLimit-Reset", "4",
                "Retry-After", "2"), headers(r));
        assertEquals("{\"key\":\"k\",\"tokensRequested\":1,\"allowed\":false,\"remainingTokens\":3,"
                + "\"limit\":10,\"retryAfterMs\":1500,\"resetAfterMs\":3500}",
                new String(r.body(), StandardCharsets.UTF_8));
    }

    @Test
    void failClosedRetriesWhenTheBreakerNextTriesTheStore() {
        RateLimitResponse r = RateLimitResponse.of(decision(Outcome.FAILED_CLOSED,
                2_100_000_000L));
        assertEquals(503, r.status());
        assertEquals(Map.of("Retry-After", "3"), headers(r));
        assertEquals("{\"error\":\"rate-limit store unavailable\"}",
                new String(r.body(), StandardCharsets.UTF_8));
    }

    @Test
    void aPolicyOfSeveralLimits_listsEachLimitWithItsOwnRemainingAndTime_inBothHeaders() {
        // The policy's order is day, then minute; the minute limit is the tightest, so it comes
        // first under the policy's name in both headers, the day limit second as "burst/2".
        Policy two = Policy.of("burst", Limit.of(1000, Duration.ofDays(1)),
                Limit.capacity(100).refillGreedy(100, Duration.ofMinutes(1)));
        Decision d = new Decision(Outcome.DENIED, "k", 5, 3, 100, 1_200_000_000L,
                864_000_000_000L, two, PerLimit.of(new long[] {990, 3},
                        new long[] {864_000_000_000L, 58_200_000_000L}));
        assertEquals(Map.of(
                "RateLimit-Policy", "\"burst\";q=100;w=60, \"burst/2\";q=1000;w=86400",
                "RateLimit", "\"burst\";r=3;t=59, \"burst/2\";r=990;t=864",
                "X-RateLimit-Limit", "100", "X-RateLimit-Remaining", "3",
                "X-RateLimit-Reset", "864", "Retry-After", "2"), headers(RateLimitResponse.of(d)));
    }

    @Test
    void severalLimitsWithoutPerLimitValues_reportTheMinimumAndTheLongestTimeForEach() {
        // A decision built with the 8-argument constructor, as a test stubbing a limiter does.
        Policy two = Policy.of("burst", Limit.of(1000, Duration.ofDays(1)),
                Limit.capacity(100).refillGreedy(100, Duration.ofMinutes(1)));
        Decision d = new Decision(Outcome.ALLOWED, "k", 1, 99, 100, 0, 600_000_000L, two);
        Map<String, String> h = headers(RateLimitResponse.of(d));
        assertEquals("\"burst\";q=100;w=60, \"burst/2\";q=1000;w=86400", h.get("RateLimit-Policy"));
        assertEquals("\"burst\";r=99;t=1, \"burst/2\";r=99;t=1", h.get("RateLimit"));
    }

    @Test
    void theSameLimitTwice_isListedTwice() {
        // Regression: the tightest limit was skipped by identity, so a policy holding one Limit
        // object twice lost an item in RateLimit-Policy.
        Limit perMinute = Limit.capacity(100).refillGreedy(100, Duration.ofMinutes(1));
        Policy twice = Policy.of("twice", perMinute, perMinute);
        Decision d = new Decision(Outcome.ALLOWED, "k", 1, 99, 100, 0, 600_000_000L, twice,
                PerLimit.of(new long[] {99, 99}, new long[] {600_000_000L, 600_000_000L}));
        Map<String, String> h = headers(RateLimitResponse.of(d));
        assertEquals("\"twice\";q=100;w=60, \"twice/2\";q=100;w=60", h.get("RateLimit-Policy"));
        assertEquals("\"twice\";r=99;t=1, \"twice/2\";r=99;t=1", h.get("RateLimit"));
    }

    @Test
    void rejectedArgumentsAre400AndAStoreFailureWithoutAPolicyIs503() {
        assertEquals(400, RateLimitResponse.rejected(
                new IllegalArgumentException("tokens must be >= 1, was 0")).status());
        RateLimitResponse down = RateLimitResponse.rejected(
                new StoreUnavailableException("refused", null));
        assertEquals(503, down.status());
        assertEquals("1", headers(down).get("Retry-After"));
        assertEquals(503, RateLimitResponse.rejected(
                new IllegalStateException("RateLimiter is closed")).status());
        UnsupportedOperationException bug = new UnsupportedOperationException("bug");
        assertSame(bug, assertThrows(UnsupportedOperationException.class,
                () -> RateLimitResponse.rejected(bug)), "a bug is not translated");
    }

    @Test
    void errorStatusMustBeAnErrorStatus() {
        assertEquals("status must be from 400 to 599, was 200",
                assertThrows(IllegalArgumentException.class,
                        () -> RateLimitResponse.error(200, "x")).getMessage());
    }

    @Test
    void aShadowDenial_is200WithTheShadowHeaderAndNoRetryAfter() {
        RateLimitResponse r = RateLimitResponse.of(new Decision(Outcome.SHADOW_DENIED, "k", 1, 0,
                10, 500_000_000L, 5_000_000_000L, API.withShadow(true)));
        assertEquals(200, r.status());
        assertTrue(r.proceed());
        Map<String, String> h = headers(r);
        assertEquals("\"api\"", h.get(RateLimitResponse.SHADOW_DENIED_HEADER));
        assertFalse(h.containsKey("Retry-After"));
        assertEquals("\"api\";r=0;t=5", h.get("RateLimit"));
        assertTrue(new String(r.body(), StandardCharsets.UTF_8).contains("\"allowed\":true"));
        assertFalse(headers(RateLimitResponse.of(decision(Outcome.ALLOWED, 0)))
                .containsKey(RateLimitResponse.SHADOW_DENIED_HEADER));
    }
}
