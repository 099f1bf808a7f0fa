package dev.ratelimiter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpServer;
import dev.ratelimiter.Limit;
import dev.ratelimiter.ManualClock;
import dev.ratelimiter.Policy;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.Rules;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The filter on an application's own HttpServer: the Java twin of the Flask decorator. */
class RateLimitFilterTest {

    private final ManualClock clock = new ManualClock();
    private final RateLimiter limiter = RateLimiter.inMemory(Rules.of(Policy.of("api",
            Limit.capacity(10).refillGreedy(2, Duration.ofSeconds(1)))), clock);
    private HttpServer app;
    private ExecutorService executor;

    @BeforeAll
    static void tuneTheJdkServerLikeTheRealOne() {
        // This class may create the JVM's first HttpServer; the tuning must come before it.
        JdkServerTuning.applyDefaults();
    }

    @BeforeEach
    void start() throws Exception {
        app = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        executor = Executors.newFixedThreadPool(4);
        app.setExecutor(executor);
        app.createContext("/api/users", exchange -> {
            byte[] body = "{\"name\":\"John Doe\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }).getFilters().add(RateLimitFilter.builder(limiter)
                .key(exchange -> exchange.getRequestURI().getPath().startsWith("/api/users/public")
                        ? null : "user:" + exchange.getRequestURI().getPath().substring(11))
                .build());
        app.createContext("/api/search", exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        }).getFilters().add(RateLimitFilter.builder(limiter)
                .key(exchange -> "search:" + exchange.getRemoteAddress().getAddress()
                        .getHostAddress())
                .tokens(5)
                .build());
        app.start();
    }

    @AfterEach
    void stop() {
        app.stop(0);
        executor.shutdownNow();
        limiter.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return TestHttp.CLIENT.send(HttpRequest.newBuilder(URI.create("http://"
                        + app.getAddress().getAddress().getHostAddress() + ":"
                        + app.getAddress().getPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void allowedRequestsReachTheHandlerWithRateLimitHeaders() throws Exception {
        HttpResponse<String> r = get("/api/users/42");
        assertEquals(200, r.statusCode());
        assertEquals("{\"name\":\"John Doe\"}", r.body());
        assertEquals("\"api\";q=10;w=5", r.headers().firstValue("RateLimit-Policy").orElseThrow());
        assertEquals("\"api\";r=9;t=1", r.headers().firstValue("RateLimit").orElseThrow());
        assertEquals("9", r.headers().firstValue("X-RateLimit-Remaining").orElseThrow());
    }

    @Test
    void deniedRequestsGet429WithTheCheckEndpointsHeadersAndBody() throws Exception {
        for (int i = 0; i < 10; i++) {
            assertEquals(200, get("/api/users/7").statusCode());
        }
        HttpResponse<String> denied = get("/api/users/7");
        assertEquals(429, denied.statusCode());
        assertEquals("1", denied.headers().firstValue("Retry-After").orElseThrow());
        assertEquals("0", denied.headers().firstValue("X-RateLimit-Remaining").orElseThrow());
        assertEquals("application/json", denied.headers().firstValue("Content-Type").get());
        assertEquals("user:7", FlatJson.parse(denied.body()).get("key"));
        assertEquals(false, FlatJson.parse(denied.body()).get("allowed"));
        assertEquals(200, get("/api/users/8").statusCode(), "other keys are untouched");
    }

    @Test
    void costPerRouteAndNullKeyMeansUnlimited() throws Exception {
        assertEquals(204, get("/api/search").statusCode());
        assertEquals(204, get("/api/search").statusCode());
        assertEquals(429, get("/api/search").statusCode());
        for (int i = 0; i < 20; i++) {
            assertEquals(200, get("/api/users/public").statusCode());
        }
    }

    @Test
    void aKeyTheLimiterRejectsIs400AndAClosedLimiterIs503() throws Exception {
        app.createContext("/blank", exchange -> exchange.sendResponseHeaders(204, -1))
                .getFilters().add(RateLimitFilter.builder(limiter).key(exchange -> " ").build());
        HttpResponse<String> blank = get("/blank");
        assertEquals(400, blank.statusCode());
        assertEquals("key must not be blank", FlatJson.parse(blank.body()).get("error"));
        limiter.close();
        HttpResponse<String> closed = get("/api/users/9");
        assertEquals(503, closed.statusCode());
        assertEquals("1", closed.headers().firstValue("Retry-After").orElseThrow());
    }

    @Test
    void theBuilderNeedsAKeyAndAPositiveCost() {
        assertThrows(IllegalStateException.class, () -> RateLimitFilter.builder(limiter).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RateLimitFilter.builder(limiter).tokens(0));
        assertEquals("tokens must be >= 1, was 0", e.getMessage());
        assertFalse(RateLimitFilter.builder(limiter).key(x -> "k").build().description()
                .isEmpty());
    }
}
