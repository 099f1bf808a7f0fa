package dev.ratelimiter.http;

import dev.ratelimiter.Decision;
import dev.ratelimiter.Policy;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * TEMPORARY copy (branch {@code spring}) of the lead's transport-neutral responder, coded against
 * its announced API so that the Spring starter can be written before it lands on main; drop this
 * file when merging the real one.
 *
 * <p>What the contract answers for a decision or an error, independent of the server: status,
 * headers, JSON body. The headers and body are those of {@link Responses#decision} (same
 * {@code RateLimit}, {@code RateLimit-Policy}, {@code X-RateLimit-*}, {@code Retry-After}; same
 * JSON through {@link JsonCodec#decision}). Immutable and thread-safe.
 */
public final class RateLimitResponse {

    private final int status;
    private final List<String[]> headers;
    private final byte[] body;

    private RateLimitResponse(int status, List<String[]> headers, byte[] body) {
        this.status = status;
        this.headers = headers;
        this.body = body;
    }

    /**
     * The response to a decision: 200 (proceed) or 429, with the rate-limit headers.
     *
     * @param d the decision
     * @return the response
     */
    public static RateLimitResponse of(Decision d) {
        Objects.requireNonNull(d, "decision");
        List<String[]> h = jsonHeaders();
        Policy policy = d.policy();
        String name = Responses.structuredString(policy.name());
        long window = Math.max(1, JsonCodec.ceilDiv(policy.tightestLimit().nanosToFillFromEmpty(),
                1_000_000_000L));
        long reset = JsonCodec.ceilDiv(d.resetAfterNanos(), 1_000_000_000L);
        h.add(new String[] {"RateLimit-Policy", name + ";q=" + d.limit() + ";w=" + window});
        h.add(new String[] {"RateLimit", name + ";r=" + d.remaining() + ";t=" + reset});
        h.add(new String[] {"X-RateLimit-Limit", Long.toString(d.limit())});
        h.add(new String[] {"X-RateLimit-Remaining", Long.toString(d.remaining())});
        h.add(new String[] {"X-RateLimit-Reset", Long.toString(reset)});
        if (!d.allowed() && !d.exceedsCapacity()) {
            h.add(new String[] {"Retry-After", Long.toString(Math.max(1,
                    JsonCodec.ceilDiv(d.retryAfterNanos(), 1_000_000_000L)))});
        }
        return new RateLimitResponse(d.allowed() ? 200 : 429, List.copyOf(h),
                JsonCodec.decision(d));
    }

    /**
     * An error: {@code {"error": message}}; a 503 also carries {@code Retry-After: 1}.
     *
     * @param status the HTTP status
     * @param message the message, safe to show the client
     * @return the response
     */
    public static RateLimitResponse error(int status, String message) {
        List<String[]> h = jsonHeaders();
        if (status == 503) {
            h.add(new String[] {"Retry-After", "1"});
        }
        return new RateLimitResponse(status, List.copyOf(h), JsonCodec.error(message));
    }

    private static List<String[]> jsonHeaders() {
        List<String[]> h = new ArrayList<>(9);
        h.add(new String[] {"Cache-Control", "no-store"});
        h.add(new String[] {"X-Content-Type-Options", "nosniff"});
        return h;
    }

    /** @return the HTTP status */
    public int status() {
        return status;
    }

    /** @return whether the request may continue (the decision allowed it) */
    public boolean proceed() {
        return status == 200;
    }

    /**
     * Hands every header to {@code setter}, in order; {@code Content-Type} is
     * {@link #contentType()}.
     *
     * @param setter receives name and value
     */
    public void forEachHeader(BiConsumer<String, String> setter) {
        for (String[] h : headers) {
            setter.accept(h[0], h[1]);
        }
    }

    /** @return the JSON body; a copy */
    public byte[] body() {
        return body.clone();
    }

    /** @return {@code application/json} */
    public String contentType() {
        return Responses.JSON;
    }
}
