package dev.ratelimiter.caffeine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.Concurrency;
import dev.ratelimiter.Decision;
import dev.ratelimiter.Limit;
import dev.ratelimiter.ManualClock;
import dev.ratelimiter.Policy;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.Rules;
import dev.ratelimiter.memory.InMemoryStore;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CaffeineStoreTest {

    private final ManualClock clock = new ManualClock();
    private final Rules rules = Rules.of(Policy.of("p",
            Limit.capacity(10).refillGreedy(2, Duration.ofSeconds(1))));

    private CaffeineStore store(long maximumKeys) {
        return CaffeineStore.builder().ticker(clock).maximumKeys(maximumKeys)
                .executor(Runnable::run).build();
    }

    private RateLimiter limiter(CaffeineStore store) {
        return RateLimiter.builder().rules(rules).store(store).sleeper(clock).build();
    }

    @Test
    void idleKeyIsDroppedOnlyOnceItIsFullAndComesBackFull() {
        CaffeineStore store = store(1000);
        try (RateLimiter limiter = limiter(store)) {
            assertTrue(limiter.tryAcquire("k", 10).allowed());

            clock.advance(Duration.ofMillis(4999)); // 10 tokens at 2/s take 5 s
            store.cleanUp();
            assertEquals(1, store.estimatedSize(), "not yet full, so still held");

            clock.advance(Duration.ofMillis(1));
            Decision d = limiter.peek("k");
            assertEquals(10, d.remaining(), "full, whether or not it was dropped yet");

            // Caffeine's timer wheel drops expired keys late (by up to ~1 s), never early.
            clock.advance(Duration.ofSeconds(10));
            store.cleanUp();
            assertEquals(0, store.estimatedSize(), "full again, so dropped");
            assertTrue(limiter.tryAcquire("k", 10).allowed(), "a dropped key comes back full");
        }
    }

    @Test
    void accessRestartsTheIdleCountdown() {
        CaffeineStore store = store(1000);
        try (RateLimiter limiter = limiter(store)) {
            limiter.tryAcquire("k", 10);
            clock.advance(Duration.ofSeconds(4));
            limiter.tryAcquire("k", 8); // 8 refilled, 8 taken: empty again
            clock.advance(Duration.ofSeconds(4));
            store.cleanUp();
            assertEquals(1, store.estimatedSize(), "used 4 s ago and not yet full");
            assertEquals(8, limiter.peek("k").remaining());
        }
    }

    /**
     * Idle eviction must be invisible: the same random traffic through a Caffeine store that
     * evicts eagerly and through an in-memory store that never evicts gives the same decisions.
     */
    @Test
    void evictionNeverChangesADecision() {
        CaffeineStore evicting = store(1_000_000);
        ManualClock sameClock = clock;
        try (RateLimiter caffeine = limiter(evicting);
             RateLimiter reference = RateLimiter.builder().rules(rules)
                     .store(InMemoryStore.builder().ticker(sameClock).build()).build()) {
            Random random = new Random(42);
            long evictions = 0;
            for (int i = 0; i < 20_000; i++) {
                clock.advanceNanos((long) (random.nextDouble() * random.nextDouble() * 8e9));
                long before = evicting.estimatedSize();
                evicting.cleanUp();
                evictions += Math.max(0, before - evicting.estimatedSize());
                String key = "k" + random.nextInt(20);
                long tokens = 1 + random.nextInt(4);
                Decision a = caffeine.tryAcquire(key, tokens);
                Decision b = reference.tryAcquire(key, tokens);
                assertEquals(b.allowed(), a.allowed(), "step " + i);
                assertEquals(b.remaining(), a.remaining(), "step " + i);
                assertEquals(b.retryAfterNanos(), a.retryAfterNanos(), "step " + i);
                assertEquals(b.resetAfterNanos(), a.resetAfterNanos(), "step " + i);
            }
            assertTrue(evictions > 1000, "the test must actually evict, evicted " + evictions);
        }
    }

    /** Regression: an acquire's reservation used to be forgiven when its wait outlasted expiry. */
    @Test
    void aWaitingReservationKeepsItsKeyPastTheIdleTimeout() throws InterruptedException {
        CaffeineStore store = store(1000);
        try (RateLimiter limiter = limiter(store)) {
            assertTrue(limiter.tryAcquire("k", 10).allowed());
            // 10 more tokens: a 5 s wait, as long as the idle timeout of this policy.
            assertTrue(limiter.acquire("k", 10, Duration.ofSeconds(6)).allowed());
            store.cleanUp();
            assertFalse(limiter.tryAcquire("k").allowed(), "the reserved tokens were spent");
        }
    }

    @Test
    void maximumKeysBoundsTheStore() {
        CaffeineStore store = store(100);
        try (RateLimiter limiter = limiter(store)) {
            for (int i = 0; i < 10_000; i++) {
                limiter.tryAcquire("key-" + i);
            }
            store.cleanUp();
            assertTrue(store.estimatedSize() <= 100, "held " + store.estimatedSize());
        }
    }

    @Test
    void manyThreadsOnOneKeyAreAdmittedExactlyCapacityTimes() throws Exception {
        long capacity = 50_000;
        int threads = 16;
        int attempts = 10_000;
        RateLimiter limiter = RateLimiter.builder()
                .rules(Rules.of(Policy.of("p", Limit.capacity(capacity)
                        .refillGreedy(1, Duration.ofDays(1)))))
                .store(store(1000)).build();
        try (limiter) {
            assertEquals(capacity, Concurrency.admitted(List.of(limiter), "hot", threads, attempts));
        }
    }

    @Test
    void maximumKeysMustBePositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CaffeineStore.builder().maximumKeys(0));
        assertEquals("maximumKeys must be >= 1, was 0", e.getMessage());
    }
}
