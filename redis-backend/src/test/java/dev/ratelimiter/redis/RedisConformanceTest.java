package dev.ratelimiter.redis;

import dev.ratelimiter.redis.testing.RedisProcess;
import dev.ratelimiter.redis.testing.TestRedis;
import dev.ratelimiter.ManualClock;
import dev.ratelimiter.RateLimiterConformanceTest;
import dev.ratelimiter.spi.BucketStore;
import java.time.Duration;

/**
 * The core conformance suite on a real Redis, compare-and-swap strategy ({@link
 * ScriptConformanceTest} runs it on the script strategy). Timeouts are generous here: this suite checks
 * semantics, and a 2-core CI machine running 32 threads must not turn a slow reply into a
 * failure. Keys live 60 s past their refill, in real time, because the suite's clock is manual.
 */
class RedisConformanceTest extends RateLimiterConformanceTest {

    @Override
    protected BucketStore newStore(ManualClock clock) {
        return TestRedis.patientStore()
                .url(TestRedis.url())
                .strategy(RedisStrategy.CAS)
                .keyPrefix(TestRedis.uniquePrefix())
                .ticker(clock)
                .poolMaxTotal(32)
                .keyTtlKeepAlive(Duration.ofSeconds(60))
                .build();
    }
}
