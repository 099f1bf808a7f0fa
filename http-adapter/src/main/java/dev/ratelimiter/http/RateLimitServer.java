package dev.ratelimiter.http;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.ratelimiter.RateLimiter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The rate-limit service on a JDK {@link HttpServer}: {@code POST /api/ratelimit/check},
 * {@code GET /health} and {@code GET /metrics}, with the contract in the module's README.
 *
 * <pre>{@code
 * RateLimiter limiter = RateLimiter.builder().build();
 * RateLimitServer server = RateLimitServer.builder(limiter)
 *         .settings(ServerSettings.builder().port(0).build())
 *         .start();
 * URI check = URI.create("http://" + server.hostAndPort() + "/api/ratelimit/check");
 * ...
 * server.stop();      // finishes in-flight requests; the limiter is still the caller's
 * limiter.close();
 * }</pre>
 *
 * <p>Requests run on a bounded pool ({@link ServerSettings#threads()} threads, a queue of
 * {@link ServerSettings#queueSize()}; past the queue, new connections are closed). At most
 * {@link ServerSettings#maxInFlight()} checks are decided at once; more get 503 with
 * {@code Retry-After: 1}. Loading this class sets the JDK server's tuning properties
 * (TCP_NODELAY, request and response deadlines; see {@code JdkServerTuning}) unless they are
 * already set; they take effect only if no {@code HttpServer} was created earlier in the JVM.
 *
 * <p>{@code /health} reports the limiter's {@link RateLimiter#stats()}: {@code UP} for a limiter
 * without a failure policy (in-process stores); with one, its circuit breaker: {@code DEGRADED}
 * after a failure or while trying the store again, {@code DOWN} while open, with 503 only when
 * the policy is {@code FAIL_CLOSED}. Every decision is answered through
 * {@link RateLimitResponse}.
 *
 * <p>The server does not own the limiter: close it after {@link #stop()}. Thread-safe; no
 * method accepts or returns null (null arguments throw {@link NullPointerException}).
 */
public final class RateLimitServer implements AutoCloseable {

    static {
        JdkServerTuning.applyDefaults();
    }

    /** The check endpoint's path. */
    public static final String CHECK_PATH = "/api/ratelimit/check";

    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final ServerSettings settings;
    private final HttpMetrics metrics;
    private final ExchangeGuard guard;
    private final AtomicBoolean stopped = new AtomicBoolean();

    private RateLimitServer(Builder b) throws IOException {
        this.settings = b.settings;
        String backend = b.backendName;
        StoreHealth health = new StoreHealth(b.limiter);
        this.metrics = new HttpMetrics(backend, health);
        this.server = HttpServer.create(
                new InetSocketAddress(settings.effectiveHost(), settings.port()),
                settings.backlog());
        this.executor = newExecutor(settings);
        server.setExecutor(executor);

        this.guard = new ExchangeGuard(metrics);
        ClientAccess access = new ClientAccess(settings.ipAllow(), settings.ipDeny(),
                settings.trustedProxies());
        // Trusted proxies only decide which address the lists judge: without lists, no filter.
        List<Filter> accessFilters = access.enabled()
                ? List.of(new ClientAccessFilter(access)) : List.of();

        CheckHandler check = new CheckHandler(b.limiter, new ApiKeyAuth(settings.apiKeys()),
                new InFlightGate(settings.maxInFlight()), metrics, settings.maxBodyBytes());
        route(CHECK_PATH, "POST", accessFilters, check);
        if (b.reloader != null) {
            b.reloader.bindTo(metrics);
        }
        route("/health", "GET", List.of(), StatusHandlers.health(health, backend, b.reloader));
        route("/metrics", "GET", accessFilters, StatusHandlers.metrics(metrics));
        server.createContext("/", StatusHandlers.notFound()).getFilters().add(guard);
    }

    private void route(String path, String method, List<Filter> extra, HttpHandler handler) {
        HttpContext context = server.createContext(path, handler);
        context.getFilters().add(guard);
        context.getFilters().add(new RouteFilter(path, method));
        context.getFilters().addAll(extra);
    }

    private static ThreadPoolExecutor newExecutor(ServerSettings s) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(s.threads(), s.threads(), 60,
                TimeUnit.SECONDS, new ArrayBlockingQueue<>(s.queueSize()), r -> {
                    Thread t = new Thread(r, "ratelimiter-http-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                },
                // The JDK server closes the connection when the executor refuses it.
                new ThreadPoolExecutor.AbortPolicy());
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /**
     * Starts a server for {@code limiter}.
     *
     * @param limiter the limiter checks go to; the caller keeps ownership
     * @return a builder
     */
    public static Builder builder(RateLimiter limiter) {
        return new Builder(limiter);
    }

    /** @return the bound address (with the real port when 0 was asked for) */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** @return {@code host:port} for URLs, such as {@code 127.0.0.1:8080} */
    public String hostAndPort() {
        InetSocketAddress a = address();
        String host = a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** @return the settings the server runs with */
    public ServerSettings settings() {
        return settings;
    }

    /**
     * Stops accepting connections, waits up to {@link ServerSettings#shutdownGrace()} for requests
     * in progress, then stops the threads. Idempotent; does not close the limiter.
     */
    public void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        long graceSeconds = Math.max(0, (settings.shutdownGrace().toMillis() + 999) / 1000);
        // stop(n) closes the listening socket at once, then waits for exchanges; but on JDK 17
        // it always waits the full n seconds (JDK-8304065). So it runs on its own thread while
        // this one waits for the exchanges in progress, and a second stop(0) ends the wait.
        Thread closer = new Thread(() -> server.stop((int) Math.min(Integer.MAX_VALUE,
                graceSeconds)), "ratelimiter-http-stop");
        closer.setDaemon(true);
        closer.start();
        try {
            guard.awaitIdle(TimeUnit.SECONDS.toNanos(graceSeconds));
            server.stop(0);
            closer.join(TimeUnit.SECONDS.toMillis(graceSeconds) + 1000);
            executor.shutdown();
            if (!executor.awaitTermination(Math.max(1, graceSeconds), TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.stop(0);
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    /** Configures a {@link RateLimitServer}. Not thread-safe. */
    public static final class Builder {
        private final RateLimiter limiter;
        private ServerSettings settings = ServerSettings.defaults();
        private String backendName = "custom";
        private ConfigReloader reloader;

        private Builder(RateLimiter limiter) {
            this.limiter = Objects.requireNonNull(limiter, "limiter");
        }

        /**
         * @param settings where to listen, threads, security
         * @return this builder
         */
        public Builder settings(ServerSettings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /**
         * The backend's name as {@code /health} and {@code /metrics} report it.
         *
         * @param name such as {@code "caffeine"}
         * @return this builder
         */
        public Builder backendName(String name) {
            this.backendName = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * The reloader of the server's configuration file: {@code /health} reports its version
         * and {@code /metrics} counts its reloads. The caller starts and closes it.
         *
         * @param reloader the reloader
         * @return this builder
         */
        Builder reloader(ConfigReloader reloader) {
            this.reloader = Objects.requireNonNull(reloader, "reloader");
            return this;
        }

        /**
         * Binds and starts the server.
         *
         * @return the running server
         * @throws IOException if the address cannot be bound
         */
        public RateLimitServer start() throws IOException {
            RateLimitServer s = new RateLimitServer(this);
            s.server.start();
            return s;
        }
    }
}
