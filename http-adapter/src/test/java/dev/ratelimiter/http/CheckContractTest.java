package dev.ratelimiter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.Limit;
import dev.ratelimiter.ManualClock;
import dev.ratelimiter.Policy;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.Rules;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The check contract of issue 4, row by row, over a real socket. */
class CheckContractTest {

    private final ManualClock clock = new ManualClock();
    private RateLimiter limiter;
    private RateLimitServer server;
    private TestHttp http;

    @BeforeEach
    void start() throws Exception {
        Policy policy = Policy.of("default",
                Limit.capacity(10).refillGreedy(2, Duration.ofSeconds(1)));
        // Two limits, the tightest second: 1,000 a day and 10 at 2 per second.
        Policy multi = Policy.of("multi", Limit.of(1000, Duration.ofDays(1)),
                Limit.capacity(10).refillGreedy(2, Duration.ofSeconds(1)));
        limiter = RateLimiter.inMemory(Rules.builder(policy).pattern("multi:*", multi).build(),
                clock);
        server = RateLimitServer.builder(limiter).backendName("memory")
                .settings(ServerSettings.builder().host("127.0.0.1").port(0).threads(16)
                        .maxBodyBytes(1024).build())
                .start();
        http = new TestHttp(server);
    }

    @AfterEach
    void stop() {
        server.stop();
        limiter.close();
    }

    @Test
    void allowsExactlyCapacityThenDeniesWithRetryAfterRoundedUp() throws Exception {
        for (int i = 1; i <= 10; i++) {
            HttpResponse<String> r = http.check("{\"key\":\"user:1\"}");
            assertEquals(200, r.statusCode(), r.body());
            Map<String, Object> body = FlatJson.parse(r.body());
            assertEquals("user:1", body.get("key"));
            assertEquals(1L, body.get("tokensRequested"));
            assertEquals(true, body.get("allowed"));
            assertEquals(10L - i, body.get("remainingTokens"));
            assertEquals(10L, body.get("limit"));
            assertEquals(0L, body.get("retryAfterMs"));
            assertFalse(r.headers().firstValue("Retry-After").isPresent());
        }
        HttpResponse<String> denied = http.check("{\"key\":\"user:1\",\"tokens\":1}");
        assertEquals(429, denied.statusCode());
        Map<String, Object> body = FlatJson.parse(denied.body());
        assertEquals(false, body.get("allowed"));
        assertEquals("user:1", body.get("key"));
        assertEquals(1L, body.get("tokensRequested"));
        assertEquals(0L, body.get("remainingTokens"));
        assertEquals(500L, body.get("retryAfterMs"));
        assertEquals(5000L, body.get("resetAfterMs"));
        // 500 ms until a token is back: whole seconds, rounded up.
        assertEquals("1", denied.headers().firstValue("Retry-After").orElseThrow());
        assertEquals("\"default\";q=10;w=5",
                denied.headers().firstValue("RateLimit-Policy").orElseThrow());
        assertEquals("\"default\";r=0;t=5", denied.headers().firstValue("RateLimit").orElseThrow());
        assertEquals("10", denied.headers().firstValue("X-RateLimit-Limit").orElseThrow());
        assertEquals("0", denied.headers().firstValue("X-RateLimit-Remaining").orElseThrow());
        assertEquals("5", denied.headers().firstValue("X-RateLimit-Reset").orElseThrow());

        clock.advance(Duration.ofMillis(500));
        assertEquals(200, http.check("{\"key\":\"user:1\"}").statusCode());
    }

    @Test
    void everyJsonResponseCarriesContentTypeNoStoreAndNosniff() throws Exception {
        for (HttpResponse<String> r : List.of(
                http.check("{\"key\":\"k\"}"), http.check("{}"), http.send("GET", "/nope"),
                http.send("GET", RateLimitServer.CHECK_PATH), http.send("GET", "/health"))) {
            assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""),
                    r.uri().toString());
            assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""));
            assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""));
        }
    }

    @Test
    void headersOnAllowedResponseReportTheDraftFields() throws Exception {
        HttpResponse<String> r = http.check("{\"key\":\"h\",\"tokens\":3}");
        assertEquals(200, r.statusCode());
        assertEquals("\"default\";q=10;w=5", r.headers().firstValue("RateLimit-Policy").get());
        assertEquals("\"default\";r=7;t=2", r.headers().firstValue("RateLimit").get());
        assertEquals("7", r.headers().firstValue("X-RateLimit-Remaining").get());
        assertEquals("2", r.headers().firstValue("X-RateLimit-Reset").get());
    }

    @Test
    void aPolicyOfSeveralLimits_listsEveryLimitWithItsOwnRemainingAndTimeToFull()
            throws Exception {
        HttpResponse<String> r = http.check("{\"key\":\"multi:1\",\"tokens\":3}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("\"multi\";q=10;w=5, \"multi/2\";q=1000;w=86400",
                r.headers().firstValue("RateLimit-Policy").orElseThrow());
        // 3 tokens: 1.5 s to refill at 2 a second; 259.2 s at 1,000 a day.
        assertEquals("\"multi\";r=7;t=2, \"multi/2\";r=997;t=260",
                r.headers().firstValue("RateLimit").orElseThrow());
        assertEquals("10", r.headers().firstValue("X-RateLimit-Limit").orElseThrow());
        assertEquals("7", r.headers().firstValue("X-RateLimit-Remaining").orElseThrow());
        assertEquals("260", r.headers().firstValue("X-RateLimit-Reset").orElseThrow());
        assertEquals(7L, FlatJson.parse(r.body()).get("remainingTokens"));

        clock.advance(Duration.ofSeconds(1));
        HttpResponse<String> next = http.check("{\"key\":\"multi:1\"}");
        // The second limit got 2 tokens back; the day limit 1/86.4 of one, so 4 tokens less
        // the second already refilled: 344.6 s.
        assertEquals("\"multi\";r=8;t=1, \"multi/2\";r=996;t=345",
                next.headers().firstValue("RateLimit").orElseThrow());
        assertEquals("8", next.headers().firstValue("X-RateLimit-Remaining").orElseThrow());
    }

    @Test
    void requestOverCapacityIsDeniedWithoutRetryAfterAndConsumesNothing() throws Exception {
        HttpResponse<String> r = http.check("{\"key\":\"big\",\"tokens\":11}");
        assertEquals(429, r.statusCode());
        assertFalse(r.headers().firstValue("Retry-After").isPresent());
        assertEquals(-1L, FlatJson.parse(r.body()).get("retryAfterMs"));
        assertEquals(9L, FlatJson.parse(http.check("{\"key\":\"big\"}").body())
                .get("remainingTokens"));
    }

    @ParameterizedTest(name = "{0} -> 400 naming {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{\"key\":\"k\",\"tokens\":1.5}          | tokens must be an integer",
        "{\"key\":\"k\",\"tokens\":\"1\"}        | tokens must be an integer, was a string",
        "{\"key\":\"k\",\"tokens\":1e3}          | tokens must be an integer",
        "{\"key\":\"k\",\"tokens\":1.0}          | tokens must be an integer",
        "{\"key\":\"k\",\"tokens\":0}            | tokens must be >= 1, was 0",
        "{\"key\":\"k\",\"tokens\":-3}           | tokens must be >= 1, was -3",
        "{\"key\":\"k\",\"tokens\":99999999999999999999} | tokens must be from 1 to",
        "{\"key\":\"k\",\"tokens\":-99999999999999999999} | tokens must be from 1 to",
        "{\"key\":\"k\",\"tokens\":null}         | tokens must be an integer, was null",
        "{\"key\":\"k\",\"tokens\":true}         | tokens must be an integer, was a boolean",
        "{\"key\":5}                             | key must be a string, was a number",
        "{\"key\":null}                          | key must be a string, was null",
        "{\"key\":[\"a\"]}                       | key must be a string, was an array",
        "{\"key\":{}}                            | key must be a string, was an object",
        "{\"tokens\":1}                          | key is required",
        "{}                                      | key is required",
        "{\"key\":\"\"}                          | key must not be blank",
        "{\"key\":\"   \"}                       | key must not be blank",
        "{\"key\":\"a\",\"key\":\"b\"}           | duplicate field 'key'",
        "{\"key\":\"a\",\"tokens\":1,\"tokens\":2} | duplicate field 'tokens'",
        "{\"key\":\"a\",\"apiKey\":7}            | apiKey must be a string",
        "{\"key\":\"a\",\"extra\":1}             | unknown field 'extra'",
        "{\"key\":\"a\"} trailing                | malformed JSON",
        "{\"key\":\"a\"}{\"key\":\"b\"}          | unexpected an object after the JSON object",
        "{\"key\":\"a\"                          | malformed JSON: unexpected end of input",
        "[1,2]                                   | request body must be a JSON object, was an array",
        "\"key\"                                 | request body must be a JSON object, was a string",
        "`   `                                   | request body must be a JSON object, was empty",
        "{key:\"a\"}                             | malformed JSON",
        "{\"key\":\"a\",}                        | malformed JSON",
    })
    void badInputIs400NamingTheField(String body, String message) throws Exception {
        HttpResponse<String> r = http.check(body);
        assertEquals(400, r.statusCode(), r.body());
        String error = (String) FlatJson.parse(r.body()).get("error");
        assertTrue(error.startsWith(message), () -> "'" + error + "' should start with '"
                + message + "'");
        assertEquals(10L, limiter.peek("k").remaining(), "nothing consumed");
    }

    @Test
    void keyOverTheLengthLimitIs400() throws Exception {
        String key = "k".repeat(257);
        HttpResponse<String> r = http.check("{\"key\":\"" + key + "\"}");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("key must be at most 256 UTF-8 bytes"), r.body());
    }

    @Test
    void keyWithUnicodeAndEscapesIsEchoedExactly() throws Exception {
        HttpResponse<String> r = http.check("{\"key\":\"us\\u00e9r:\\\"q\\\"\"}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("us\u00e9r:\"q\"", FlatJson.parse(r.body()).get("key"));
    }

    @Test
    void apiKeyInBodyIsIgnoredWhenAuthIsOff() throws Exception {
        assertEquals(200, http.check("{\"key\":\"k\",\"apiKey\":\"whatever\"}").statusCode());
        assertEquals(200, http.check("{\"key\":\"k\",\"apiKey\":null}").statusCode());
    }

    @Test
    void wrongMethodIs405WithAllow() throws Exception {
        HttpResponse<String> r = http.send("GET", RateLimitServer.CHECK_PATH);
        assertEquals(405, r.statusCode());
        assertEquals("POST", r.headers().firstValue("Allow").orElseThrow());
        HttpResponse<String> h = http.send("DELETE", "/health");
        assertEquals(405, h.statusCode());
        assertEquals("GET", h.headers().firstValue("Allow").orElseThrow());
    }

    @Test
    void unknownPathsAre404IncludingPrefixesOfRoutes() throws Exception {
        assertEquals(404, http.send("GET", "/").statusCode());
        assertEquals(404, http.send("GET", "/nope").statusCode());
        assertEquals(404, http.check("{\"key\":\"k\"}").statusCode() == 200
                ? http.post("/api/ratelimit/checkx", "application/json", "{\"key\":\"k\"}")
                        .statusCode() : -1);
        assertEquals(404, http.post("/api/ratelimit/check/extra", "application/json",
                "{\"key\":\"k\"}").statusCode());
        assertTrue(http.send("GET", "/nope").body().contains("\"error\""));
    }

    @Test
    void nonJsonContentTypeIs415() throws Exception {
        assertEquals(415, http.post(RateLimitServer.CHECK_PATH, "text/plain", "{\"key\":\"k\"}")
                .statusCode());
        assertEquals(415, http.post(RateLimitServer.CHECK_PATH,
                "application/x-www-form-urlencoded", "key=k").statusCode());
        assertEquals(415, http.post(RateLimitServer.CHECK_PATH, null, "{\"key\":\"k\"}")
                .statusCode());
        assertEquals(415, http.post(RateLimitServer.CHECK_PATH,
                "application/json; charset=iso-8859-1", "{\"key\":\"k\"}").statusCode());
        assertEquals(200, http.post(RateLimitServer.CHECK_PATH,
                "Application/JSON; charset=UTF-8", "{\"key\":\"k\"}").statusCode());
        assertEquals(10L, limiter.peek("k").remaining() + 1, "only the accepted one consumed");
    }

    @Test
    void bodyOverTheLimitIs413() throws Exception {
        String padded = "{\"key\":\"k\",\"apiKey\":\"" + "x".repeat(1100) + "\"}";
        HttpResponse<String> r = http.check(padded);
        assertEquals(413, r.statusCode());
        assertTrue(r.body().contains("at most 1024 bytes"), r.body());
    }

    @Test
    void declaredLengthOverTheLimitIs413BeforeReading() throws Exception {
        String response = TestHttp.raw(server, "POST /api/ratelimit/check HTTP/1.1\r\n"
                + "Host: x\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n"
                + "Connection: close\r\n\r\n{\"key\":");
        assertTrue(response.startsWith("HTTP/1.1 413"), response);
    }

    @Test
    void chunkedBodyIsCountedOnBytesRead() throws Exception {
        StringBuilder chunks = new StringBuilder();
        String piece = " ".repeat(200);
        for (int i = 0; i < 6; i++) {   // 1,200 bytes of whitespace: over the 1,024 limit
            chunks.append(Integer.toHexString(piece.length())).append("\r\n").append(piece)
                    .append("\r\n");
        }
        chunks.append("0\r\n\r\n");
        String tooBig = TestHttp.raw(server, "POST /api/ratelimit/check HTTP/1.1\r\nHost: x\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n" + chunks);
        assertTrue(tooBig.startsWith("HTTP/1.1 413"), tooBig);

        String body = "{\"key\":\"chunked\",\"tokens\":2}";
        String ok = TestHttp.raw(server, "POST /api/ratelimit/check HTTP/1.1\r\nHost: x\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n"
                + "5\r\n" + body.substring(0, 5) + "\r\n"
                + Integer.toHexString(body.length() - 5) + "\r\n" + body.substring(5) + "\r\n"
                + "0\r\n\r\n");
        assertTrue(ok.startsWith("HTTP/1.1 200"), ok);
        assertTrue(ok.contains("\"remainingTokens\":8"), ok);
    }

    @Test
    void unescapedControlCharacterIs400AndInvalidUtf8IsNever5xx() throws Exception {
        byte[] control = "{\"key\":\"\u0000\"}".getBytes(StandardCharsets.UTF_8);
        assertEquals(400, http.bytes(RateLimitServer.CHECK_PATH, control).statusCode());
        // Jackson 2.21 decodes a malformed UTF-8 sequence as U+FFFD rather than failing.
        byte[] badUtf8 = new byte[] {'{', '"', 'k', 'e', 'y', '"', ':', '"', (byte) 0xC3,
                (byte) 0x28, '"', '}'};
        assertTrue(http.bytes(RateLimitServer.CHECK_PATH, badUtf8).statusCode() < 500);
    }

    @Test
    void healthReportsUpAndTheBackend() throws Exception {
        HttpResponse<String> r = http.send("GET", "/health");
        assertEquals(200, r.statusCode());
        assertEquals(Map.of("status", "UP", "backend", "memory"), FlatJson.parse(r.body()));
    }

    @Test
    void metricsExposeChecksLatencyCircuitAndStatuses() throws Exception {
        http.check("{\"key\":\"m\",\"tokens\":10}");
        http.check("{\"key\":\"m\"}");
        http.check("{\"key\":5}");
        HttpResponse<String> r = http.send("GET", "/metrics");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        String text = r.body();
        assertTrue(text.contains("ratelimiter_checks_total{outcome=\"allowed\",policy=\"default\"} 1"),
                text);
        assertTrue(text.contains("ratelimiter_checks_total{outcome=\"denied\",policy=\"default\"} 1"),
                text);
        assertTrue(text.contains("ratelimiter_check_latency_seconds_bucket"), text);
        assertTrue(text.contains("ratelimiter_store_circuit_state{backend=\"memory\"} 0"), text);
        assertTrue(text.contains("http_server_responses_total{status=\"429\"} 1"), text);
        assertTrue(text.contains("http_server_responses_total{status=\"400\"} 1"), text);
    }
}
