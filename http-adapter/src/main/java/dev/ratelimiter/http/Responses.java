package dev.ratelimiter.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes responses on the JDK server: a {@link RateLimitResponse} (the one translation of a
 * decision, shared with every other adapter), and the server's own JSON errors. Every JSON body
 * carries {@code Content-Type}, {@code Cache-Control: no-store} and
 * {@code X-Content-Type-Options: nosniff}. Stateless and thread-safe; the caller closes the
 * exchange.
 */
final class Responses {

    static final String JSON = RateLimitResponse.CONTENT_TYPE;

    private Responses() {
    }

    /** Sets the response's headers and sends it with its body. */
    static void send(HttpExchange exchange, RateLimitResponse response) throws IOException {
        setHeaders(exchange, response);
        json(exchange, response.status(), response.body());
    }

    /** Sets the response's rate-limit and {@code Retry-After} headers, for a request that goes on. */
    static void setHeaders(HttpExchange exchange, RateLimitResponse response) {
        Headers h = exchange.getResponseHeaders();
        response.forEachHeader(h::set);
    }

    /** Sends {@code {"error": message}}. */
    static void error(HttpExchange exchange, int status, String message) throws IOException {
        send(exchange, RateLimitResponse.error(status, message));
    }

    /** Sends a JSON body with the JSON headers. */
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
}
