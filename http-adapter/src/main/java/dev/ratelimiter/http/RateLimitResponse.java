package dev.ratelimiter.http;

import dev.ratelimiter.Decision;
import dev.ratelimiter.Decision.Outcome;
import dev.ratelimiter.Limit;
import dev.ratelimiter.Policy;
import dev.ratelimiter.spi.StoreUnavailableException;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * The one translation of a {@link Decision} (or of a request the limiter rejected) into an HTTP
 * answer: status, headers and the contract's JSON body. Transport-neutral, so that every adapter
 * answers the same decision the same way: the check endpoint and {@link RateLimitFilter} on the
 * JDK server, and the Spring Boot starter's servlet filter and exception handler.
 *
 * <table>
 *   <caption>Outcome to response</caption>
 *   <tr><th>outcome</th><th>status</th><th>body</th></tr>
 *   <tr><td>ALLOWED, FAILED_OPEN, FALLBACK_ALLOWED</td><td>200, {@link #proceed()}</td>
 *       <td>the decision</td></tr>
 *   <tr><td>SHADOW_DENIED</td><td>200, {@link #proceed()}, and
 *       {@code RateLimit-Shadow-Denied: "<policy>"}</td>
 *       <td>the decision ({@code "allowed": true})</td></tr>
 *   <tr><td>DENIED, FALLBACK_DENIED</td><td>429 with {@code Retry-After}</td>
 *       <td>the decision</td></tr>
 *   <tr><td>FAILED_CLOSED</td><td>503, {@code Retry-After} until the store is tried again</td>
 *       <td>{@code {"error": ...}}</td></tr>
 *   <tr><td>STORE_FULL, OVERLOADED</td><td>503, {@code Retry-After: 1}</td>
 *       <td>{@code {"error": ...}}</td></tr>
 * </table>
 *
 * <p>Decisions answered 200 or 429 carry the rate-limit headers ({@code RateLimit-Policy},
 * {@code RateLimit}, {@code X-RateLimit-Limit}, {@code X-RateLimit-Remaining},
 * {@code X-RateLimit-Reset}; see {@link #of(Decision)}). A request that allows continues to the
 * application with those headers set ({@link #proceed()}); every other response is written in
 * full, with {@link #contentType()}, {@code Cache-Control: no-store} and
 * {@code X-Content-Type-Options: nosniff}.
 *
 * <p>Immutable and thread-safe; nothing returned is null.
 */
public final class RateLimitResponse {

    /** The content type of every body: {@code application/json}. */
    public static final String CONTENT_TYPE = "application/json";

    /**
     * The header on a request a shadow policy would have denied ({@code SHADOW_DENIED}): its value
     * is the policy's name as a structured-field string, such as {@code "trial"}.
     */
    public static final String SHADOW_DENIED_HEADER = "RateLimit-Shadow-Denied";

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final RateLimitResponse OVERLOADED = new RateLimitResponse(503, false,
            retryAfter(1), null, "rate limiter is overloaded; retry later");

    private final int status;
    private final boolean proceed;
    /** Header names and values, alternating. */
    private final String[] headers;
    private final Decision decision;
    private final String error;

    private RateLimitResponse(int status, boolean proceed, String[] headers, Decision decision,
                              String error) {
        this.status = status;
        this.proceed = proceed;
        this.headers = headers;
        this.decision = decision;
        this.error = error;
    }

    /**
     * The answer to a decision, as the table in the class comment says. Rate-limit headers:
     * <ul>
     *   <li>{@code RateLimit-Policy: "name";q=<capacity>;w=<seconds to fill from empty>} and
     *       {@code RateLimit: "name";r=<remaining>;t=<seconds until full>}
     *       (draft-ietf-httpapi-ratelimit-headers). A policy of several limits lists every
     *       limit in both, as an sf-List of one item per limit with that limit's own numbers:
     *       the tightest limit (smallest capacity) first under the policy's name, then the
     *       others in the policy's order named {@code "name/2"}, {@code "name/3"}..., the same
     *       names in the same order in both headers; for 100 per minute and 1,000 per day,
     *       after 93 tokens at once,
     *       {@code RateLimit-Policy: "api";q=100;w=60, "api/2";q=1000;w=86400} and
     *       {@code RateLimit: "api";r=7;t=56, "api/2";r=907;t=8036};</li>
     *   <li>{@code X-RateLimit-Limit} (the tightest limit's capacity),
     *       {@code X-RateLimit-Remaining} (the fewest tokens left in any limit),
     *       {@code X-RateLimit-Reset} (seconds until every limit is full);</li>
     *   <li>when denied by the limit, {@code Retry-After} in whole seconds rounded up, unless the
     *       request can never succeed (it asks for more than the capacity).</li>
     * </ul>
     *
     * @param d the decision
     * @return the response
     */
    public static RateLimitResponse of(Decision d) {
        Objects.requireNonNull(d, "decision");
        Outcome outcome = d.outcome();
        switch (outcome) {
            case FAILED_CLOSED:
                return new RateLimitResponse(503, false,
                        retryAfter(ceilSeconds(d.retryAfterNanos())), null,
                        "rate-limit store unavailable");
            case STORE_FULL:
                return new RateLimitResponse(503, false, retryAfter(1), null,
                        "rate limiter holds its maximum of keys; retry later");
            case OVERLOADED:
                return OVERLOADED;
            default:
                return new RateLimitResponse(outcome.allowed() ? 200 : 429, outcome.allowed(),
                        rateLimitHeaders(d), d, null);
        }
    }

    /**
     * The answer when this side is too busy to decide in time: a check answered
     * {@link Outcome#OVERLOADED}, or a server shedding load before it asks the limiter. 503 with
     * {@code Retry-After: 1}; nothing was consumed.
     *
     * @return the response
     */
    public static RateLimitResponse overloaded() {
        return OVERLOADED;
    }

    /**
     * An answer without a decision: a request rejected before or by the limiter's validation.
     *
     * @param status the status, 400 to 599
     * @param message what is wrong, naming the field; safe to show the client
     * @return the response, {@code {"error": message}}
     */
    public static RateLimitResponse error(int status, String message) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status must be from 400 to 599, was " + status);
        }
        return new RateLimitResponse(status, false, new String[0], null,
                Objects.requireNonNull(message, "message"));
    }

    /**
     * The answer when the limiter threw instead of deciding:
     * {@link IllegalArgumentException} or {@link NullPointerException} (the key or tokens are
     * invalid; the message names the field) → 400; {@link StoreUnavailableException} (a store
     * failure with no failure policy configured) → 503; {@link IllegalStateException} (the
     * limiter is closed, as during shutdown) → 503. Each 503 carries {@code Retry-After: 1}.
     *
     * @param e what the limiter threw
     * @return the response
     * @throws RuntimeException {@code e} itself, if it is none of those (a bug, not the client's)
     */
    public static RateLimitResponse rejected(RuntimeException e) {
        if (e instanceof IllegalArgumentException || e instanceof NullPointerException) {
            return error(400, String.valueOf(e.getMessage()));
        }
        if (e instanceof StoreUnavailableException) {
            return new RateLimitResponse(503, false, retryAfter(1), null,
                    "rate-limit store unavailable");
        }
        if (e instanceof IllegalStateException) {
            return new RateLimitResponse(503, false, retryAfter(1), null,
                    "rate limiter is not accepting checks now; retry later");
        }
        throw e;
    }

    /** @return the HTTP status */
    public int status() {
        return status;
    }

    /**
     * Whether the request may go on to the application (a filter passes it down the chain with
     * the headers set; the check endpoint answers 200 with {@link #body()}).
     *
     * @return true when allowed
     */
    public boolean proceed() {
        return proceed;
    }

    /**
     * The headers to set, in order: the rate-limit headers and {@code Retry-After}. The body's
     * own headers ({@code Content-Type} and the two below) are the writer's, set only when the
     * body is sent.
     *
     * @param header receives each name and value
     */
    public void forEachHeader(BiConsumer<String, String> header) {
        for (int i = 0; i < headers.length; i += 2) {
            header.accept(headers[i], headers[i + 1]);
        }
    }

    /**
     * The contract's body: the decision for 200 and 429, {@code {"error": ...}} otherwise.
     *
     * @return UTF-8 JSON, a new array
     */
    public byte[] body() {
        return decision != null ? JsonCodec.decision(decision) : JsonCodec.error(error);
    }

    /** @return {@link #CONTENT_TYPE} */
    public String contentType() {
        return CONTENT_TYPE;
    }

    @Override
    public String toString() {
        return "RateLimitResponse[" + status + (decision != null ? ", " + decision.outcome()
                : ", " + error) + "]";
    }

    private static String[] retryAfter(long seconds) {
        return new String[] {"Retry-After", Long.toString(Math.max(1, seconds))};
    }

    private static String[] rateLimitHeaders(Decision d) {
        Policy policy = d.policy();
        String name = structuredString(policy.name());
        long reset = ceilSeconds(d.resetAfterNanos());
        String remaining = Long.toString(d.remaining());
        boolean retry = !d.allowed() && !d.exceedsCapacity();
        boolean shadow = d.outcome() == Outcome.SHADOW_DENIED;
        String[] h = new String[retry || shadow ? 12 : 10];
        h[0] = "RateLimit-Policy";
        h[2] = "RateLimit";
        if (policy.limits().size() == 1) {
            h[1] = name + ";q=" + d.limit() + ";w=" + window(policy.limits().get(0));
            h[3] = name + ";r=" + remaining + ";t=" + reset;
        } else {
            everyLimit(d, name, h);
        }
        h[4] = "X-RateLimit-Limit";
        h[5] = Long.toString(d.limit());
        h[6] = "X-RateLimit-Remaining";
        h[7] = remaining;
        h[8] = "X-RateLimit-Reset";
        h[9] = Long.toString(reset);
        if (retry) {
            h[10] = "Retry-After";
            h[11] = Long.toString(Math.max(1, ceilSeconds(d.retryAfterNanos())));
        } else if (shadow) {
            // Allowed, but the shadow policy would have denied: say which, for the client's logs.
            h[10] = SHADOW_DENIED_HEADER;
            h[11] = name;
        }
        return h;
    }

    /**
     * {@code RateLimit-Policy} into {@code h[1]} and {@code RateLimit} into {@code h[3]} for a
     * policy of several limits: one item per limit in each, the tightest (the first of the
     * smallest capacity, {@link Policy#tightestIndex()}) first under the policy's name, the
     * others in the policy's order named {@code "name/2"}, {@code "name/3"}...; each item with
     * that limit's own capacity and window, and its own remaining and time to full
     * ({@link Decision#remaining(int)}, {@link Decision#resetAfterNanos(int)}).
     */
    private static void everyLimit(Decision d, String name, String[] h) {
        Policy policy = d.policy();
        List<Limit> limits = policy.limits();
        int tightest = policy.tightestIndex();
        StringBuilder quota = new StringBuilder(32 * limits.size());
        StringBuilder state = new StringBuilder(32 * limits.size());
        items(quota, state, name, limits.get(tightest), d, tightest);
        int n = 1;
        for (int i = 0; i < limits.size(); i++) {
            if (i == tightest) {
                continue;
            }
            n++;
            String item = structuredString(policy.name() + "/" + n);
            items(quota.append(", "), state.append(", "), item, limits.get(i), d, i);
        }
        h[1] = quota.toString();
        h[3] = state.toString();
    }

    /** Limit {@code i}'s item in each header: {@code name;q=..;w=..} and {@code name;r=..;t=..}. */
    private static void items(StringBuilder quota, StringBuilder state, String name, Limit limit,
                              Decision d, int i) {
        quota.append(name).append(";q=").append(limit.capacity()).append(";w=")
                .append(window(limit));
        state.append(name).append(";r=").append(d.remaining(i)).append(";t=")
                .append(ceilSeconds(d.resetAfterNanos(i)));
    }

    private static long window(Limit limit) {
        return Math.max(1, ceilSeconds(limit.nanosToFillFromEmpty()));
    }

    private static long ceilSeconds(long nanos) {
        return JsonCodec.ceilDiv(nanos, NANOS_PER_SECOND);
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
