package dev.ratelimiter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.ratelimiter.ManualClock;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.failure.FailurePolicy;
import dev.ratelimiter.testing.FakeStore;
import dev.ratelimiter.testing.FakeStore.Mode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the server and {@link RateLimitFilter} answer when the store fails, is full or is
 * overloaded: the same response through both, because both go through
 * {@link RateLimitResponse}.
 */
class StoreFailureTest {

    private final ManualClock clock = new ManualClock();
    private final FakeStore store = FakeStore.remote(clock);

    @BeforeAll
    static void tuneTheJdkServerLikeTheRealOne() {
        JdkServerTuning.applyDefaults();
    }

    private static RateLimitServer start(RateLimiter limiter) throws Exception {
        return RateLimitServer.builder(limiter).backendName("redis")
                .settings(ServerSettings.builder().host("127.0.0.1").port(0).threads(4).build())
                .start();
    }

    private RateLimiter limiter(FailurePolicy policy) {
        return RateLimiter.builder().store(store).onStoreFailure(policy)
                .circuitBreaker(1, Duration.ofHours(1)).ticker(clock).build();
    }

    /** The same request answered by the check endpoint and by the filter on an app's route. */
    private static List<HttpResponse<String>> viaEndpointAndFilter(RateLimiter limiter)
            throws Exception {
        HttpServer app = HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ExecutorService executor = Executors.newFixedThreadPool(2);
        app.setExecutor(executor);
        app.createContext("/app", exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        }).getFilters().add(RateLimitFilter.builder(limiter).key(exchange -> "k").build());
        app.start();
        try (RateLimitServer server = start(limiter)) {
            HttpResponse<String> endpoint = new TestHttp(server).check("{\"key\":\"k\"}");
            HttpResponse<String> filter = TestHttp.CLIENT.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + app.getAddress().getPort() + "/app"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return List.of(endpoint, filter);
        } finally {
            app.stop(0);
            executor.shutdownNow();
        }
    }

    private static void assertSame503(List<HttpResponse<String>> both, String error,
                                      String retryAfter) {
        for (HttpResponse<String> r : both) {
            assertEquals(503, r.statusCode(), r.uri() + " " + r.body());
            assertEquals(retryAfter, r.headers().firstValue("Retry-After").orElseThrow(),
                    r.uri().toString());
            assertEquals(error, FlatJson.parse(r.body()).get("error"), r.uri().toString());
            assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        }
        assertEquals(both.get(0).body(), both.get(1).body(), "one responder, one body");
    }

    @Test
    void failClosed_is503WithRetryAfter_throughTheEndpointAndTheFilter() throws Exception {
        try (RateLimiter limiter = limiter(FailurePolicy.FAIL_CLOSED)) {
            store.mode(Mode.DOWN);
            assertSame503(viaEndpointAndFilter(limiter), "rate-limit store unavailable", "3600");
        }
    }

    @Test
    void fullStore_is503_throughTheEndpointAndTheFilter() throws Exception {
        try (RateLimiter limiter = limiter(FailurePolicy.FAIL_OPEN)) {
            store.mode(Mode.FULL);
            assertSame503(viaEndpointAndFilter(limiter),
                    "rate limiter holds its maximum of keys; retry later", "1");
        }
    }

    @Test
    void overloadedStore_is503NeverAFailOpen200_throughTheEndpointAndTheFilter()
            throws Exception {
        try (RateLimiter limiter = limiter(FailurePolicy.FAIL_OPEN)) {
            store.mode(Mode.OVERLOADED);
            assertSame503(viaEndpointAndFilter(limiter), "rate limiter is overloaded; retry later",
                    "1");
            assertEquals(0, limiter.stats().storeFailures(), "overload is not a store failure");
        }
    }

    @Test
    void failClosedAnswers503WithRetryAfterAndHealthIsDown503() throws Exception {
        try (RateLimiter limiter = limiter(FailurePolicy.FAIL_CLOSED);
             RateLimitServer server = start(limiter)) {
            store.mode(Mode.DOWN);
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
            assertTrue(metrics.contains(
                    "ratelimiter_checks_total{outcome=\"failed_closed\",policy=\"default\"} 1"),
                    metrics);
        }
    }

    @Test
    void failOpenAllowsAndHealthSaysDownWithout503() throws Exception {
        try (RateLimiter limiter = limiter(FailurePolicy.FAIL_OPEN);
             RateLimitServer server = start(limiter)) {
            store.mode(Mode.DOWN);
            TestHttp http = new TestHttp(server);
            assertEquals(200, http.check("{\"key\":\"k\"}").statusCode());
            HttpResponse<String> health = http.send("GET", "/health");
            assertEquals(200, health.statusCode());
            assertEquals("DOWN", FlatJson.parse(health.body()).get("status"));
            assertTrue(http.send("GET", "/metrics").body().contains(
                    "ratelimiter_checks_total{outcome=\"failed_open\",policy=\"default\"} 1"));
        }
    }

    @Test
    void withoutAFailurePolicyAnUnreachableStoreIs503NotA500() throws Exception {
        try (RateLimiter limiter = RateLimiter.builder().store(store).build();
             RateLimitServer server = start(limiter)) {
            store.mode(Mode.DOWN);
            TestHttp http = new TestHttp(server);
            HttpResponse<String> r = http.check("{\"key\":\"k\"}");
            assertEquals(503, r.statusCode());
            assertEquals("1", r.headers().firstValue("Retry-After").orElseThrow());
            assertTrue(http.send("GET", "/metrics").body().contains(
                    "ratelimiter_checks_total{outcome=\"error\",policy=\"none\"} 1"));
        }
    }
}
