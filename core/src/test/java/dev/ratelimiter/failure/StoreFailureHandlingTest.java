package dev.ratelimiter.failure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.Decision;
import dev.ratelimiter.Decision.Outcome;
import dev.ratelimiter.Limit;
import dev.ratelimiter.ManualClock;
import dev.ratelimiter.Policy;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.RateLimiterBuilder;
import dev.ratelimiter.Rules;
import dev.ratelimiter.memory.InMemoryStore;
import dev.ratelimiter.spi.StoreUnavailableException;
import dev.ratelimiter.testing.FakeStore;
import dev.ratelimiter.testing.FakeStore.Mode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/**
 * The engine's store-failure handling: each failure policy, the circuit breaker, and the outcomes
 * that are not store failures (overload, a full store), against the shared fake store.
 */
class StoreFailureHandlingTest {

    private static final Policy FIVE_PER_MINUTE =
            Policy.of("five", Limit.capacity(5).refillGreedy(5, Duration.ofMinutes(1)));
    private static final Rules RULES = Rules.of(FIVE_PER_MINUTE);

    private final ManualClock clock = new ManualClock();
    private final FakeStore store = FakeStore.local(clock);

    private RateLimiter limiter(FailurePolicy policy) {
        return RateLimiter.builder().rules(RULES).store(store).sleeper(clock)
                .onStoreFailure(policy)
                .circuitBreaker(3, Duration.ofSeconds(1))
                .ticker(clock)
                .build();
    }

    @Test
    void storeUp_decisionsComeFromTheStoreAndAreNotDegraded() {
        RateLimiter limiter = limiter(FailurePolicy.FAIL_OPEN);
        for (int i = 0; i < 5; i++) {
            assertTrue(limiter.tryAcquire("k").allowed());
        }
        Decision denied = limiter.tryAcquire("k");
        assertFalse(denied.allowed());
        assertFalse(denied.degraded());
        assertEquals(BreakerState.CLOSED, limiter.stats().state());
    }

    @Test
    void failOpen_allowsAndMarksDegraded() {
        RateLimiter limiter = limiter(FailurePolicy.FAIL_OPEN);
        store.mode(Mode.DOWN);
        for (int i = 0; i < 20; i++) {
            Decision d = limiter.tryAcquire("k");
            assertTrue(d.allowed());
            assertTrue(d.degraded());
            assertEquals(Outcome.FAILED_OPEN, d.outcome());
            assertEquals(5, d.limit());
        }
    }

    @Test
    void failClosed_deniesWithRetryAfterUntilTheNextTrial() {
        RateLimiter limiter = limiter(FailurePolicy.FAIL_CLOSED);
        store.mode(Mode.DOWN);
        for (int i = 0; i < 3; i++) {
            assertFalse(limiter.tryAcquire("k").allowed());
        }
        assertEquals(BreakerState.OPEN, limiter.stats().state());
        clock.advance(Duration.ofMillis(400));
        Decision d = limiter.tryAcquire("k");
        assertFalse(d.allowed());
        assertTrue(d.degraded());
        assertEquals(Outcome.FAILED_CLOSED, d.outcome());
        assertTrue(d.outcome().refused(), "an HTTP adapter answers it 503, not 429");
        assertEquals(Duration.ofMillis(600), d.retryAfter());
    }

    @Test
    void localFallback_enforcesTheSameRulesInProcess() {
        RateLimiter limiter = limiter(FailurePolicy.LOCAL_FALLBACK);
        store.mode(Mode.DOWN);
        for (int i = 0; i < 5; i++) {
            Decision d = limiter.tryAcquire("k");
            assertTrue(d.allowed(), "request " + i);
            assertTrue(d.degraded());
            assertEquals(Outcome.FALLBACK_ALLOWED, d.outcome());
        }
        Decision sixth = limiter.tryAcquire("k");
        assertFalse(sixth.allowed());
        assertTrue(sixth.degraded());
        assertEquals(Outcome.FALLBACK_DENIED, sixth.outcome());
        assertEquals(3, limiter.stats().storeFailures(), "three failures opened the breaker");
        assertEquals(6, limiter.stats().degradedDecisions(), "all six decisions were local");
    }

    @Test
    void severalLimits_failOpenReportsEachCapacity_andTheFallbackEachLimitsOwnState() {
        Policy two = Policy.of("two", Limit.capacity(5).refillGreedy(5, Duration.ofMinutes(1)),
                Limit.capacity(50).refillGreedy(50, Duration.ofHours(1)));
        RateLimiterBuilder builder = RateLimiter.builder().rules(Rules.of(two)).store(store)
                .sleeper(clock).circuitBreaker(3, Duration.ofSeconds(1)).ticker(clock);
        store.mode(Mode.DOWN);
        try (RateLimiter open = builder.onStoreFailure(FailurePolicy.FAIL_OPEN).build()) {
            Decision d = open.tryAcquire("k", 2);
            assertEquals(Outcome.FAILED_OPEN, d.outcome());
            assertEquals(5, d.remaining(0), "nothing is known: each limit reports its capacity");
            assertEquals(50, d.remaining(1));
            assertEquals(0, d.resetAfterNanos(1));
        }
        try (RateLimiter fallback = builder.onStoreFailure(FailurePolicy.LOCAL_FALLBACK).build()) {
            Decision d = fallback.tryAcquire("k", 2);
            assertEquals(Outcome.FALLBACK_ALLOWED, d.outcome());
            assertEquals(3, d.remaining(0));
            assertEquals(48, d.remaining(1));
            assertEquals(Duration.ofSeconds(24).toNanos(), d.resetAfterNanos(0));
            assertEquals(Duration.ofMinutes(2).plusSeconds(24).toNanos(), d.resetAfterNanos(1));
        }
    }

    @Test
    void breaker_opensAfterThresholdAndThenMakesNoStoreCalls() {
        RateLimiter limiter = limiter(FailurePolicy.FAIL_OPEN);
        store.mode(Mode.DOWN);
        limiter.tryAcquire("k");
        limiter.tryAcquire("k");
        assertEquals(BreakerState.CLOSED, limiter.stats().state(), "two failures are below threshold 3");
        limiter.tryAcquire("k");
        assertEquals(BreakerState.OPEN, limiter.stats().state());
        int callsWhenOpened = store.calls();

        for (int i = 0; i < 1000; i++) {
            assertTrue(limiter.tryAcquire("k" + (i % 10)).degraded());
            limiter.peek("k");
        }
        assertEquals(callsWhenOpened, store.calls(), "no store call while open");
        FailSafeStats stats = limiter.stats();
        assertEquals(3, stats.storeFailures());
        assertEquals(1, stats.timesOpened());
        assertEquals(2003, stats.degradedDecisions());
    }

    @Test
    void breaker_halfOpensOnScheduleAndClosesWhenTheStoreAnswers() {
        RateLimiter limiter = limiter(FailurePolicy.FAIL_OPEN);
        store.mode(Mode.DOWN);
        for (int i = 0; i < 3; i++) {
            limiter.tryAcquire("k");
        }
        store.mode(Mode.UP);
        clock.advance(Duration.ofMillis(999));
        int calls = store.calls();
        assertTrue(limiter.tryAcquire("k").degraded(), "still open 1 ms before the schedule");
        assertEquals(calls, store.calls());

        clock.advance(Duration.ofMillis(1));
        Decision trial = limiter.tryAcquire("k");
        assertFalse(trial.degraded(), "the first request after the open period tries the store");
        assertEquals(BreakerState.CLOSED, limiter.stats().state());
        assertFalse(limiter.tryAcquire("k").degraded());
    }

    @Test
    void breaker_reopensWhenTheTrialFails() {
        RateLimiter limiter = limiter(FailurePolicy.FAIL_OPEN);
        store.mode(Mode.DOWN);
        for (int i = 0; i < 3; i++) {
            limiter.tryAcquire("k");
        }
        clock.advance(Duration.ofSeconds(1));
        int calls = store.calls();
        assertTrue(limiter.tryAcquire("k").degraded());
        assertEquals(calls + 1, store.calls(), "exactly one trial call");
        assertEquals(BreakerState.OPEN, limiter.stats().state());
        assertEquals(2, limiter.stats().timesOpened());
        limiter.tryAcquire("k");
        assertEquals(calls + 1, store.calls(), "open again: no call");
    }

    @Test
    void trialWithInvalidArgument_givesTheTrialBack() {
        RateLimiter limiter = limiter(FailurePolicy.FAIL_OPEN);
        store.mode(Mode.DOWN);
        for (int i = 0; i < 3; i++) {
            limiter.tryAcquire("k");
        }
        store.mode(Mode.UP);
        clock.advance(Duration.ofSeconds(1));
        assertThrows(IllegalArgumentException.class, () -> limiter.tryAcquire("k", 0));
        assertFalse(limiter.tryAcquire("k").degraded(), "the next request is the trial");
        assertEquals(BreakerState.CLOSED, limiter.stats().state());
    }

    @Test
    void openBreaker_stillRejectsInvalidArguments() {
        RateLimiter limiter = limiter(FailurePolicy.FAIL_OPEN);
        store.mode(Mode.DOWN);
        for (int i = 0; i < 3; i++) {
            limiter.tryAcquire("k");
        }
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> limiter.tryAcquire("k", 0));
        assertEquals("tokens must be >= 1, was 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> limiter.tryAcquire(" ", 1));
        assertThrows(NullPointerException.class, () -> limiter.tryAcquire(null, 1));
    }

    @Test
    void requestOverCapacity_isDeniedEvenWhenFailingOpen() {
        RateLimiter limiter = limiter(FailurePolicy.FAIL_OPEN);
        store.mode(Mode.DOWN);
        Decision d = limiter.tryAcquire("k", 6);
        assertFalse(d.allowed());
        assertTrue(d.exceedsCapacity());
    }

    @Test
    void asyncFailure_isAnsweredByThePolicy() throws Exception {
        RateLimiter limiter = limiter(FailurePolicy.FAIL_CLOSED);
        store.mode(Mode.DOWN);
        Decision d = limiter.tryAcquireAsync("k", 1).get();
        assertFalse(d.allowed());
        assertTrue(d.degraded());
        assertEquals(1, limiter.stats().storeFailures());
    }

    @Test
    void acquire_whileDown_failOpenDoesNotWait() throws Exception {
        RateLimiter limiter = limiter(FailurePolicy.FAIL_OPEN);
        store.mode(Mode.DOWN);
        long before = clock.read();
        Decision d = limiter.acquire("k", 1, Duration.ofSeconds(10));
        assertTrue(d.allowed());
        assertTrue(d.degraded());
        assertEquals(before, clock.read());
    }

    @Test
    void reset_whileOpen_throwsStoreUnavailable() {
        RateLimiter limiter = limiter(FailurePolicy.FAIL_OPEN);
        store.mode(Mode.DOWN);
        for (int i = 0; i < 3; i++) {
            limiter.tryAcquire("k");
        }
        StoreUnavailableException e =
                assertThrows(StoreUnavailableException.class, () -> limiter.reset("k"));
        assertTrue(e.getMessage().contains("circuit breaker is open"), e.getMessage());
    }

    @Test
    void builder_rejectsBadOptionsNamingThem() {
        RateLimiterBuilder b = RateLimiter.builder();
        assertEquals("failureThreshold must be from 1 to 1000, was 0",
                assertThrows(IllegalArgumentException.class,
                        () -> b.circuitBreaker(0, Duration.ofSeconds(1))).getMessage());
        assertEquals("openDuration must be positive and at most 1 hour, was PT0S",
                assertThrows(IllegalArgumentException.class,
                        () -> b.circuitBreaker(3, Duration.ZERO)).getMessage());
    }

    @Test
    void localFallbackFull_failsOpenInsteadOfThrowing() {
        RateLimiter limiter = limiter(FailurePolicy.LOCAL_FALLBACK);
        store.mode(Mode.DOWN);
        for (int i = 0; i < InMemoryStore.DEFAULT_MAXIMUM_KEYS; i++) {
            assertTrue(limiter.tryAcquire("k" + i).allowed()); // each bucket now not full
        }
        Decision overflow = limiter.tryAcquire("one-too-many");
        assertTrue(overflow.allowed());
        assertTrue(overflow.degraded());
        assertEquals(Outcome.FAILED_OPEN, overflow.outcome());
    }

    @Test
    void closedLimiter_refusesCallsEvenWhileTheBreakerIsOpen() {
        RateLimiter limiter = limiter(FailurePolicy.FAIL_OPEN);
        store.mode(Mode.DOWN);
        for (int i = 0; i < 3; i++) {
            limiter.tryAcquire("k");
        }
        limiter.close();
        limiter.close(); // idempotent
        assertEquals("RateLimiter is closed",
                assertThrows(IllegalStateException.class, () -> limiter.tryAcquire("k"))
                        .getMessage());
    }

    @Test
    void overloadedStore_isItsOwnOutcomeAndNeverOpensTheBreaker() {
        RateLimiter limiter = limiter(FailurePolicy.FAIL_OPEN);
        store.mode(Mode.OVERLOADED);
        for (int i = 0; i < 100; i++) {
            Decision d = limiter.tryAcquire("k");
            assertEquals(Outcome.OVERLOADED, d.outcome(), "never a fail-open 200");
            assertFalse(d.allowed());
            assertFalse(d.degraded());
            assertTrue(d.outcome().refused());
            assertTrue(d.retryAfterNanos() > 0);
        }
        FailSafeStats stats = limiter.stats();
        assertEquals(BreakerState.CLOSED, stats.state());
        assertEquals(0, stats.storeFailures());
        assertEquals(0, stats.degradedDecisions());
        assertEquals(100, stats.overloadedChecks());
        store.mode(Mode.UP);
        assertEquals(Outcome.ALLOWED, limiter.tryAcquire("k").outcome(), "nothing was consumed");
        assertEquals(4, limiter.peek("k").remaining());
    }

    @Test
    void overloadedTrial_givesTheTrialBack() {
        RateLimiter limiter = limiter(FailurePolicy.FAIL_OPEN);
        store.mode(Mode.DOWN);
        for (int i = 0; i < 3; i++) {
            limiter.tryAcquire("k");
        }
        clock.advance(Duration.ofSeconds(1));
        store.mode(Mode.OVERLOADED);
        assertEquals(Outcome.OVERLOADED, limiter.tryAcquire("k").outcome());
        store.mode(Mode.UP);
        assertEquals(Outcome.ALLOWED, limiter.tryAcquire("k").outcome(),
                "the next request is the trial, and it closes the breaker");
        assertEquals(BreakerState.CLOSED, limiter.stats().state());
    }

    @Test
    void fullStore_isRefusedAsStoreFullWithoutAFailurePolicy() {
        try (RateLimiter limiter = RateLimiter.builder().rules(RULES).store(store).build()) {
            store.mode(Mode.FULL);
            Decision d = limiter.tryAcquire("k");
            assertEquals(Outcome.STORE_FULL, d.outcome());
            assertTrue(d.outcome().refused());
            assertFalse(d.degraded());
        }
    }

    @Test
    void withoutAFailurePolicy_storeFailuresReachTheCaller() {
        try (RateLimiter limiter = RateLimiter.builder().rules(RULES).store(store).build()) {
            store.mode(Mode.DOWN);
            assertThrows(StoreUnavailableException.class, () -> limiter.tryAcquire("k"));
            assertEquals(FailSafeStats.NONE, limiter.stats());
        }
    }

    @Test
    void fullAsyncQueue_isOverloadedNotAnException() throws Exception {
        Executor refusing = task -> {
            throw new RejectedExecutionException("queue full");
        };
        try (RateLimiter limiter = RateLimiter.builder().rules(RULES).store(store)
                .asyncExecutor(refusing).onStoreFailure(FailurePolicy.FAIL_OPEN).build()) {
            assertEquals(Outcome.OVERLOADED, limiter.tryAcquireAsync("k", 1).get().outcome());
        }
    }

    @Test
    void listener_seesEveryDecisionWithItsOutcome() {
        List<Outcome> seen = new CopyOnWriteArrayList<>();
        try (RateLimiter limiter = RateLimiter.builder().rules(RULES).store(store)
                .onStoreFailure(FailurePolicy.FAIL_CLOSED).circuitBreaker(3, Duration.ofSeconds(1))
                .ticker(clock).listener((d, nanos) -> seen.add(d.outcome())).build()) {
            for (int i = 0; i < 6; i++) {
                limiter.tryAcquire("k");
            }
            store.mode(Mode.DOWN);
            limiter.tryAcquire("k");
            limiter.peek("k");
        }
        assertEquals(List.of(Outcome.ALLOWED, Outcome.ALLOWED, Outcome.ALLOWED, Outcome.ALLOWED,
                Outcome.ALLOWED, Outcome.DENIED, Outcome.FAILED_CLOSED), seen,
                "peek is not a check");
    }
}
