package dev.ratelimiter.http;

import dev.ratelimiter.config.ConfigSection;
import dev.ratelimiter.config.ConfigSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The server's own settings: where it listens, how it runs exchanges, how it sheds load, who may
 * call it, and which backend holds the buckets. The limiter's rules are core's
 * {@link dev.ratelimiter.config.RateLimiterConfig}; this class reads the sections core leaves to
 * the server ({@code ratelimiter.server.*}, {@code ratelimiter.security.*},
 * {@code ratelimiter.backend}) through {@link ConfigSection}, which rejects unknown names. Every
 * bound and its message lives once, in a {@link Builder} setter.
 *
 * <table>
 *   <caption>Settings: property [environment variable, which wins], default; the bounds are in
 *   the {@link Builder} setters</caption>
 *   <tr><td>{@code ratelimiter.server.host} [RATE_LIMITER_HOST]</td>
 *       <td>{@code 127.0.0.1}, or {@code 0.0.0.0} with API keys</td></tr>
 *   <tr><td>{@code .port} [RATE_LIMITER_PORT]</td><td>8080; 0 picks a free port</td></tr>
 *   <tr><td>{@code .executor} [RATE_LIMITER_EXECUTOR]</td>
 *       <td>{@code auto}: virtual threads on Java 21+, else {@code platform}</td></tr>
 *   <tr><td>{@code .threads} [RATE_LIMITER_THREADS]</td>
 *       <td>platform: threads kept, max(2, cores); the jar with a Redis backend:
 *       max(32, 4 &times; cores) ({@link #cpuThreads}, {@link #remoteStoreThreads})</td></tr>
 *   <tr><td>{@code .maxThreads} [RATE_LIMITER_MAX_THREADS]</td>
 *       <td>platform: ceiling while slow senders hold threads, 1024 (at least threads + 1)</td></tr>
 *   <tr><td>{@code .maxQueueWait} [RATE_LIMITER_MAX_QUEUE_WAIT_MS]</td>
 *       <td>ms waiting for a thread before a 503, 1000</td></tr>
 *   <tr><td>{@code .maxInFlight} [RATE_LIMITER_MAX_IN_FLIGHT]</td>
 *       <td>checks decided at once before a 503, 128</td></tr>
 *   <tr><td>{@code .backlog} [RATE_LIMITER_BACKLOG]</td><td>TCP accept backlog, 1024</td></tr>
 *   <tr><td>{@code .requestTimeout} [RATE_LIMITER_REQUEST_TIMEOUT]</td>
 *       <td>s to receive a request, 10</td></tr>
 *   <tr><td>{@code .responseTimeout} [RATE_LIMITER_RESPONSE_TIMEOUT]</td>
 *       <td>s to send a response, 10</td></tr>
 *   <tr><td>{@code .idleTimeout} [RATE_LIMITER_IDLE_TIMEOUT]</td>
 *       <td>s a keep-alive connection may idle, 30</td></tr>
 *   <tr><td>{@code .maxConnections} [RATE_LIMITER_MAX_CONNECTIONS]</td>
 *       <td>open connections, 10000 (the jar sizes it from the heap)</td></tr>
 *   <tr><td>{@code .shutdownGrace} [RATE_LIMITER_SHUTDOWN_GRACE]</td>
 *       <td>s to answer received requests on shutdown, 10</td></tr>
 *   <tr><td>{@code .reloadIntervalMs} [RATE_LIMITER_RELOAD_INTERVAL_MS]</td>
 *       <td>ms between looks at the {@code --config} file, 2000; 0 off ({@link ConfigReloader};
 *       {@code SIGHUP} reloads either way)</td></tr>
 *   <tr><td>{@code ratelimiter.backend} [RATE_LIMITER_BACKEND]</td>
 *       <td>{@code caffeine}, {@code memory} or {@code redis}</td></tr>
 *   <tr><td>{@code ratelimiter.security.api-keys.valid-keys} [RATE_LIMITER_API_KEYS]</td>
 *       <td>comma-separated, none blank or repeated</td></tr>
 *   <tr><td>{@code ...api-keys.enabled} [RATE_LIMITER_API_KEYS_ENABLED]</td>
 *       <td>{@code false} turns keys off; {@code true} needs keys</td></tr>
 *   <tr><td>{@code ...ip.whitelist} [RATE_LIMITER_IP_ALLOW]</td>
 *       <td>addresses or CIDR networks that may call</td></tr>
 *   <tr><td>{@code ...ip.blacklist} [RATE_LIMITER_IP_DENY]</td>
 *       <td>networks that may not; wins over the whitelist</td></tr>
 *   <tr><td>{@code ...ip.trusted-proxies} [RATE_LIMITER_TRUSTED_PROXIES]</td>
 *       <td>whose {@code X-Forwarded-For} is believed</td></tr>
 *   <tr><td>{@code ...max-request-size} [RATE_LIMITER_MAX_REQUEST_SIZE]</td>
 *       <td>bytes or KB/MB, 64KB</td></tr>
 * </table>
 *
 * <p>Immutable and thread-safe. Lists are never null.
 */
public final class ServerSettings {

    /** The default largest request body: 64 KiB. */
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;

    /** How exchanges are run. */
    public enum ExecutorKind {
        /** Virtual threads when the JVM has them (Java 21+), else {@link #PLATFORM}. */
        AUTO,
        /** A virtual thread per exchange; starting fails on a JVM without them. */
        VIRTUAL,
        /** A small pool of platform threads that grows while clients hold threads. */
        PLATFORM
    }

    private static final Set<String> SERVER_NAMES = Set.of("host", "port", "executor", "threads",
            "maxThreads", "maxQueueWait", "maxInFlight", "backlog", "requestTimeout",
            "responseTimeout", "idleTimeout", "maxConnections", "shutdownGrace",
            "reloadIntervalMs");
    private static final Set<String> SECURITY_NAMES = Set.of("api-keys.valid-keys",
            "api-keys.enabled", "ip.whitelist", "ip.blacklist", "ip.trusted-proxies",
            "max-request-size");
    private static final Set<String> BACKENDS = Set.of("caffeine", "memory", "redis");

    private final Builder b;

    private ServerSettings(Builder b) {
        this.b = b.copy();
    }

    /** @return a builder with every default */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the defaults: loopback, port 8080, Caffeine, no API keys, no IP lists */
    public static ServerSettings defaults() {
        return builder().build();
    }

    /**
     * Reads the server's sections.
     *
     * @param source the settings
     * @return the server settings
     * @throws IllegalArgumentException for an unknown name in the server's sections or a bad
     *     value, naming the property and its environment variable
     * @throws IllegalStateException for contradicting settings, naming them
     */
    public static ServerSettings from(ConfigSource source) {
        ConfigSection server = ConfigSection.of(source, "ratelimiter.server.", SERVER_NAMES);
        ConfigSection security = ConfigSection.of(source, "ratelimiter.security.",
                SECURITY_NAMES);
        ConfigSection root = ConfigSection.of(source, "ratelimiter.backend", Set.of(""));
        Builder b = builder();
        server.apply("host", "RATE_LIMITER_HOST", t -> t, b::host);
        server.apply("port", "RATE_LIMITER_PORT", ConfigSection::intNumber, b::port);
        server.apply("executor", "RATE_LIMITER_EXECUTOR", ServerSettings::executorKind,
                b::executor);
        server.apply("threads", "RATE_LIMITER_THREADS", ConfigSection::intNumber, b::threads);
        server.apply("maxThreads", "RATE_LIMITER_MAX_THREADS", ConfigSection::intNumber,
                b::maxThreads);
        server.apply("maxQueueWait", "RATE_LIMITER_MAX_QUEUE_WAIT_MS", ConfigSection::millis,
                b::maxQueueWait);
        server.apply("maxInFlight", "RATE_LIMITER_MAX_IN_FLIGHT", ConfigSection::intNumber,
                b::maxInFlight);
        server.apply("backlog", "RATE_LIMITER_BACKLOG", ConfigSection::intNumber, b::backlog);
        server.apply("requestTimeout", "RATE_LIMITER_REQUEST_TIMEOUT", ConfigSection::intNumber,
                b::requestTimeoutSeconds);
        server.apply("responseTimeout", "RATE_LIMITER_RESPONSE_TIMEOUT",
                ConfigSection::intNumber, b::responseTimeoutSeconds);
        server.apply("idleTimeout", "RATE_LIMITER_IDLE_TIMEOUT", ConfigSection::intNumber,
                b::idleTimeoutSeconds);
        server.apply("maxConnections", "RATE_LIMITER_MAX_CONNECTIONS", ConfigSection::intNumber,
                b::maxConnections);
        server.apply("shutdownGrace", "RATE_LIMITER_SHUTDOWN_GRACE", ConfigSection::seconds,
                b::shutdownGrace);
        if (!root.apply("", "RATE_LIMITER_BACKEND", t -> t, b::backend)
                && source.get("ratelimiter.redis.url", "RATE_LIMITER_REDIS_URL").isPresent()) {
            b.backend("redis");
        }

        String keysName = "api-keys.valid-keys";
        String keysEnv = "RATE_LIMITER_API_KEYS";
        Optional<String> keys = security.text(keysName, keysEnv);
        boolean[] on = {keys.isPresent()};
        security.apply("api-keys.enabled", "RATE_LIMITER_API_KEYS_ENABLED", ConfigSection::bool,
                v -> on[0] = v);
        if (on[0]) {
            if (keys.isEmpty()) {
                throw new IllegalStateException(security.describe("api-keys.enabled",
                        "RATE_LIMITER_API_KEYS_ENABLED") + " is true but "
                        + security.describe(keysName, keysEnv) + " is empty");
            }
            // Not apply(): its message would echo the value, and the value is secret.
            try {
                b.apiKeys(splitKeys(keys.get()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(security.describe(keysName, keysEnv) + ": "
                        + e.getMessage(), e);
            }
        }
        security.apply("ip.whitelist", "RATE_LIMITER_IP_ALLOW", t -> t, b::ipAllow);
        security.apply("ip.blacklist", "RATE_LIMITER_IP_DENY", t -> t, b::ipDeny);
        security.apply("ip.trusted-proxies", "RATE_LIMITER_TRUSTED_PROXIES", t -> t,
                b::trustedProxies);
        security.apply("max-request-size", "RATE_LIMITER_MAX_REQUEST_SIZE",
                t -> size(null, t), b::maxBodyBytes);
        return b.build();
    }

    private static ExecutorKind executorKind(String text) {
        try {
            return ExecutorKind.valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("must be auto, virtual or platform");
        }
    }

    /** Splits on commas and trims; blank entries are kept, for the setter to refuse. */
    private static List<String> splitKeys(String text) {
        List<String> out = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            out.add(part.trim());
        }
        return out;
    }

    /**
     * Parses a size: bytes, or a number with a {@code B}, {@code KB} or {@code MB} suffix.
     *
     * @param name the setting, for the message, or null
     * @param text the text
     * @return bytes, 1 to 64 MiB
     * @throws IllegalArgumentException naming {@code name}
     */
    static int size(String name, String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        long unit = 1;
        if (t.endsWith("KB")) {
            unit = 1024;
            t = t.substring(0, t.length() - 2).trim();
        } else if (t.endsWith("MB")) {
            unit = 1024 * 1024;
            t = t.substring(0, t.length() - 2).trim();
        } else if (t.endsWith("B")) {
            t = t.substring(0, t.length() - 1).trim();
        }
        try {
            long v = Long.parseLong(t) * unit;
            if (v >= 1 && v <= 64L * 1024 * 1024) {
                return (int) v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException((name == null ? "" : name + " ")
                + "must be a size from 1 byte to 64MB (such as 65536, 64KB or 1MB)");
    }

    /** @return the bind address; null means loopback, or all interfaces when API keys are on */
    public String host() {
        return b.host;
    }

    /** @return the address actually bound when none is configured: see {@link #host()} */
    public String effectiveHost() {
        if (b.host != null) {
            return b.host;
        }
        return b.apiKeys.isEmpty() ? "127.0.0.1" : "0.0.0.0";
    }

    /** @return the port, 0 for any free one */
    public int port() {
        return b.port;
    }

    /** @return how exchanges are run */
    public ExecutorKind executor() {
        return b.executor;
    }

    /** @return platform executor: threads kept for exchanges */
    public int threads() {
        return b.threads;
    }

    /**
     * The default of {@link #threads()}: one per core, at least 2. Checks on an in-process
     * store only use the CPU, and every runnable thread past the cores lengthens the wait of
     * the JDK's single dispatcher thread, which accepts and reads for every connection
     * (measured on Java 17, 2 cores, 2,000 connections: 8 threads left 139-323 requests
     * unanswered for over 5 s, 2 threads none).
     *
     * @return max(2, available processors)
     */
    public static int cpuThreads() {
        return Math.max(2, Runtime.getRuntime().availableProcessors());
    }

    /**
     * The threads the standalone jar keeps with a remote store (Redis) unless told otherwise:
     * each check parks its thread for a round trip, so the pool sets how many checks can be in
     * flight (measured on Java 17, 2 cores, 64 connections: 16, 32 and 64 threads gave 0.46,
     * 0.51 and 0.43 of the trivial handler). An embedding application with a remote store
     * sets {@code threads} itself.
     *
     * @return max(32, 4 &times; available processors)
     */
    public static int remoteStoreThreads() {
        return Math.max(32, 4 * Runtime.getRuntime().availableProcessors());
    }

    /**
     * @return platform executor: the most threads, counting those held by slow senders; at
     *     least {@code threads} + 1, because a draining server holds one exchange of its own
     *     open ({@link DrainKeeper}) and must still have a thread for the requests it answers
     */
    public int maxThreads() {
        return Math.max(b.maxThreads, b.threads + 1);
    }

    /** @return the longest a received request waits for a thread before a 503 */
    public Duration maxQueueWait() {
        return b.maxQueueWait;
    }

    /** @return checks in progress at once before shedding with 503 */
    public int maxInFlight() {
        return b.maxInFlight;
    }

    /** @return the TCP accept backlog */
    public int backlog() {
        return b.backlog;
    }

    /** @return seconds allowed to receive a request (JDK {@code sun.net.httpserver.maxReqTime}) */
    public int requestTimeoutSeconds() {
        return b.requestTimeoutSeconds;
    }

    /** @return seconds allowed to send a response ({@code sun.net.httpserver.maxRspTime}) */
    public int responseTimeoutSeconds() {
        return b.responseTimeoutSeconds;
    }

    /** @return seconds a keep-alive connection may idle ({@code sun.net.httpserver.idleInterval}) */
    public int idleTimeoutSeconds() {
        return b.idleTimeoutSeconds;
    }

    /** @return open connections allowed ({@code jdk.httpserver.maxConnections}) */
    public int maxConnections() {
        return b.maxConnections;
    }

    /** @return how long shutdown waits for received requests */
    public Duration shutdownGrace() {
        return b.shutdownGrace;
    }

    /** @return {@code caffeine}, {@code memory} or {@code redis} */
    public String backend() {
        return b.backend;
    }

    /** @return the accepted API keys; empty means no authentication */
    public List<String> apiKeys() {
        return b.apiKeys;
    }

    /** @return whether checks need an API key */
    public boolean authEnabled() {
        return !b.apiKeys.isEmpty();
    }

    List<Cidr> ipAllow() {
        return b.ipAllow;
    }

    List<Cidr> ipDeny() {
        return b.ipDeny;
    }

    List<Cidr> trustedProxies() {
        return b.trustedProxies;
    }

    /** @return the largest accepted request body, in bytes */
    public int maxBodyBytes() {
        return b.maxBodyBytes;
    }

    /**
     * @param connections open connections allowed
     * @return these settings with another connection bound
     */
    ServerSettings withMaxConnections(int connections) {
        Builder c = b.copy();
        c.maxConnections(connections);
        return new ServerSettings(c);
    }

    /**
     * @param threads platform threads kept
     * @return these settings with another thread count
     */
    ServerSettings withThreads(int threads) {
        Builder c = b.copy();
        c.threads(threads);
        return new ServerSettings(c);
    }

    @Override
    public String toString() {
        // Never print the API keys themselves.
        return "ServerSettings{host=" + effectiveHost() + ", port=" + b.port + ", executor="
                + b.executor + ", threads=" + b.threads + "-" + maxThreads() + ", maxInFlight="
                + b.maxInFlight + ", backend=" + b.backend + ", apiKeys=" + b.apiKeys.size()
                + ", ipAllow=" + b.ipAllow + ", ipDeny=" + b.ipDeny + ", trustedProxies="
                + b.trustedProxies + ", maxBodyBytes=" + b.maxBodyBytes + "}";
    }

    /**
     * Builds {@link ServerSettings}. Each setter checks its bound and names the setting in its
     * message; that message is the only statement of the bound. Not thread-safe.
     */
    public static final class Builder implements Cloneable {
        private String host;
        private int port = 8080;
        private ExecutorKind executor = ExecutorKind.AUTO;
        private int threads = cpuThreads();
        private int maxThreads = 1024;
        private Duration maxQueueWait = Duration.ofSeconds(1);
        private int maxInFlight = 128;
        private int backlog = 1024;
        private int requestTimeoutSeconds = 10;
        private int responseTimeoutSeconds = 10;
        private int idleTimeoutSeconds = 30;
        private int maxConnections = 10_000;
        private Duration shutdownGrace = Duration.ofSeconds(10);
        private String backend = "caffeine";
        private List<String> apiKeys = List.of();
        private List<Cidr> ipAllow = List.of();
        private List<Cidr> ipDeny = List.of();
        private List<Cidr> trustedProxies = List.of();
        private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;

        private Builder() {
        }

        private Builder copy() {
            try {
                // Every field is immutable (lists are unmodifiable copies): a shallow copy is one.
                return (Builder) super.clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }

        /** @param host the address or host name to bind, not blank; @return this builder */
        public Builder host(String host) {
            Objects.requireNonNull(host, "host");
            if (host.isBlank()) {
                throw new IllegalArgumentException("host must not be blank");
            }
            this.host = host;
            return this;
        }

        /** @param port 0 to 65535; 0 picks a free port; @return this builder */
        public Builder port(int port) {
            this.port = range("port", port, 0, 65535);
            return this;
        }

        /** @param kind how exchanges are run; @return this builder */
        public Builder executor(ExecutorKind kind) {
            this.executor = Objects.requireNonNull(kind, "executor");
            return this;
        }

        /** @param threads platform executor: threads kept, 1 to 10000; @return this builder */
        public Builder threads(int threads) {
            this.threads = range("threads", threads, 1, 10_000);
            return this;
        }

        /**
         * @param maxThreads platform executor: the most threads, 1 to 10000 (raised to {@code
         *     threads} + 1 if lower)
         * @return this builder
         */
        public Builder maxThreads(int maxThreads) {
            this.maxThreads = range("maxThreads", maxThreads, 1, 10_000);
            return this;
        }

        /**
         * @param wait the longest a received request waits for a thread, 1 ms to 1 hour
         * @return this builder
         */
        public Builder maxQueueWait(Duration wait) {
            this.maxQueueWait = duration("maxQueueWait", wait, Duration.ofMillis(1));
            return this;
        }

        /** @param maxInFlight checks in progress at once, 1 to 1000000; @return this builder */
        public Builder maxInFlight(int maxInFlight) {
            this.maxInFlight = range("maxInFlight", maxInFlight, 1, 1_000_000);
            return this;
        }

        /** @param backlog TCP accept backlog, 1 to 65535; @return this builder */
        public Builder backlog(int backlog) {
            this.backlog = range("backlog", backlog, 1, 65535);
            return this;
        }

        /** @param seconds time to receive a request, 1 to 3600; @return this builder */
        public Builder requestTimeoutSeconds(int seconds) {
            this.requestTimeoutSeconds = range("requestTimeout", seconds, 1, 3600);
            return this;
        }

        /** @param seconds time to send a response, 1 to 3600; @return this builder */
        public Builder responseTimeoutSeconds(int seconds) {
            this.responseTimeoutSeconds = range("responseTimeout", seconds, 1, 3600);
            return this;
        }

        /** @param seconds idle time of a keep-alive connection, 1 to 3600; @return this builder */
        public Builder idleTimeoutSeconds(int seconds) {
            this.idleTimeoutSeconds = range("idleTimeout", seconds, 1, 3600);
            return this;
        }

        /** @param maxConnections open connections, 1 to 1000000; @return this builder */
        public Builder maxConnections(int maxConnections) {
            this.maxConnections = range("maxConnections", maxConnections, 1, 1_000_000);
            return this;
        }

        /**
         * @param grace how long shutdown waits for received requests, 0 to 1 hour
         * @return this builder
         */
        public Builder shutdownGrace(Duration grace) {
            this.shutdownGrace = duration("shutdownGrace", grace, Duration.ZERO);
            return this;
        }

        /**
         * @param backend {@code caffeine}, {@code memory} or {@code redis}
         * @return this builder
         */
        public Builder backend(String backend) {
            Objects.requireNonNull(backend, "backend");
            String name = backend.trim().toLowerCase(Locale.ROOT);
            if (!BACKENDS.contains(name)) {
                throw new IllegalArgumentException("backend must be caffeine, memory or redis,"
                        + " was '" + backend + "'");
            }
            this.backend = name;
            return this;
        }

        /**
         * Sets the accepted API keys. Messages name entries by position, never by value.
         *
         * @param keys accepted API keys, none blank or repeated; empty turns authentication off
         * @return this builder
         */
        public Builder apiKeys(List<String> keys) {
            Map<String, Integer> seen = new HashMap<>();
            for (int i = 0; i < keys.size(); i++) {
                String key = Objects.requireNonNull(keys.get(i), "api key");
                if (key.isBlank()) {
                    throw new IllegalArgumentException("API key list has a blank entry (entry "
                            + (i + 1) + " of " + keys.size() + ")");
                }
                Integer earlier = seen.putIfAbsent(key, i + 1);
                if (earlier != null) {
                    throw new IllegalArgumentException("API key list has a duplicate entry"
                            + " (entries " + earlier + " and " + (i + 1) + " of " + keys.size()
                            + " are the same)");
                }
            }
            this.apiKeys = List.copyOf(keys);
            return this;
        }

        /**
         * @param networks comma-separated addresses or CIDR networks allowed to call
         * @return this builder
         */
        public Builder ipAllow(String networks) {
            this.ipAllow = Cidr.parseList("ipAllow", networks);
            return this;
        }

        /**
         * @param networks comma-separated addresses or CIDR networks denied; wins over allow
         * @return this builder
         */
        public Builder ipDeny(String networks) {
            this.ipDeny = Cidr.parseList("ipDeny", networks);
            return this;
        }

        /**
         * @param networks comma-separated proxies whose {@code X-Forwarded-For} is believed
         * @return this builder
         */
        public Builder trustedProxies(String networks) {
            this.trustedProxies = Cidr.parseList("trustedProxies", networks);
            return this;
        }

        /** @param bytes the largest request body, 1 byte to 64 MiB; @return this builder */
        public Builder maxBodyBytes(int bytes) {
            this.maxBodyBytes = range("maxBodyBytes", bytes, 1, 64 * 1024 * 1024);
            return this;
        }

        /** @return the settings */
        public ServerSettings build() {
            return new ServerSettings(this);
        }

        private static int range(String name, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + " must be from " + min + " to " + max
                        + ", was " + value);
            }
            return value;
        }

        private static Duration duration(String name, Duration value, Duration min) {
            Objects.requireNonNull(value, name);
            if (value.compareTo(min) < 0 || value.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException(name + " must be from " + min.toMillis()
                        + " ms to 1 hour, was " + value.toMillis() + " ms");
            }
            return value;
        }
    }
}
