package dev.ratelimiter;

import dev.ratelimiter.memory.InMemoryStore;
import dev.ratelimiter.spi.BucketStore;

/** The conformance suite on core's in-memory store. */
class InMemoryConformanceTest extends RateLimiterConformanceTest {
    @Override
    protected BucketStore newStore(ManualClock clock) {
        return InMemoryStore.builder().ticker(clock).build();
    }
}
