package dev.ratelimiter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.ManualClock;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.RateLimiterBuilder;
import dev.ratelimiter.Rules;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** API keys (401) and IP lists (403) over a real socket; neither consumes a token. */
class SecurityTest {

    private final ManualClock clock = new ManualClock();
    private final RateLimiter limiter =
            RateLimiter.inMemory(Rules.of(RateLimiterBuilder.DEFAULT_POLICY), clock);
    private RateLimitServer server;
    private TestHttp http;

    private void start(UnaryOperator<ServerSettings.Builder> settings) throws Exception {
        server = RateLimitServer.builder(limiter)
                .settings(settings.apply(ServerSettings.builder().host("127.0.0.1").port(0)
                        .threads(8)).build())
                .start();
        http = new TestHttp(server);
    }

    @AfterEach
    void stop() {
        server.stop();
        limiter.close();
    }

    private long remainingAfterOneMoreCheck(String... headers) throws Exception {
        HttpResponse<String> r = http.check("{\"key\":\"victim\"}", headers);
        assertEquals(200, r.statusCode(), r.body());
        return (Long) FlatJson.parse(r.body()).get("remainingTokens");
    }

    @Test
    void missingOrWrongApiKeyIs401AndConsumesNothing() throws Exception {
        start(b -> b.apiKeys(List.of("s3cret", "other-key")));
        HttpResponse<String> missing = http.check("{\"key\":\"victim\",\"tokens\":5}");
        assertEquals(401, missing.statusCode());
        assertTrue(((String) FlatJson.parse(missing.body()).get("error"))
                .startsWith("API key required"));
        assertEquals("Bearer", missing.headers().firstValue("WWW-Authenticate").orElseThrow());

        HttpResponse<String> wrong = http.check("{\"key\":\"victim\",\"tokens\":5,"
                + "\"apiKey\":\"s3cre\"}");
        assertEquals(401, wrong.statusCode());
        assertFalse(wrong.body().contains("s3cre"), "the key is never echoed");
        assertEquals(401, http.check("{\"key\":\"victim\",\"tokens\":5}", "X-API-Key", "nope")
                .statusCode());
        assertEquals(401, http.check("{\"key\":\"victim\",\"tokens\":5}", "Authorization",
                "Bearer nope").statusCode());
        assertEquals(401, http.check("{\"key\":\"victim\",\"tokens\":5}", "Authorization",
                "Basic czNjcmV0").statusCode());

        assertEquals(9, remainingAfterOneMoreCheck("X-API-Key", "s3cret"),
                "the rejected requests took nothing");
    }

    @Test
    void apiKeyIsAcceptedFromBodyHeaderOrBearer() throws Exception {
        start(b -> b.apiKeys(List.of("s3cret", "other-key")));
        assertEquals(200, http.check("{\"key\":\"a\",\"apiKey\":\"s3cret\"}").statusCode());
        assertEquals(200, http.check("{\"key\":\"a\"}", "X-API-Key", "other-key").statusCode());
        assertEquals(200, http.check("{\"key\":\"a\"}", "Authorization", "Bearer s3cret")
                .statusCode());
        assertEquals(200, http.check("{\"key\":\"a\"}", "Authorization", "bearer s3cret")
                .statusCode());
    }

    @Test
    void bodyApiKeyWinsOverHeaders() throws Exception {
        start(b -> b.apiKeys(List.of("s3cret")));
        assertEquals(401, http.check("{\"key\":\"a\",\"apiKey\":\"wrong\"}", "X-API-Key",
                "s3cret").statusCode());
    }

    @Test
    void deniedAddressIs403AndConsumesNothing() throws Exception {
        start(b -> b.ipDeny("127.0.0.0/8"));
        HttpResponse<String> r = http.check("{\"key\":\"victim\",\"tokens\":5}");
        assertEquals(403, r.statusCode());
        assertEquals("client address is not allowed", FlatJson.parse(r.body()).get("error"));
        assertEquals(10, limiter.peek("victim").remaining());
        assertEquals(403, http.send("GET", "/metrics").statusCode());
        assertEquals(200, http.send("GET", "/health").statusCode(), "health stays open");
    }

    @Test
    void addressOutsideTheAllowListIs403() throws Exception {
        start(b -> b.ipAllow("10.0.0.0/8, 2001:db8::/32"));
        assertEquals(403, http.check("{\"key\":\"victim\",\"tokens\":5}").statusCode());
        assertEquals(10, limiter.peek("victim").remaining());
    }

    @Test
    void denyWinsOverAllow() throws Exception {
        start(b -> b.ipAllow("127.0.0.0/8").ipDeny("127.0.0.1"));
        assertEquals(403, http.check("{\"key\":\"k\"}").statusCode());
    }

    @Test
    void ipv4MappedRulesMatchIpv4Clients() throws Exception {
        start(b -> b.ipAllow("::ffff:127.0.0.0/104"));
        assertEquals(200, http.check("{\"key\":\"k\"}").statusCode());
    }

    @Test
    void forwardedForIsIgnoredUnlessThePeerIsATrustedProxy() throws Exception {
        start(b -> b.ipAllow("10.0.0.0/8"));
        assertEquals(403, http.check("{\"key\":\"k\"}", "X-Forwarded-For", "10.1.2.3")
                .statusCode(), "a client cannot claim an allowed address");
    }

    @Test
    void trustedProxyForwardedForNamesTheClient() throws Exception {
        start(b -> b.ipAllow("10.0.0.0/8").trustedProxies("127.0.0.1"));
        assertEquals(200, http.check("{\"key\":\"k\"}", "X-Forwarded-For", "10.1.2.3")
                .statusCode());
        // The right-most untrusted entry is the client; a prepended entry is ignored.
        assertEquals(403, http.check("{\"key\":\"k\"}", "X-Forwarded-For",
                "10.1.2.3, 198.51.100.7").statusCode());
        assertEquals(200, http.check("{\"key\":\"k\"}", "X-Forwarded-For",
                "198.51.100.7, 10.1.2.3, 127.0.0.1").statusCode());
        assertEquals(403, http.check("{\"key\":\"k\"}").statusCode(),
                "without the header the proxy itself is the client");
        HttpResponse<String> bad = http.check("{\"key\":\"k\"}", "X-Forwarded-For",
                "not-an-ip");
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("X-Forwarded-For"), bad.body());
    }
}
