package dev.ratelimiter.redis;

import dev.ratelimiter.ManualClock;
import dev.ratelimiter.RateLimiterConformanceTest;
import dev.ratelimiter.redis.testing.TestRedis;
import dev.ratelimiter.spi.BucketStore;
import java.time.Duration;

/**
 * The core conformance suite, unchanged, on the script strategy (one {@code EVALSHA} per check)
 * against a real Redis. Same generous timeouts as {@link RedisConformanceTest}, which runs the
 * suite on the compare-and-swap strategy.
 */
class ScriptConformanceTest extends RateLimiterConformanceTest {

    @Override
    protected BucketStore newStore(ManualClock clock) {
        return TestRedis.patientStore()
                .url(TestRedis.url())
                .strategy(RedisStrategy.SCRIPT)
                .keyPrefix(TestRedis.uniquePrefix())
                .ticker(clock)
                .poolMaxTotal(32)
                .keyTtlKeepAlive(Duration.ofSeconds(60))
                .build();
    }
}
