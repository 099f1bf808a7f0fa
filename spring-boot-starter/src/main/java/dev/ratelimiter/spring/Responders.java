package dev.ratelimiter.spring;

import dev.ratelimiter.http.RateLimitResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Writes the shared {@link RateLimitResponse} to a servlet response, so that the filter, the
 * {@link RateLimited} handler and the standalone server answer alike. Stateless and thread-safe.
 */
final class Responders {

    private Responders() {
    }

    /** Sets the rate-limit headers of an allowed request on the response the app will write. */
    static void headers(RateLimitResponse r, HttpServletResponse response) {
        r.forEachHeader((name, value) -> {
            // The JSON response's own headers are not the application's business.
            if (!name.equalsIgnoreCase("Cache-Control")
                    && !name.equalsIgnoreCase("X-Content-Type-Options")) {
                response.setHeader(name, value);
            }
        });
    }

    /**
     * Writes a refusal (status, headers, JSON body) as the whole response, with the headers the
     * standalone server puts on every JSON answer ({@code Cache-Control: no-store},
     * {@code X-Content-Type-Options: nosniff}).
     */
    static void write(RateLimitResponse r, HttpServletResponse response) throws IOException {
        response.setStatus(r.status());
        r.forEachHeader(response::setHeader);
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Content-Type-Options", "nosniff");
        byte[] body = r.body();
        response.setContentType(r.contentType());
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        response.flushBuffer();
    }
}
