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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

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
 * <p>Exchanges run on virtual threads on Java 21+, else on a small platform pool that grows
 * while slow senders hold threads (see {@code ExchangeExecutor} and
 * {@link ServerSettings#executor()}). A request that waited longer than
 * {@link ServerSettings#maxQueueWait()} for a thread, or that finds
 * {@link ServerSettings#maxInFlight()} checks being decided, gets 503 with
 * {@code Retry-After: 1}; past {@link ServerSettings#maxConnections()} open connections, new
 * ones are closed at accept. Loading this class sets the JDK server's tuning properties
 * (TCP_NODELAY, deadlines, idle and header bounds; see {@code JdkServerTuning}) unless they are
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
    private final ExchangeExecutor executor;
    private final ServerSettings settings;
    private final HttpMetrics metrics;
    private final ExchangeGuard guard;
    private final AtomicBoolean stopped = new AtomicBoolean();

    private RateLimitServer(Builder b) throws IOException {
        this.settings = b.settings;
        String backend = b.backendName;
        StoreHealth health = new StoreHealth(b.limiter);
        this.metrics = new HttpMetrics(backend, b.limiter);
        this.server = HttpServer.create(
                new InetSocketAddress(settings.effectiveHost(), settings.port()),
                settings.backlog());
        this.executor = ExchangeExecutor.create(settings);
        server.setExecutor(executor);
        metrics.gauge("ratelimiter.http.exchanges.pending", "exchanges queued or running",
                executor::pending);

        this.guard = new ExchangeGuard(metrics, executor, settings.maxQueueWait().toNanos());
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

    /** @return exchanges queued or running (tests, metrics) */
    int pendingExchanges() {
        return executor.pending();
    }

    /** @return {@code "virtual"} or {@code "platform"}: how exchanges run */
    public String executorKind() {
        return executor.kind();
    }

    /**
     * Stops within {@link ServerSettings#shutdownGrace()}: new connections are refused at once;
     * every request already received, on a new or a kept-alive connection, is answered (with
     * {@code Connection: close}); then the connections are closed and the threads stopped.
     * Idempotent; does not close the limiter.
     */
    public void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        long graceMillis = settings.shutdownGrace().toMillis();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
        guard.startDraining();
        // Holds the JDK dispatcher open (see DrainKeeper) before the listener closes.
        DrainKeeper keeper = new DrainKeeper();
        // The keeper's exchange runs in a context without filters, so it stays "reading" and
        // awaitDrained does not wait for it.
        if (graceMillis > 0) {
            keeper.open(server, Math.min(500, graceMillis / 4 + 1), graceMillis);
        }
        // stop(n) closes the listening socket at once, then waits for exchanges; on JDK 17 it
        // always waits the full n seconds (JDK-8304065). So it runs on its own thread while
        // this one waits for the exchanges, and a second stop(0) ends the wait.
        int graceSeconds = (int) Math.min(Integer.MAX_VALUE, (graceMillis + 999) / 1000);
        Thread closer = new Thread(() -> server.stop(graceSeconds), "ratelimiter-http-stop");
        closer.setDaemon(true);
        closer.start();
        try {
            awaitDrained(deadline);
            keeper.release(Math.max(1, Math.min(200, millisLeft(deadline))));
            server.stop(0);
            closer.join(Math.max(1, millisLeft(deadline)));
            executor.shutdown();
            executor.awaitTermination(millisLeft(deadline));
        } catch (InterruptedException e) {
            server.stop(0);
            executor.shutdown();
            Thread.currentThread().interrupt();
        } finally {
            JdkReplies.unregister(metrics);
        }
    }

    /**
     * Waits until nothing received is left: no exchange queued or in a filter (tasks still
     * reading a request that has not fully arrived do not count), continuously for 100 ms,
     * so that requests already sent on idle connections are picked up and answered.
     */
    private void awaitDrained(long deadline) throws InterruptedException {
        long quietSince = -1;
        while (System.nanoTime() - deadline < 0) {
            boolean quiet = guard.inProgress() == 0
                    && executor.pending() - executor.reading() <= 0;
            long now = System.nanoTime();
            if (!quiet) {
                quietSince = -1;
            } else if (quietSince < 0) {
                quietSince = now;
            } else if (now - quietSince >= TimeUnit.MILLISECONDS.toNanos(100)) {
                return;
            }
            Thread.sleep(5);
        }
    }

    private static long millisLeft(long deadline) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
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
            JdkReplies.register(s.metrics);
            s.server.start();
            return s;
        }
    }
}
