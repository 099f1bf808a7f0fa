package dev.ratelimiter.http;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import dev.ratelimiter.RateLimiter;
import java.io.IOException;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Rate-limits an application's own routes on a JDK {@code HttpServer}: the Java twin of the
 * contract's Flask decorator.
 *
 * <pre>{@code
 * RateLimitFilter perUser = RateLimitFilter.builder(limiter)
 *         .key(exchange -> "user:" + exchange.getRequestHeaders().getFirst("X-User"))
 *         .build();
 * RateLimitFilter search = RateLimitFilter.builder(limiter)
 *         .key(exchange -> "search:" + exchange.getRemoteAddress().getAddress().getHostAddress())
 *         .tokens(5)
 *         .build();
 * server.createContext("/api/users", usersHandler).getFilters().add(perUser);
 * server.createContext("/api/search", searchHandler).getFilters().add(search);
 * }</pre>
 *
 * <p>Every answer is the check endpoint's, from the same {@link RateLimitResponse}: an allowed
 * request goes on down the chain with the rate-limit headers ({@code RateLimit-Policy},
 * {@code RateLimit}, {@code X-RateLimit-*}) already set on the response; a denied one is answered
 * here, 429 with the same headers and body as the check endpoint, {@code Retry-After} included;
 * a store that is down under {@code FAIL_CLOSED}, a full store or an overloaded one is 503 with
 * {@code Retry-After}; a key the limiter rejects (blank, too long) is 400. When the key function
 * returns null the request is not limited. Responses sent here close the exchange.
 *
 * <p>For the JDK server to answer quickly, run with {@code -Dsun.net.httpserver.nodelay=true}
 * (see the module README). Immutable and thread-safe when the functions are.
 */
public final class RateLimitFilter extends Filter {

    private final RateLimiter limiter;
    private final Function<HttpExchange, String> key;
    private final ToLongFunction<HttpExchange> tokens;

    private RateLimitFilter(Builder b) {
        this.limiter = b.limiter;
        this.key = b.key;
        this.tokens = b.tokens;
    }

    /**
     * Starts a filter on {@code limiter}.
     *
     * @param limiter the limiter; the caller keeps ownership
     * @return a builder
     */
    public static Builder builder(RateLimiter limiter) {
        return new Builder(limiter);
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        String k = key.apply(exchange);
        if (k == null) {
            chain.doFilter(exchange);
            return;
        }
        RateLimitResponse response;
        try {
            response = RateLimitResponse.of(limiter.tryAcquire(k, tokens.applyAsLong(exchange)));
        } catch (RuntimeException e) {
            response = RateLimitResponse.rejected(e);
        }
        if (response.proceed()) {
            Responses.setHeaders(exchange, response);
            chain.doFilter(exchange);
            return;
        }
        try {
            Responses.send(exchange, response);
        } finally {
            exchange.close();
        }
    }

    @Override
    public String description() {
        return "rate limit by " + limiter;
    }

    /** Configures a {@link RateLimitFilter}. Not thread-safe. */
    public static final class Builder {
        private final RateLimiter limiter;
        private Function<HttpExchange, String> key;
        private ToLongFunction<HttpExchange> tokens = exchange -> 1;

        private Builder(RateLimiter limiter) {
            this.limiter = Objects.requireNonNull(limiter, "limiter");
        }

        /**
         * The key a request is counted against. Required.
         *
         * @param key a function of the exchange; it returns null for requests not to limit
         * @return this builder
         */
        public Builder key(Function<HttpExchange, String> key) {
            this.key = Objects.requireNonNull(key, "key");
            return this;
        }

        /**
         * The cost of every request on the route.
         *
         * @param tokens at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code tokens < 1}
         */
        public Builder tokens(long tokens) {
            if (tokens < 1) {
                throw new IllegalArgumentException("tokens must be >= 1, was " + tokens);
            }
            this.tokens = exchange -> tokens;
            return this;
        }

        /**
         * The cost of a request as a function of it.
         *
         * @param tokens returns at least 1
         * @return this builder
         */
        public Builder tokens(ToLongFunction<HttpExchange> tokens) {
            this.tokens = Objects.requireNonNull(tokens, "tokens");
            return this;
        }

        /**
         * @return the filter
         * @throws IllegalStateException if no key function was set
         */
        public RateLimitFilter build() {
            if (key == null) {
                throw new IllegalStateException("RateLimitFilter needs a key function: call key()");
            }
            return new RateLimitFilter(this);
        }
    }
}
