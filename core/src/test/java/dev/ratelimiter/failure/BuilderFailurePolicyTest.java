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
import dev.ratelimiter.testing.FakeStore;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The builder's onStoreFailure uses the limiter's own rules and key length: given once. */
class BuilderFailurePolicyTest {

    private final ManualClock clock = new ManualClock();
    private final Policy users = Policy.of("users", Limit.of(3, Duration.ofMinutes(1)));
    private final Rules rules = Rules.builder(Policy.of("default", Limit.of(10, Duration.ofSeconds(1))))
            .pattern("user:*", users).build();

    @Test
    void failClosedDeniesWithTheKeysOwnPolicyAndTheBuildersKeyLength() {
        FakeStore store = FakeStore.local(clock);
        try (RateLimiter limiter = RateLimiter.builder().rules(rules).store(store).maxKeyBytes(16)
                .onStoreFailure(FailurePolicy.FAIL_CLOSED).ticker(clock).build()) {
            assertTrue(limiter.tryAcquire("user:1").allowed());
            store.mode(FakeStore.Mode.DOWN);
            Decision d = limiter.tryAcquire("user:1");
            assertFalse(d.allowed());
            assertTrue(d.degraded());
            assertEquals(FailurePolicy.FAIL_CLOSED, limiter.stats().failurePolicy());
            assertEquals("users", d.policyName(), "rules were shared, not given twice");
            assertThrows(IllegalArgumentException.class,
                    () -> limiter.tryAcquire("user:0123456789abcdef"), "key length shared too");
        }
    }
}
