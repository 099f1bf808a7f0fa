package dev.ratelimiter.http;

import dev.ratelimiter.config.ConfigSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The server's own settings: where it listens, how many threads it runs, how it sheds load,
 * who may call it, and which backend holds the buckets. The limiter's rules are core's
 * {@link dev.ratelimiter.config.RateLimiterConfig}; this class reads the sections core leaves to
 * the server ({@code ratelimiter.server.*}, {@code ratelimiter.security.*},
 * {@code ratelimiter.backend}) and rejects unknown names in them.
 *
 * <table>
 *   <caption>Settings (environment variable in brackets; it wins over the property)</caption>
 *   <tr><td>{@code ratelimiter.server.host} [RATE_LIMITER_HOST]</td><td>address to bind; default
 *       {@code 127.0.0.1}, or {@code 0.0.0.0} when API keys are configured</td></tr>
 *   <tr><td>{@code ratelimiter.server.port} [RATE_LIMITER_PORT]</td><td>default 8080; 0 picks
 *       a free port</td></tr>
 *   <tr><td>{@code ratelimiter.server.threads} [RATE_LIMITER_THREADS]</td><td>worker threads,
 *       default 256 (the JDK server reads request headers on them, so slow clients hold
 *       one each until the request deadline)</td></tr>
 *   <tr><td>{@code ratelimiter.server.queueSize}</td><td>tasks waiting for a thread, default
 *       1024; beyond it new connections are closed</td></tr>
 *   <tr><td>{@code ratelimiter.server.maxInFlight} [RATE_LIMITER_MAX_IN_FLIGHT]</td><td>checks
 *       in progress at once, default 128; more are answered 503 with Retry-After</td></tr>
 *   <tr><td>{@code ratelimiter.server.backlog}</td><td>TCP accept backlog, default 1024</td></tr>
 *   <tr><td>{@code ratelimiter.server.requestTimeout}</td><td>seconds to receive a request,
 *       default 10</td></tr>
 *   <tr><td>{@code ratelimiter.server.responseTimeout}</td><td>seconds to send a response,
 *       default 10</td></tr>
 *   <tr><td>{@code ratelimiter.server.idleTimeout}</td><td>seconds a keep-alive connection
 *       may idle, default 30</td></tr>
 *   <tr><td>{@code ratelimiter.server.maxConnections}</td><td>open connections, default
 *       10000</td></tr>
 *   <tr><td>{@code ratelimiter.server.shutdownGrace}</td><td>seconds to finish in-flight
 *       requests on shutdown, default 10</td></tr>
 *   <tr><td>{@code ratelimiter.server.reloadIntervalMs} [RATE_LIMITER_RELOAD_INTERVAL_MS]</td>
 *       <td>how often the {@code --config} file is looked at for changes, default 2000, 0 off
 *       (read by {@link ConfigReloader}; {@code SIGHUP} reloads at once either way)</td></tr>
 *   <tr><td>{@code ratelimiter.backend} [RATE_LIMITER_BACKEND]</td><td>{@code caffeine}
 *       (default), {@code memory} or {@code redis}</td></tr>
 *   <tr><td>{@code ratelimiter.security.api-keys.valid-keys} [RATE_LIMITER_API_KEYS]</td>
 *       <td>comma-separated API keys; when set, every check needs one</td></tr>
 *   <tr><td>{@code ratelimiter.security.api-keys.enabled} [RATE_LIMITER_API_KEYS_ENABLED]</td>
 *       <td>{@code false} turns configured keys off; {@code true} without keys is an
 *       error</td></tr>
 *   <tr><td>{@code ratelimiter.security.ip.whitelist} [RATE_LIMITER_IP_ALLOW]</td><td>
 *       comma-separated addresses or CIDR networks (IPv4 or IPv6); when set, only these may
 *       call</td></tr>
 *   <tr><td>{@code ratelimiter.security.ip.blacklist} [RATE_LIMITER_IP_DENY]</td><td>networks
 *       that may not call; wins over the whitelist</td></tr>
 *   <tr><td>{@code ratelimiter.security.ip.trusted-proxies} [RATE_LIMITER_TRUSTED_PROXIES]</td>
 *       <td>networks whose {@code X-Forwarded-For} is believed; default none</td></tr>
 *   <tr><td>{@code ratelimiter.security.max-request-size} [RATE_LIMITER_MAX_REQUEST_SIZE]</td>
 *       <td>largest request body, in bytes or with a {@code KB}/{@code MB} suffix; default
 *       64KB</td></tr>
 * </table>
 *
 * <p>Immutable and thread-safe. Lists are never null.
 */
public final class ServerSettings {

    /** The default largest request body: 64 KiB. */
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;

    private static final String SERVER = "ratelimiter.server.";
    private static final String SECURITY = "ratelimiter.security.";
    private static final Set<String> SERVER_NAMES = Set.of("host", "port", "threads",
            "queueSize", "maxInFlight", "backlog", "requestTimeout", "responseTimeout",
            "idleTimeout", "maxConnections", "shutdownGrace", "reloadIntervalMs");
    private static final Set<String> SECURITY_NAMES = Set.of("api-keys.valid-keys",
            "api-keys.enabled", "ip.whitelist", "ip.blacklist", "ip.trusted-proxies",
            "max-request-size");
    private static final Set<String> BACKENDS = Set.of("caffeine", "memory", "redis");

    private final String host;
    private final int port;
    private final int threads;
    private final int queueSize;
    private final int maxInFlight;
    private final int backlog;
    private final int requestTimeoutSeconds;
    private final int responseTimeoutSeconds;
    private final int idleTimeoutSeconds;
    private final int maxConnections;
    private final Duration shutdownGrace;
    private final String backend;
    private final List<String> apiKeys;
    private final List<Cidr> ipAllow;
    private final List<Cidr> ipDeny;
    private final List<Cidr> trustedProxies;
    private final int maxBodyBytes;

    private ServerSettings(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.threads = b.threads;
        this.queueSize = b.queueSize;
        this.maxInFlight = b.maxInFlight;
        this.backlog = b.backlog;
        this.requestTimeoutSeconds = b.requestTimeoutSeconds;
        this.responseTimeoutSeconds = b.responseTimeoutSeconds;
        this.idleTimeoutSeconds = b.idleTimeoutSeconds;
        this.maxConnections = b.maxConnections;
        this.shutdownGrace = b.shutdownGrace;
        this.backend = b.backend;
        this.apiKeys = List.copyOf(b.apiKeys);
        this.ipAllow = List.copyOf(b.ipAllow);
        this.ipDeny = List.copyOf(b.ipDeny);
        this.trustedProxies = List.copyOf(b.trustedProxies);
        this.maxBodyBytes = b.maxBodyBytes;
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
     *     value, naming the property
     * @throws IllegalStateException for contradicting settings, naming them
     */
    public static ServerSettings from(ConfigSource source) {
        Objects.requireNonNull(source, "source");
        checkNames(source, SERVER, SERVER_NAMES);
        checkNames(source, SECURITY, SECURITY_NAMES);
        for (String name : source.propertyNames("ratelimiter.backend")) {
            if (!name.equals("ratelimiter.backend")) {
                throw new IllegalArgumentException("unknown property '" + name
                        + "'; did you mean ratelimiter.backend?");
            }
        }
        Builder b = builder();
        source.get(SERVER + "host", "RATE_LIMITER_HOST").ifPresent(b::host);
        intSetting(source, "port", "RATE_LIMITER_PORT", 0, 65535).ifPresent(b::port);
        intSetting(source, "threads", "RATE_LIMITER_THREADS", 1, 10_000).ifPresent(b::threads);
        intSetting(source, "queueSize", null, 1, 1_000_000).ifPresent(b::queueSize);
        intSetting(source, "maxInFlight", "RATE_LIMITER_MAX_IN_FLIGHT", 1, 1_000_000)
                .ifPresent(b::maxInFlight);
        intSetting(source, "backlog", null, 1, 65535).ifPresent(b::backlog);
        intSetting(source, "requestTimeout", null, 1, 3600).ifPresent(b::requestTimeoutSeconds);
        intSetting(source, "responseTimeout", null, 1, 3600)
                .ifPresent(b::responseTimeoutSeconds);
        intSetting(source, "idleTimeout", null, 1, 3600).ifPresent(b::idleTimeoutSeconds);
        intSetting(source, "maxConnections", null, 1, 1_000_000).ifPresent(b::maxConnections);
        intSetting(source, "shutdownGrace", null, 0, 3600)
                .ifPresent(s -> b.shutdownGrace(Duration.ofSeconds(s)));

        Optional<String> backend = source.get("ratelimiter.backend", "RATE_LIMITER_BACKEND");
        if (backend.isPresent()) {
            b.backend(backend.get());
        } else if (source.get("ratelimiter.redis.url", "RATE_LIMITER_REDIS_URL").isPresent()) {
            b.backend("redis");
        }

        Optional<String> keys = source.get(SECURITY + "api-keys.valid-keys",
                "RATE_LIMITER_API_KEYS");
        Optional<String> enabled = source.get(SECURITY + "api-keys.enabled",
                "RATE_LIMITER_API_KEYS_ENABLED");
        boolean on = enabled.map(v -> bool(SECURITY + "api-keys.enabled", v))
                .orElse(keys.isPresent());
        if (on) {
            List<String> list = keys.map(ServerSettings::splitKeys).orElse(List.of());
            if (list.isEmpty()) {
                throw new IllegalStateException(SECURITY + "api-keys.enabled is true but "
                        + SECURITY + "api-keys.valid-keys (RATE_LIMITER_API_KEYS) is empty");
            }
            b.apiKeys(list);
        }
        source.get(SECURITY + "ip.whitelist", "RATE_LIMITER_IP_ALLOW").ifPresent(v ->
                b.ipAllow = Cidr.parseList(SECURITY + "ip.whitelist", v));
        source.get(SECURITY + "ip.blacklist", "RATE_LIMITER_IP_DENY").ifPresent(v ->
                b.ipDeny = Cidr.parseList(SECURITY + "ip.blacklist", v));
        source.get(SECURITY + "ip.trusted-proxies", "RATE_LIMITER_TRUSTED_PROXIES").ifPresent(v ->
                b.trustedProxies = Cidr.parseList(SECURITY + "ip.trusted-proxies", v));
        source.get(SECURITY + "max-request-size", "RATE_LIMITER_MAX_REQUEST_SIZE")
                .ifPresent(v -> b.maxBodyBytes(size(SECURITY + "max-request-size", v)));
        return b.build();
    }

    private static void checkNames(ConfigSource source, String prefix, Set<String> known) {
        for (String name : source.propertyNames(prefix)) {
            if (!known.contains(name.substring(prefix.length()))) {
                throw new IllegalArgumentException("unknown property '" + name + "'; known: "
                        + prefix + "{" + String.join(", ", new java.util.TreeSet<>(known)) + "}");
            }
        }
    }

    private static Optional<Integer> intSetting(ConfigSource source, String name, String env,
                                                int min, int max) {
        return source.get(SERVER + name, env).map(text -> {
            try {
                long v = Long.parseLong(text);
                if (v >= min && v <= max) {
                    return (int) v;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException(SERVER + name + (env == null ? "" : " (" + env + ")")
                    + " must be a whole number from " + min + " to " + max + ", was '" + text
                    + "'");
        });
    }

    private static boolean bool(String name, String text) {
        switch (text.toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw new IllegalArgumentException(name + " must be true or false, was '" + text
                        + "'");
        }
    }

    private static List<String> splitKeys(String text) {
        List<String> out = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return out;
    }

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
        throw new IllegalArgumentException(name + " must be a size from 1 byte to 64MB (such as"
                + " 65536, 64KB or 1MB), was '" + text + "'");
    }

    /** @return the bind address; null means loopback, or all interfaces when API keys are on */
    public String host() {
        return host;
    }

    /** @return the address actually bound when none is configured: see {@link #host()} */
    public String effectiveHost() {
        if (host != null) {
            return host;
        }
        return apiKeys.isEmpty() ? "127.0.0.1" : "0.0.0.0";
    }

    /** @return the port, 0 for any free one */
    public int port() {
        return port;
    }

    /** @return worker threads */
    public int threads() {
        return threads;
    }

    /** @return tasks that may wait for a worker */
    public int queueSize() {
        return queueSize;
    }

    /** @return checks in progress at once before shedding with 503 */
    public int maxInFlight() {
        return maxInFlight;
    }

    /** @return the TCP accept backlog */
    public int backlog() {
        return backlog;
    }

    /** @return seconds allowed to receive a request (JDK {@code sun.net.httpserver.maxReqTime}) */
    public int requestTimeoutSeconds() {
        return requestTimeoutSeconds;
    }

    /** @return seconds allowed to send a response ({@code sun.net.httpserver.maxRspTime}) */
    public int responseTimeoutSeconds() {
        return responseTimeoutSeconds;
    }

    /** @return seconds a keep-alive connection may idle ({@code sun.net.httpserver.idleInterval}) */
    public int idleTimeoutSeconds() {
        return idleTimeoutSeconds;
    }

    /** @return open connections allowed ({@code jdk.httpserver.maxConnections}) */
    public int maxConnections() {
        return maxConnections;
    }

    /** @return how long shutdown waits for in-flight requests */
    public Duration shutdownGrace() {
        return shutdownGrace;
    }

    /** @return {@code caffeine}, {@code memory} or {@code redis} */
    public String backend() {
        return backend;
    }

    /** @return the accepted API keys; empty means no authentication */
    public List<String> apiKeys() {
        return apiKeys;
    }

    /** @return whether checks need an API key */
    public boolean authEnabled() {
        return !apiKeys.isEmpty();
    }

    List<Cidr> ipAllow() {
        return ipAllow;
    }

    List<Cidr> ipDeny() {
        return ipDeny;
    }

    List<Cidr> trustedProxies() {
        return trustedProxies;
    }

    /** @return the largest accepted request body, in bytes */
    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    @Override
    public String toString() {
        // Never print the API keys themselves.
        return "ServerSettings{host=" + effectiveHost() + ", port=" + port + ", threads=" + threads
                + ", maxInFlight=" + maxInFlight + ", backend=" + backend + ", apiKeys="
                + apiKeys.size() + ", ipAllow=" + ipAllow + ", ipDeny=" + ipDeny
                + ", trustedProxies=" + trustedProxies + ", maxBodyBytes=" + maxBodyBytes + "}";
    }

    /** Builds {@link ServerSettings}; each option is validated as it is set. Not thread-safe. */
    public static final class Builder {
        private String host;
        private int port = 8080;
        private int threads = 256;
        private int queueSize = 1024;
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

        /**
         * @param host the address or host name to bind, not blank
         * @return this builder
         */
        public Builder host(String host) {
            Objects.requireNonNull(host, "host");
            if (host.isBlank()) {
                throw new IllegalArgumentException("host must not be blank");
            }
            this.host = host;
            return this;
        }

        /**
         * @param port 0 to 65535; 0 picks a free port
         * @return this builder
         */
        public Builder port(int port) {
            this.port = range("port", port, 0, 65535);
            return this;
        }

        /**
         * @param threads worker threads, at least 1
         * @return this builder
         */
        public Builder threads(int threads) {
            this.threads = range("threads", threads, 1, 10_000);
            return this;
        }

        /**
         * @param queueSize tasks waiting for a worker, at least 1
         * @return this builder
         */
        public Builder queueSize(int queueSize) {
            this.queueSize = range("queueSize", queueSize, 1, 1_000_000);
            return this;
        }

        /**
         * @param maxInFlight checks in progress at once, at least 1
         * @return this builder
         */
        public Builder maxInFlight(int maxInFlight) {
            this.maxInFlight = range("maxInFlight", maxInFlight, 1, 1_000_000);
            return this;
        }

        /**
         * @param backlog TCP accept backlog, at least 1
         * @return this builder
         */
        public Builder backlog(int backlog) {
            this.backlog = range("backlog", backlog, 1, 65535);
            return this;
        }

        /**
         * @param seconds time to receive a request, at least 1
         * @return this builder
         */
        public Builder requestTimeoutSeconds(int seconds) {
            this.requestTimeoutSeconds = range("requestTimeoutSeconds", seconds, 1, 3600);
            return this;
        }

        /**
         * @param seconds time to send a response, at least 1
         * @return this builder
         */
        public Builder responseTimeoutSeconds(int seconds) {
            this.responseTimeoutSeconds = range("responseTimeoutSeconds", seconds, 1, 3600);
            return this;
        }

        /**
         * @param seconds idle time of a keep-alive connection, at least 1
         * @return this builder
         */
        public Builder idleTimeoutSeconds(int seconds) {
            this.idleTimeoutSeconds = range("idleTimeoutSeconds", seconds, 1, 3600);
            return this;
        }

        /**
         * @param maxConnections open connections, at least 1
         * @return this builder
         */
        public Builder maxConnections(int maxConnections) {
            this.maxConnections = range("maxConnections", maxConnections, 1, 1_000_000);
            return this;
        }

        /**
         * @param grace how long shutdown waits for in-flight requests, not negative
         * @return this builder
         */
        public Builder shutdownGrace(Duration grace) {
            Objects.requireNonNull(grace, "grace");
            if (grace.isNegative()) {
                throw new IllegalArgumentException("shutdownGrace must not be negative, was "
                        + grace);
            }
            this.shutdownGrace = grace;
            return this;
        }

        /**
         * @param backend {@code caffeine}, {@code memory} or {@code redis}
         * @return this builder
         */
        public Builder backend(String backend) {
            Objects.requireNonNull(backend, "backend");
            String b = backend.trim().toLowerCase(Locale.ROOT);
            if (!BACKENDS.contains(b)) {
                throw new IllegalArgumentException("ratelimiter.backend must be caffeine, memory"
                        + " or redis, was '" + backend + "'");
            }
            this.backend = b;
            return this;
        }

        /**
         * @param keys accepted API keys, none blank; empty turns authentication off
         * @return this builder
         */
        public Builder apiKeys(List<String> keys) {
            for (String key : keys) {
                Objects.requireNonNull(key, "api key");
                if (key.isBlank()) {
                    throw new IllegalArgumentException("API keys must not be blank");
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

        /**
         * @param bytes the largest request body, 1 byte to 64 MiB
         * @return this builder
         */
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
    }
}
