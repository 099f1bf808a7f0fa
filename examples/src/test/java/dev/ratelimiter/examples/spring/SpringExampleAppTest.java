package dev.ratelimiter.examples.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

class SpringExampleAppTest {

    private static ConfigurableApplicationContext app;
    private static int port;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        app = SpringExampleApp.start("--server.port=0");
        port = ((WebServerApplicationContext) app).getWebServer().getPort();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theFilterLetsFiveThroughThenAnswersTheContracts429() throws Exception {
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> ok = get("/api/greeting");
            assertEquals(200, ok.statusCode());
            assertEquals("hello", ok.body());
            assertEquals(Long.toString(4 - i),
                    ok.headers().firstValue("X-RateLimit-Remaining").orElseThrow());
        }
        HttpResponse<String> denied = get("/api/greeting");
        assertEquals(429, denied.statusCode());
        assertEquals("1", denied.headers().firstValue("Retry-After").orElseThrow());
        assertEquals("\"default\";q=5;w=5",
                denied.headers().firstValue("RateLimit-Policy").orElseThrow());
        assertTrue(denied.body().startsWith("{\"key\":\"web:127.0.0.1\",\"tokensRequested\":1,"
                + "\"allowed\":false,\"remainingTokens\":0,\"limit\":5,\"retryAfterMs\":"),
                denied.body());
    }

    @Test
    void theAnnotationLimitsEachUserToTwoReportsAMinute() throws Exception {
        assertEquals(200, get("/reports/alice").statusCode());
        assertEquals(200, get("/reports/alice").statusCode());
        HttpResponse<String> denied = get("/reports/alice");
        assertEquals(429, denied.statusCode());
        assertTrue(denied.body().contains("\"key\":\"report:alice\""), denied.body());
        assertEquals("report for bob", get("/reports/bob").body());
    }
}
