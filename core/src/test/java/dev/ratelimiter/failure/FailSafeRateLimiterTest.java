package dev.ratelimiter.failure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.Decision;
import dev.ratelimiter.Limit;
import dev.ratelimiter.ManualClock;
import dev.ratelimiter.Policy;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.Rules;
import dev.ratelimiter.memory.InMemoryStore;
import dev.ratelimiter.spi.BucketSpec;
import dev.ratelimiter.spi.BucketStore;
import dev.ratelimiter.spi.StoreUnavailableException;
import dev.ratelimiter.spi.TokenBucket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FailSafeRateLimiterTest {

    private static final Policy FIVE_PER_MINUTE =
            Policy.of("five", Limit.capacity(5).refillGreedy(5, Duration.ofMinutes(1)));
    private static final Rules RULES = Rules.of(FIVE_PER_MINUTE);

    /** A store that can be switched off and counts every call that reaches it. */
    static final class SwitchableStore implements BucketStore {
        final InMemoryStore inner;
        final AtomicInteger calls = new AtomicInteger();
        volatile boolean down;

        SwitchableStore(ManualClock clock) {
            inner = InMemoryStore.builder().ticker(clock).build();
        }

        @Override
        public TokenBucket bucket(String key, BucketSpec spec) {
            calls.incrementAndGet();
            if (down) {
                throw new StoreUnavailableException("test store is down", null);
            }
            return inner.bucket(key, spec);
        }

        @Override
        public void remove(String key) {
            calls.incrementAndGet();
            if (down) {
                throw new StoreUnavailableException("test store is down", null);
            }
            inner.remove(key);
        }

        @Override
        public boolean isLocal() {
            return true;
        }

        @Override
        public String name() {
            return "switchable";
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    private final ManualClock clock = new ManualClock();
    private final SwitchableStore store = new SwitchableStore(clock);

    private FailSafeRateLimiter limiter(FailurePolicy policy) {
        RateLimiter shared = RateLimiter.builder().rules(RULES).store(store).sleeper(clock).build();
        return FailSafeRateLimiter.builder(shared, RULES)
                .policy(policy)
                .failureThreshold(3)
                .openDuration(Duration.ofSeconds(1))
                .ticker(clock)
                .build();
    }

    @Test
    void storeUp_decisionsComeFromTheStoreAndAreNotDegraded() {
        FailSafeRateLimiter limiter = limiter(FailurePolicy.FAIL_OPEN);
        for (int i = 0; i < 5; i++) {
            assertTrue(limiter.tryAcquire("k").allowed());
        }
        Decision denied = limiter.tryAcquire("k");
        assertFalse(denied.allowed());
        assertFalse(denied.degraded());
        assertEquals(BreakerState.CLOSED, limiter.state());
    }

    @Test
    void failOpen_allowsAndMarksDegraded() {
        FailSafeRateLimiter limiter = limiter(FailurePolicy.FAIL_OPEN);
        store.down = true;
        for (int i = 0; i < 20; i++) {
            Decision d = limiter.tryAcquire("k");
            assertTrue(d.allowed());
            assertTrue(d.degraded());
            assertEquals(5, d.limit());
        }
    }

    @Test
    void failClosed_deniesWithRetryAfterUntilTheNextTrial() {
        FailSafeRateLimiter limiter = limiter(FailurePolicy.FAIL_CLOSED);
        store.down = true;
        for (int i = 0; i < 3; i++) {
            assertFalse(limiter.tryAcquire("k").allowed());
        }
        assertEquals(BreakerState.OPEN, limiter.state());
        clock.advance(Duration.ofMillis(400));
        Decision d = limiter.tryAcquire("k");
        assertFalse(d.allowed());
        assertTrue(d.degraded());
        assertEquals(Duration.ofMillis(600), d.retryAfter());
    }

    @Test
    void localFallback_enforcesTheSameRulesInProcess() {
        FailSafeRateLimiter limiter = limiter(FailurePolicy.LOCAL_FALLBACK);
        store.down = true;
        for (int i = 0; i < 5; i++) {
            Decision d = limiter.tryAcquire("k");
            assertTrue(d.allowed(), "request " + i);
            assertTrue(d.degraded());
        }
        Decision sixth = limiter.tryAcquire("k");
        assertFalse(sixth.allowed());
        assertTrue(sixth.degraded());
        assertEquals(3, limiter.stats().storeFailures(), "three failures opened the breaker");
        assertEquals(6, limiter.stats().degradedDecisions(), "all six decisions were local");
    }

    @Test
    void breaker_opensAfterThresholdAndThenMakesNoStoreCalls() {
        FailSafeRateLimiter limiter = limiter(FailurePolicy.FAIL_OPEN);
        store.down = true;
        limiter.tryAcquire("k");
        limiter.tryAcquire("k");
        assertEquals(BreakerState.CLOSED, limiter.state(), "two failures are below threshold 3");
        limiter.tryAcquire("k");
        assertEquals(BreakerState.OPEN, limiter.state());
        int callsWhenOpened = store.calls.get();

        for (int i = 0; i < 1000; i++) {
            assertTrue(limiter.tryAcquire("k" + (i % 10)).degraded());
            limiter.peek("k");
        }
        assertEquals(callsWhenOpened, store.calls.get(), "no store call while open");
        FailSafeStats stats = limiter.stats();
        assertEquals(3, stats.storeFailures());
        assertEquals(1, stats.timesOpened());
        assertEquals(2003, stats.degradedDecisions());
    }

    @Test
    void breaker_halfOpensOnScheduleAndClosesWhenTheStoreAnswers() {
        FailSafeRateLimiter limiter = limiter(FailurePolicy.FAIL_OPEN);
        store.down = true;
        for (int i = 0; i < 3; i++) {
            limiter.tryAcquire("k");
        }
        store.down = false;
        clock.advance(Duration.ofMillis(999));
        int calls = store.calls.get();
        assertTrue(limiter.tryAcquire("k").degraded(), "still open 1 ms before the schedule");
        assertEquals(calls, store.calls.get());

        clock.advance(Duration.ofMillis(1));
        Decision trial = limiter.tryAcquire("k");
        assertFalse(trial.degraded(), "the first request after the open period tries the store");
        assertEquals(BreakerState.CLOSED, limiter.state());
        assertFalse(limiter.tryAcquire("k").degraded());
    }

    @Test
    void breaker_reopensWhenTheTrialFails() {
        FailSafeRateLimiter limiter = limiter(FailurePolicy.FAIL_OPEN);
        store.down = true;
        for (int i = 0; i < 3; i++) {
            limiter.tryAcquire("k");
        }
        clock.advance(Duration.ofSeconds(1));
        int calls = store.calls.get();
        assertTrue(limiter.tryAcquire("k").degraded());
        assertEquals(calls + 1, store.calls.get(), "exactly one trial call");
        assertEquals(BreakerState.OPEN, limiter.state());
        assertEquals(2, limiter.stats().timesOpened());
        limiter.tryAcquire("k");
        assertEquals(calls + 1, store.calls.get(), "open again: no call");
    }

    @Test
    void trialWithInvalidArgument_givesTheTrialBack() {
        FailSafeRateLimiter limiter = limiter(FailurePolicy.FAIL_OPEN);
        store.down = true;
        for (int i = 0; i < 3; i++) {
            limiter.tryAcquire("k");
        }
        store.down = false;
        clock.advance(Duration.ofSeconds(1));
        assertThrows(IllegalArgumentException.class, () -> limiter.tryAcquire("k", 0));
        assertFalse(limiter.tryAcquire("k").degraded(), "the next request is the trial");
        assertEquals(BreakerState.CLOSED, limiter.state());
    }

    @Test
    void openBreaker_stillRejectsInvalidArguments() {
        FailSafeRateLimiter limiter = limiter(FailurePolicy.FAIL_OPEN);
        store.down = true;
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
        FailSafeRateLimiter limiter = limiter(FailurePolicy.FAIL_OPEN);
        store.down = true;
        Decision d = limiter.tryAcquire("k", 6);
        assertFalse(d.allowed());
        assertTrue(d.exceedsCapacity());
    }

    @Test
    void asyncFailure_isAnsweredByThePolicy() throws Exception {
        FailSafeRateLimiter limiter = limiter(FailurePolicy.FAIL_CLOSED);
        store.down = true;
        Decision d = limiter.tryAcquireAsync("k", 1).get();
        assertFalse(d.allowed());
        assertTrue(d.degraded());
        assertEquals(1, limiter.stats().storeFailures());
    }

    @Test
    void acquire_whileDown_failOpenDoesNotWait() throws Exception {
        FailSafeRateLimiter limiter = limiter(FailurePolicy.FAIL_OPEN);
        store.down = true;
        long before = clock.read();
        Decision d = limiter.acquire("k", 1, Duration.ofSeconds(10));
        assertTrue(d.allowed());
        assertTrue(d.degraded());
        assertEquals(before, clock.read());
    }

    @Test
    void reset_whileOpen_throwsStoreUnavailable() {
        FailSafeRateLimiter limiter = limiter(FailurePolicy.FAIL_OPEN);
        store.down = true;
        for (int i = 0; i < 3; i++) {
            limiter.tryAcquire("k");
        }
        StoreUnavailableException e =
                assertThrows(StoreUnavailableException.class, () -> limiter.reset("k"));
        assertTrue(e.getMessage().contains("circuit breaker is open"), e.getMessage());
    }

    @Test
    void builder_rejectsBadOptionsNamingThem() {
        RateLimiter shared = RateLimiter.inMemory(RULES, clock);
        FailSafeRateLimiter.Builder b = FailSafeRateLimiter.builder(shared, RULES);
        assertEquals("failureThreshold must be >= 1, was 0",
                assertThrows(IllegalArgumentException.class, () -> b.failureThreshold(0))
                        .getMessage());
        assertEquals("openDuration must be positive, was PT0S",
                assertThrows(IllegalArgumentException.class, () -> b.openDuration(Duration.ZERO))
                        .getMessage());
    }

    @Test
    void localFallbackFull_failsOpenInsteadOfThrowing() {
        FailSafeRateLimiter limiter = limiter(FailurePolicy.LOCAL_FALLBACK);
        store.down = true;
        for (int i = 0; i < InMemoryStore.DEFAULT_MAXIMUM_KEYS; i++) {
            assertTrue(limiter.tryAcquire("k" + i).allowed()); // each bucket now not full
        }
        Decision overflow = limiter.tryAcquire("one-too-many");
        assertTrue(overflow.allowed());
        assertTrue(overflow.degraded());
    }

    @Test
    void closedLimiter_refusesCallsEvenWhileTheBreakerIsOpen() {
        FailSafeRateLimiter limiter = limiter(FailurePolicy.FAIL_OPEN);
        store.down = true;
        for (int i = 0; i < 3; i++) {
            limiter.tryAcquire("k");
        }
        limiter.close();
        limiter.close(); // idempotent
        assertEquals("RateLimiter is closed",
                assertThrows(IllegalStateException.class, () -> limiter.tryAcquire("k"))
                        .getMessage());
    }
}
