package dev.ratelimiter.spring;

import dev.ratelimiter.Decision;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.failure.FailSafeRateLimiter;
import dev.ratelimiter.failure.FailurePolicy;
import dev.ratelimiter.http.RateLimitResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Turns a decision into the servlet response through the shared {@link RateLimitResponse}, so
 * that the filter, the {@link RateLimited} handler and the standalone server answer alike.
 * Stateless and thread-safe.
 */
final class Responders {

    private Responders() {
    }

    /**
     * The contract's answer to {@code d}: 429 when denied, 503 when FAIL_CLOSED refused it
     * because the store is down, else allowed.
     */
    static RateLimitResponse of(RateLimiter limiter, Decision d) {
        // Until Decision.Outcome lands (its refused() gives this), tell FAIL_CLOSED's refusal
        // from a denial as the standalone server does.
        if (d.degraded() && !d.allowed() && limiter instanceof FailSafeRateLimiter fs
                && fs.policy() == FailurePolicy.FAIL_CLOSED) {
            return RateLimitResponse.error(503, "rate-limit store unavailable");
        }
        return RateLimitResponse.of(d);
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

    /** Writes a refusal (status, headers, JSON body) as the whole response. */
    static void write(RateLimitResponse r, HttpServletResponse response) throws IOException {
        response.setStatus(r.status());
        r.forEachHeader(response::setHeader);
        byte[] body = r.body();
        response.setContentType(r.contentType());
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        response.flushBuffer();
    }
}
