package dev.ratelimiter.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.spring.app.TestApp;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Redis configured but not there (nothing listens on port 1) with FAIL_CLOSED: the filter answers
 * 503 as the standalone server does, and the health indicator is DOWN once the breaker opens.
 */
@SpringBootTest(classes = TestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"ratelimiter.redis.url=redis://127.0.0.1:1",
            "ratelimiter.redis.connect-timeout-ms=200",
            "ratelimiter.store.failure-policy=fail-closed",
            "ratelimiter.store.failure-threshold=1",
            "ratelimiter.store.open-duration-ms=3600000",
            "ratelimiter.web.enabled=true", "ratelimiter.web.paths=/api/**",
            "management.endpoint.health.show-details=always"})
class StoreDownTest {

    @LocalServerPort
    int port;

    @Test
    void failClosedAnswers503WithRetryAfterAndHealthIsDown() throws Exception {
        HttpResponse<String> r = Http.get(port, "/api/hello");
        assertEquals(503, r.statusCode(), r.body());
        assertEquals("{\"error\":\"rate-limit store unavailable\"}", r.body());
        assertTrue(r.headers().firstValue("Retry-After").isPresent());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());

        HttpResponse<String> health = Http.get(port, "/actuator/health/ratelimiter");
        assertEquals(503, health.statusCode(), health.body());
        assertTrue(health.body().contains("\"status\":\"DOWN\""), health.body());
        assertTrue(health.body().contains("\"backend\":\"redis\""), health.body());
        assertTrue(health.body().contains("\"state\":\"OPEN\""), health.body());
    }
}
