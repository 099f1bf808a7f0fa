package dev.ratelimiter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class CheckListenerTest {

    private final List<Decision> seen = new CopyOnWriteArrayList<>();
    private final ManualClock clock = new ManualClock();
    private final RateLimiter limiter = RateLimiter.builder()
            .rules(Rules.of(Policy.of("p", Limit.capacity(2).refillGreedy(1, Duration.ofSeconds(1)))))
            .store(dev.ratelimiter.memory.InMemoryStore.builder().ticker(clock).build())
            .sleeper(clock)
            .listener((d, nanos) -> {
                assertTrue(nanos >= 0, "nanos >= 0");
                seen.add(d);
            })
            .build();

    @Test
    void everyAcquireDecisionIsToldOnceAndPeekIsNot() throws Exception {
        limiter.tryAcquire("k", 1);
        limiter.tryAcquireAsync("k", 1).join();
        limiter.tryAcquire("k", 1);
        limiter.acquire("k", 1, Duration.ofSeconds(5));
        limiter.peek("k");

        assertEquals(4, seen.size());
        assertTrue(seen.get(0).allowed());
        assertTrue(seen.get(1).allowed());
        assertFalse(seen.get(2).allowed());
        assertTrue(seen.get(3).allowed());
    }

    @Test
    void aRejectedArgumentIsNotADecision() {
        try {
            limiter.tryAcquire(" ", 1);
        } catch (IllegalArgumentException expected) {
            // the key is blank
        }
        assertEquals(0, seen.size());
    }
}
