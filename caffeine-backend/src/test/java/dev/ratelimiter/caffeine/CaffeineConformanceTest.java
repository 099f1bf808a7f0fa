package dev.ratelimiter.caffeine;

import dev.ratelimiter.ManualClock;
import dev.ratelimiter.RateLimiterConformanceTest;
import dev.ratelimiter.spi.BucketStore;

/** The conformance suite on the Caffeine store. */
class CaffeineConformanceTest extends RateLimiterConformanceTest {
    @Override
    protected BucketStore newStore(ManualClock clock) {
        return CaffeineStore.builder().ticker(clock).build();
    }
}
