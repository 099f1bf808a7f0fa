package dev.ratelimiter.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.ratelimiter.Limit;
import dev.ratelimiter.Policy;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.RateLimiterBuilder;
import dev.ratelimiter.Rules;
import dev.ratelimiter.http.RateLimitFilter;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Example 3 — protect routes on a JDK {@code HttpServer} with the adapter's
 * {@link RateLimitFilter}: the Java twin of the contract's Flask decorator.
 *
 * <ul>
 *   <li>{@code GET /api/users/<id>} is limited per user, keyed by the path parameter
 *       ({@code user:<id>}), 1 token per request.</li>
 *   <li>{@code GET /api/search} is limited per client IP ({@code search:<ip>}) and costs 5
 *       tokens, so with the default capacity of 10 a client gets 2 searches in a burst.</li>
 * </ul>
 * Denied requests get 429 with {@code Retry-After} and the {@code RateLimit} headers; allowed ones
 * carry the headers too. Run, then try {@code curl -i localhost:8081/api/search}:
 *
 * <pre>
 * mvn -q package -DskipTests
 * java -Dsun.net.httpserver.nodelay=true -cp examples/target/ratelimiter-examples.jar dev.ratelimiter.examples.ProtectRoutes
 * </pre>
 */
public final class ProtectRoutes implements AutoCloseable {

    /** Per user: 10 requests, refilled at 2 per second. */
    public static final Policy PER_USER = Policy.of("per-user",
            Limit.capacity(10).refillGreedy(2, Duration.ofSeconds(1)));

    private final HttpServer server;
    private final ExecutorService executor;

    private ProtectRoutes(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Rules: {@code user:*} gets {@link #PER_USER}; searches get the default (10, 2/s). */
    public static Rules rules() {
        return Rules.builder(RateLimiterBuilder.DEFAULT_POLICY).pattern("user:*", PER_USER).build();
    }

    /**
     * Starts the app's server with both routes protected.
     *
     * @param limiter the limiter; the caller keeps ownership
     * @param address where to listen (port 0 for any free port)
     * @return the running app
     * @throws IOException if the address cannot be bound
     */
    public static ProtectRoutes start(RateLimiter limiter, InetSocketAddress address)
            throws IOException {
        HttpServer server = HttpServer.create(address, 0);
        ExecutorService executor = Executors.newFixedThreadPool(8);
        server.setExecutor(executor);

        server.createContext("/api/users/", exchange -> reply(exchange,
                        "{\"user_id\":\"" + userId(exchange) + "\",\"name\":\"John Doe\"}"))
                .getFilters().add(RateLimitFilter.builder(limiter)
                        .key(exchange -> "user:" + userId(exchange))
                        .build());

        server.createContext("/api/search", exchange -> reply(exchange,
                        "{\"results\":[]}"))
                .getFilters().add(RateLimitFilter.builder(limiter)
                        .key(exchange -> "search:"
                                + exchange.getRemoteAddress().getAddress().getHostAddress())
                        .tokens(5)
                        .build());
        server.start();
        return new ProtectRoutes(server, executor);
    }

    /** @return the bound port */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The path parameter: {@code /api/users/42} gives {@code 42}. */
    private static String userId(HttpExchange exchange) {
        String path = exchange.getRequestURI().getPath();
        return path.substring("/api/users/".length());
    }

    private static void reply(HttpExchange exchange, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /**
     * @param args unused
     * @throws IOException if port 8081 is taken
     */
    public static void main(String[] args) throws IOException {
        RateLimiter limiter = RateLimiter.builder().rules(rules()).build();
        ProtectRoutes app = start(limiter, new InetSocketAddress("127.0.0.1", 8081));
        System.out.println("listening on http://127.0.0.1:" + app.port()
                + " (/api/users/<id>, /api/search); Ctrl-C to stop");
    }
}
