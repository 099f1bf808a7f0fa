package dev.ratelimiter.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.spring.app.TestApp;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Each {@code ratelimiter.web.key} mode on a real app over HTTP, with the auto-configured
 * limiter (capacity 1, so the second request of a key is the 429 that names the key).
 */
class KeyModesTest {

    /** Sends two requests; the second must be the 429 for {@code key}. */
    static void secondIsDeniedFor(int port, String key, String... headers) throws Exception {
        HttpResponse<String> first = Http.get(port, "/api/hello", headers);
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("0", first.headers().firstValue("X-RateLimit-Remaining").orElseThrow());
        HttpResponse<String> second = Http.get(port, "/api/hello", headers);
        assertEquals(429, second.statusCode(), second.body());
        assertTrue(second.body().contains("\"key\":\"" + key + "\""), second.body());
    }

    @Nested
    @SpringBootTest(classes = TestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = {"ratelimiter.capacity=1", "ratelimiter.refill-rate=0.001",
                "ratelimiter.web.enabled=true", "ratelimiter.web.paths=/api/**",
                "ratelimiter.web.trusted-proxies=127.0.0.1, ::1"})
    class BehindATrustedProxy {
        @LocalServerPort
        int port;

        @Test
        void theForwardedClientIsTheKey() throws Exception {
            secondIsDeniedFor(port, "web:203.0.113.7", "X-Forwarded-For", "203.0.113.7");
            // Another forwarded client has its own bucket.
            assertEquals(200, Http.get(port, "/api/hello",
                    "X-Forwarded-For", "203.0.113.8").statusCode());
        }

        @Test
        void theRightMostUntrustedHopIsTheClientNotWhatTheClientWrote() throws Exception {
            secondIsDeniedFor(port, "web:198.51.100.5",
                    "X-Forwarded-For", "1.1.1.1, 198.51.100.5, 127.0.0.1");
        }

        @Test
        void aMalformedHopFromATrustedProxyIs400AsOnTheServer() throws Exception {
            HttpResponse<String> r = Http.get(port, "/api/hello", "X-Forwarded-For", "not-an-ip");
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(r.body().contains("X-Forwarded-For contains an entry that is not an IP"
                    + " address"), r.body());
        }
    }

    @Nested
    @SpringBootTest(classes = TestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = {"ratelimiter.capacity=1", "ratelimiter.refill-rate=0.001",
                "ratelimiter.web.enabled=true", "ratelimiter.web.paths=/api/**",
                "ratelimiter.web.key=header:X-Api-User", "ratelimiter.web.key-prefix=h:"})
    class ByHeader {
        @LocalServerPort
        int port;

        @Test
        void theHeaderValueIsTheKey() throws Exception {
            secondIsDeniedFor(port, "h:alice", "X-Api-User", "alice");
            assertEquals(200, Http.get(port, "/api/hello", "X-Api-User", "bob").statusCode());
        }

        @Test
        void withoutTheHeaderTheRequestIsKeyedByIp() throws Exception {
            secondIsDeniedFor(port, "h:ip:127.0.0.1");
        }

        @Test
        void aKeyOverTheMaximumLengthIs400() throws Exception {
            HttpResponse<String> r = Http.get(port, "/api/hello", "X-Api-User", "x".repeat(300));
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(r.body().startsWith("{\"error\":"), r.body());
        }
    }

    @Nested
    @SpringBootTest(classes = TestApp.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = {"ratelimiter.capacity=1", "ratelimiter.refill-rate=0.001",
                "ratelimiter.web.enabled=true", "ratelimiter.web.paths=/api/**",
                "ratelimiter.web.key=principal", "ratelimiter.web.tokens=1"})
    class ByPrincipal {
        @LocalServerPort
        int port;

        @Test
        void theAuthenticatedUserIsTheKey() throws Exception {
            secondIsDeniedFor(port, "web:carol", "X-Test-User", "carol");
            assertEquals(200, Http.get(port, "/api/hello", "X-Test-User", "dave").statusCode());
        }

        @Test
        void anAnonymousRequestIsKeyedByIp() throws Exception {
            secondIsDeniedFor(port, "web:ip:127.0.0.1");
        }
    }
}
