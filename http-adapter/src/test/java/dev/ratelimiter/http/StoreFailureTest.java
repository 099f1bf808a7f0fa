package dev.ratelimiter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.failure.FailurePolicy;
import dev.ratelimiter.spi.BucketSpec;
import dev.ratelimiter.spi.BucketStore;
import dev.ratelimiter.spi.StoreUnavailableException;
import dev.ratelimiter.spi.TokenBucket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What clients see while the store is down, under each way of handling it. */
class StoreFailureTest {

    /** A remote store that never answers. */
    static final class DeadStore implements BucketStore {
        @Override
        public TokenBucket bucket(String key, BucketSpec spec) {
            throw new StoreUnavailableException("dead store: connection refused", null);
        }

        @Override
        public void remove(String key) {
            throw new StoreUnavailableException("dead store: connection refused", null);
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

    private static RateLimitServer start(RateLimiter limiter) throws Exception {
        return RateLimitServer.builder(limiter).backendName("redis")
                .settings(ServerSettings.builder().host("127.0.0.1").port(0).threads(4).build())
                .start();
    }

    private static RateLimiter failSafe(FailurePolicy policy) {
        return RateLimiter.builder().store(new DeadStore())
                .onStoreFailure(policy, o -> o.failureThreshold(1)
                        .openDuration(Duration.ofHours(1)))
                .build();
    }

    @Test
    void failClosedAnswers503WithRetryAfterAndHealthIsDown503() throws Exception {
        try (RateLimiter limiter = failSafe(FailurePolicy.FAIL_CLOSED);
             RateLimitServer server = start(limiter)) {
            TestHttp http = new TestHttp(server);
            HttpResponse<String> r = http.check("{\"key\":\"k\"}");
            assertEquals(503, r.statusCode(), r.body());
            assertTrue(r.headers().firstValue("Retry-After").isPresent());
            assertEquals("rate-limit store unavailable", FlatJson.parse(r.body()).get("error"));

            HttpResponse<String> health = http.send("GET", "/health");
            assertEquals(503, health.statusCode());
            assertEquals(Map.of("status", "DOWN", "backend", "redis"),
                    FlatJson.parse(health.body()));
            String metrics = http.send("GET", "/metrics").body();
            assertTrue(metrics.contains("ratelimiter_store_circuit_state{backend=\"redis\"} 1"),
                    metrics);
            assertTrue(metrics.contains("ratelimiter_checks_degraded_total 1"), metrics);
        }
    }

    @Test
    void failOpenAllowsAndHealthSaysDownWithout503() throws Exception {
        try (RateLimiter limiter = failSafe(FailurePolicy.FAIL_OPEN);
             RateLimitServer server = start(limiter)) {
            TestHttp http = new TestHttp(server);
            assertEquals(200, http.check("{\"key\":\"k\"}").statusCode());
            HttpResponse<String> health = http.send("GET", "/health");
            assertEquals(200, health.statusCode());
            assertEquals("DOWN", FlatJson.parse(health.body()).get("status"));
        }
    }

    @Test
    void withoutAFailurePolicyAnUnreachableStoreIs503NotA500() throws Exception {
        try (RateLimiter limiter = RateLimiter.builder().store(new DeadStore()).build();
             RateLimitServer server = start(limiter)) {
            TestHttp http = new TestHttp(server);
            HttpResponse<String> r = http.check("{\"key\":\"k\"}");
            assertEquals(503, r.statusCode());
            assertEquals("1", r.headers().firstValue("Retry-After").orElseThrow());
            assertTrue(http.send("GET", "/metrics").body().contains(
                    "ratelimiter_checks_total{outcome=\"error\",policy=\"none\"} 1"));
        }
    }
}
