package dev.ratelimiter.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import dev.ratelimiter.Decision;
import dev.ratelimiter.Policy;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes responses: the JSON headers every response carries, errors, and the one place that
 * turns a {@link Decision} into status, rate-limit headers and body (used by both the check
 * handler and {@link RateLimitFilter}). Stateless and thread-safe.
 */
final class Responses {

    static final String JSON = "application/json";

    private Responses() {
    }

    /**
     * Sends a JSON body with {@code Content-Type}, {@code Cache-Control: no-store} and
     * {@code X-Content-Type-Options: nosniff}. The caller closes the exchange.
     */
    static void json(HttpExchange exchange, int status, byte[] body) throws IOException {
        Headers h = exchange.getResponseHeaders();
        h.set("Content-Type", JSON);
        h.set("Cache-Control", "no-store");
        h.set("X-Content-Type-Options", "nosniff");
        exchange.sendResponseHeaders(status, body.length);
        OutputStream out = exchange.getResponseBody();
        out.write(body);
        out.close();
    }

    /** Sends {@code {"error": message}}. */
    static void error(HttpExchange exchange, int status, String message) throws IOException {
        json(exchange, status, JsonCodec.error(message));
    }

    /** Sends a 503 with {@code Retry-After: 1}. */
    static void unavailable(HttpExchange exchange, String message) throws IOException {
        exchange.getResponseHeaders().set("Retry-After", "1");
        error(exchange, 503, message);
    }

    /** Sends a decision: 200 or 429, its headers, and the contract's body. */
    static void decision(HttpExchange exchange, Decision d) throws IOException {
        rateLimitHeaders(exchange.getResponseHeaders(), d);
        json(exchange, d.allowed() ? 200 : 429, JsonCodec.decision(d));
    }

    /**
     * Sets the rate-limit headers of a decision:
     * <ul>
     *   <li>{@code RateLimit-Policy: "name";q=<capacity>;w=<seconds to fill from empty>} and
     *       {@code RateLimit: "name";r=<remaining>;t=<seconds until full>}
     *       (draft-ietf-httpapi-ratelimit-headers), for the policy's tightest limit;</li>
     *   <li>{@code X-RateLimit-Limit}, {@code X-RateLimit-Remaining},
     *       {@code X-RateLimit-Reset} (seconds until full);</li>
     *   <li>when denied, {@code Retry-After} in whole seconds rounded up, unless the request can
     *       never succeed (it asks for more than the capacity).</li>
     * </ul>
     */
    static void rateLimitHeaders(Headers h, Decision d) {
        Policy policy = d.policy();
        String name = structuredString(policy.name());
        long window = Math.max(1, JsonCodec.ceilDiv(policy.tightestLimit().nanosToFillFromEmpty(),
                1_000_000_000L));
        long reset = JsonCodec.ceilDiv(d.resetAfterNanos(), 1_000_000_000L);
        h.set("RateLimit-Policy", name + ";q=" + d.limit() + ";w=" + window);
        h.set("RateLimit", name + ";r=" + d.remaining() + ";t=" + reset);
        h.set("X-RateLimit-Limit", Long.toString(d.limit()));
        h.set("X-RateLimit-Remaining", Long.toString(d.remaining()));
        h.set("X-RateLimit-Reset", Long.toString(reset));
        if (!d.allowed() && !d.exceedsCapacity()) {
            h.set("Retry-After",
                    Long.toString(Math.max(1, JsonCodec.ceilDiv(d.retryAfterNanos(),
                            1_000_000_000L))));
        }
    }

    /**
     * An RFC 8941 sf-string: printable ASCII in quotes, with {@code "} and {@code \} escaped;
     * other characters (which an sf-string cannot carry) become {@code ?}.
     */
    static String structuredString(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7f) {
                b.append(c);
            } else {
                b.append('?');
            }
        }
        return b.append('"').toString();
    }
}
