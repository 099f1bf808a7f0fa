package dev.ratelimiter.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.failure.FailurePolicy;
import dev.ratelimiter.spi.BucketSpec;
import dev.ratelimiter.spi.BucketStore;
import dev.ratelimiter.spi.StoreUnavailableException;
import dev.ratelimiter.spi.TokenBucket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Status;

/** UP, DEGRADED and DOWN by the store and its breaker. */
class HealthIndicatorTest {

    /** A remote store that never answers. */
    static final class DeadStore implements BucketStore {
        @Override
        public TokenBucket bucket(String key, BucketSpec spec) {
            throw new StoreUnavailableException("dead store", null);
        }

        @Override
        public void remove(String key) {
            throw new StoreUnavailableException("dead store", null);
        }

        @Override
        public boolean isLocal() {
            return false;
        }

        @Override
        public String name() {
            return "dead";
        }

        @Override
        public void close() {
        }
    }

    private static RateLimiter failSafe(FailurePolicy policy, int threshold) {
        return RateLimiter.builder().store(new DeadStore())
                .onStoreFailure(policy).circuitBreaker(threshold, Duration.ofHours(1))
                .build();
    }

    @Test
    void aLocalStoreIsUp() {
        assertEquals(Status.UP, new RateLimiterHealthIndicator(RateLimiter.builder().build(),
                null).health().getStatus());
    }

    @Test
    void aRemoteStoreThatJustFailedIsDegraded() {
        RateLimiter limiter = failSafe(FailurePolicy.FAIL_CLOSED, 3);
        RateLimiterHealthIndicator health = new RateLimiterHealthIndicator(limiter, new DeadStore());
        assertEquals(Status.UP, health.health().getStatus());
        limiter.tryAcquire("k", 1);
        assertEquals("DEGRADED", health.health().getStatus().getCode());
    }

    @Test
    void anOpenBreakerIsDownOnlyWhenChecksAreRefused() {
        RateLimiter closed = failSafe(FailurePolicy.FAIL_CLOSED, 1);
        closed.tryAcquire("k", 1);
        assertEquals(Status.DOWN,
                new RateLimiterHealthIndicator(closed, new DeadStore()).health().getStatus());

        RateLimiter open = failSafe(FailurePolicy.FAIL_OPEN, 1);
        open.tryAcquire("k", 1);
        assertEquals("DEGRADED",
                new RateLimiterHealthIndicator(open, new DeadStore()).health().getStatus()
                        .getCode());
    }
}
