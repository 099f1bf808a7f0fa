package dev.ratelimiter.spring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.ManualClock;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.Rules;
import dev.ratelimiter.http.RateLimitServer;
import dev.ratelimiter.http.ServerSettings;
import dev.ratelimiter.memory.InMemoryStore;
import dev.ratelimiter.micrometer.RateLimiterMetrics;
import dev.ratelimiter.spring.app.TestApp;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;

/**
 * A real Spring Boot web app on a random port, called over HTTP, against a standalone
 * {@link RateLimitServer} with the same rules: the starter's 429 is the server's, byte for byte.
 * The app's limiter is the test's own bean (the auto-configured one backs off) on a manual clock,
 * built on the auto-configured {@link Rules} (so from the properties below), so that both sides
 * see the same instant.
 */
@SpringBootTest(classes = {TestApp.class, WebFilterTest.ClockedLimiter.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
            "ratelimiter.capacity=3",
            "ratelimiter.refill-rate=1",
            "ratelimiter.patterns.[report\\:*].limits=2/1m, 100/1d",
            "ratelimiter.web.enabled=true",
            "ratelimiter.web.paths=/api/**",
            "ratelimiter.web.trusted-proxies=10.0.0.0/8",
            "management.endpoints.web.exposure.include=health,prometheus",
            "management.endpoint.health.show-details=always"})
class WebFilterTest {

    /** The limiter on a clock that only the test moves. */
    @TestConfiguration
    static class ClockedLimiter {
        @Bean
        RateLimiter clockedLimiter(Rules rules, RateLimiterMetrics metrics) {
            RateLimiter limiter = RateLimiter.builder().rules(rules)
                    .store(InMemoryStore.builder().ticker(new ManualClock()).build())
                    .listener(metrics).build();
            metrics.watch(limiter);
            return limiter;
        }
    }

    /** Headers the contract defines for a decision. */
    private static final List<String> CONTRACT_HEADERS = List.of("Content-Type", "Cache-Control",
            "X-Content-Type-Options", "RateLimit", "RateLimit-Policy", "X-RateLimit-Limit",
            "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After");

    @LocalServerPort
    int port;
    @Autowired
    RateLimiter limiter;
    @Autowired
    Rules rules;
    @Autowired
    TestApp.Reports reports;

    private RateLimiter serverLimiter;
    private RateLimitServer server;

    @BeforeEach
    void start() throws Exception {
        limiter.reset("web:127.0.0.1");
        for (String k : List.of("report:alice", "report:bob", "shared-reports")) {
            limiter.reset(k);
        }
        serverLimiter = RateLimiter.inMemory(rules, new ManualClock());
        server = RateLimitServer.builder(serverLimiter).backendName("memory")
                .settings(ServerSettings.builder().host("127.0.0.1").port(0).threads(2).build())
                .start();
    }

    @AfterEach
    void stop() {
        server.stop();
        serverLimiter.close();
    }

    private HttpResponse<byte[]> serverCheck(String key) throws Exception {
        return Http.postJson("http://" + server.hostAndPort() + RateLimitServer.CHECK_PATH,
                "{\"key\":\"" + key + "\"}");
    }

    private static void assertSameContract(HttpResponse<byte[]> expected,
                                           HttpResponse<byte[]> actual) {
        assertEquals(expected.statusCode(), actual.statusCode());
        for (String h : CONTRACT_HEADERS) {
            assertEquals(expected.headers().allValues(h), actual.headers().allValues(h), h);
        }
        assertArrayEquals(expected.body(), actual.body(),
                () -> new String(expected.body(), StandardCharsets.UTF_8) + " vs "
                        + new String(actual.body(), StandardCharsets.UTF_8));
    }

    @Test
    void aLimitedPathIsDeniedAfterItsCapacityWithTheServersExact429() throws Exception {
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> ok = Http.get(port, "/api/hello");
            assertEquals(200, ok.statusCode());
            assertEquals("hello", ok.body());
            HttpResponse<byte[]> fromServer = serverCheck("web:127.0.0.1");
            for (String h : List.of("RateLimit", "RateLimit-Policy", "X-RateLimit-Limit",
                    "X-RateLimit-Remaining", "X-RateLimit-Reset")) {
                assertEquals(fromServer.headers().allValues(h), ok.headers().allValues(h), h);
            }
        }
        HttpResponse<byte[]> denied = Http.getBytes(port, "/api/hello");
        assertEquals(429, denied.statusCode());
        assertSameContract(serverCheck("web:127.0.0.1"), denied);
        String body = new String(denied.body(), StandardCharsets.UTF_8);
        assertTrue(body.contains("\"key\":\"web:127.0.0.1\""), body);
        assertTrue(body.contains("\"allowed\":false"), body);
        assertEquals(List.of("1"), denied.headers().allValues("Retry-After"));
    }

    @Test
    void anUnlimitedPathIsNeverCheckedNorGivenHeaders() throws Exception {
        for (int i = 0; i < 10; i++) {
            HttpResponse<String> r = Http.get(port, "/open/hello");
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("RateLimit").isEmpty());
        }
        assertEquals(3, limiter.peek("web:127.0.0.1").remaining());
    }

    @Test
    void xForwardedForFromAnUntrustedPeerIsIgnored() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertEquals(200, Http.get(port, "/api/hello",
                    "X-Forwarded-For", "198.51.100." + i).statusCode());
        }
        HttpResponse<String> denied = Http.get(port, "/api/hello",
                "X-Forwarded-For", "198.51.100.99");
        assertEquals(429, denied.statusCode());
        assertTrue(denied.body().contains("\"key\":\"web:127.0.0.1\""), denied.body());
    }

    @Test
    void rateLimitedMethodWithASpelKeyAnswersTheSame429PerUser() throws Exception {
        assertEquals(200, Http.get(port, "/reports/alice").statusCode());
        serverCheck("report:alice");
        assertEquals(200, Http.get(port, "/reports/alice").statusCode());
        serverCheck("report:alice");
        HttpResponse<byte[]> denied = Http.getBytes(port, "/reports/alice");
        assertEquals(429, denied.statusCode());
        assertSameContract(serverCheck("report:alice"), denied);
        // Two limits, each with its own numbers: the minute's spent, the day's 98 of 100.
        assertEquals(List.of("\"report:*\";r=0;t=60, \"report:*/2\";r=98;t=1728"),
                denied.headers().allValues("RateLimit"));
        assertEquals("report for bob", Http.get(port, "/reports/bob").body());
    }

    @Test
    void anApplicationsOwnExceptionHandlerWinsOverThe429() throws Exception {
        Http.get(port, "/mapped/alice");
        Http.get(port, "/mapped/alice");
        HttpResponse<String> mapped = Http.get(port, "/mapped/alice");
        assertEquals(409, mapped.statusCode());
        assertEquals("mapped: report:alice", mapped.body());
    }

    @Test
    void aDeniedCallThrowsTheExceptionCarryingTheDecision() {
        assertEquals("all reports", reports.buildAll());
        RateLimitExceededException e =
                assertThrows(RateLimitExceededException.class, reports::buildAll);
        assertEquals("shared-reports", e.decision().key());
        assertEquals(2, e.decision().tokensRequested());
        assertFalse(e.decision().allowed());
    }

    @Test
    void metersShowTheServersSeriesInPrometheus() throws Exception {
        Http.get(port, "/api/hello");
        Http.get(port, "/api/hello");
        Http.get(port, "/api/hello");
        Http.get(port, "/api/hello");
        HttpResponse<String> scrape = Http.get(port, "/actuator/prometheus");
        assertEquals(200, scrape.statusCode());
        String text = scrape.body();
        assertTrue(text.contains("ratelimiter_checks_total{outcome=\"denied\",policy=\"default\"}"),
                text);
        assertFalse(text.contains("127.0.0.1"), "the key is never a tag");

        serverCheck("k");
        String serverText = new String(Http.getBytes(
                server.address().getPort(), "/metrics").body(), StandardCharsets.UTF_8);
        // The limiter's series are the same binder's; the server adds its own HTTP ones.
        Set<String> limiterSeries = new TreeSet<>(seriesNames(serverText));
        limiterSeries.removeIf(name -> name.startsWith("ratelimiter_http_"));
        assertEquals(limiterSeries, seriesNames(text));
    }

    @Test
    void healthReportsTheLimiterUp() throws Exception {
        HttpResponse<String> health = Http.get(port, "/actuator/health/ratelimiter");
        assertEquals(200, health.statusCode());
        assertTrue(health.body().contains("\"status\":\"UP\""), health.body());
        assertTrue(health.body().contains("\"backend\":\"caffeine\""), health.body());
    }

    /** The names of the ratelimiter_* series in a Prometheus text scrape. */
    private static Set<String> seriesNames(String scrape) {
        Set<String> names = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (line.startsWith("ratelimiter_")) {
                int end = line.indexOf('{') > 0 ? line.indexOf('{') : line.indexOf(' ');
                names.add(line.substring(0, end));
            }
        }
        return names;
    }
}
