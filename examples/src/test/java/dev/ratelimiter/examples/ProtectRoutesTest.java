package dev.ratelimiter.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.ManualClock;
import dev.ratelimiter.RateLimiter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Runs example 3 over a real socket. */
class ProtectRoutesTest {

    private final ManualClock clock = new ManualClock();
    private final HttpClient http = HttpClient.newHttpClient();
    private RateLimiter limiter;
    private ProtectRoutes app;

    @BeforeEach
    void start() throws Exception {
        limiter = RateLimiter.inMemory(ProtectRoutes.rules(), clock);
        app = ProtectRoutes.start(limiter, new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void stop() {
        app.close();
        limiter.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + app.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void eachUserGetsTenThenIsLimitedByThePathParameter() throws Exception {
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> ok = get("/api/users/7");
            assertEquals(200, ok.statusCode());
            assertEquals(String.valueOf(9 - i),
                    ok.headers().firstValue("X-RateLimit-Remaining").orElseThrow());
        }
        HttpResponse<String> limited = get("/api/users/7");
        assertEquals(429, limited.statusCode());
        assertEquals("1", limited.headers().firstValue("Retry-After").orElseThrow(),
                "one token is due in 500 ms, rounded up to whole seconds");
        assertTrue(limited.body().contains("\"key\":\"user:7\""), limited.body());
        assertEquals(200, get("/api/users/8").statusCode(), "another user is unaffected");
    }

    @Test
    void searchCostsFiveTokensPerClientIp() throws Exception {
        assertEquals(200, get("/api/search?q=a").statusCode());
        assertEquals(200, get("/api/search?q=b").statusCode());
        HttpResponse<String> limited = get("/api/search?q=c");
        assertEquals(429, limited.statusCode());
        assertTrue(limited.body().contains("\"key\":\"search:127.0.0.1\""), limited.body());
        assertTrue(limited.body().contains("\"tokensRequested\":5"), limited.body());
    }
}
