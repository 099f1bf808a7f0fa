package dev.ratelimiter.http;

import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.config.ConfigSource;
import dev.ratelimiter.config.RateLimiterConfig;
import dev.ratelimiter.spi.StoreUnavailableException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The standalone server: {@code java -jar ratelimiter-http-<version>-all.jar [--config FILE]}.
 *
 * <p>Reads the configuration (the file's properties, overridden by environment variables; see
 * {@link ServerSettings} and {@link RateLimiterConfig}), opens the backend, starts
 * {@link RateLimitServer} and prints one line: address, executor (virtual or platform), the
 * connection bound, the maximum heap, backend, policy count, auth on or off.
 * SIGTERM refuses new connections, answers every request already received (also on kept-alive
 * connections) within the shutdown grace, and closes the store. With {@code --config},
 * {@code SIGHUP} or a change to the file reloads the rules ({@link ConfigReloader}; a broken file
 * changes nothing). A configuration
 * error prints one line naming the setting and exits with status 2; an address that cannot be
 * bound exits with status 1.
 */
public final class Main {

    private static final String USAGE = "usage: java -jar ratelimiter-http-all.jar"
            + " [--config FILE]\n  settings: properties in FILE, overridden by RATE_LIMITER_*"
            + " environment variables (see README)";

    private Main() {
    }

    /**
     * Runs the server until the JVM is told to stop.
     *
     * @param args {@code --config FILE}, or {@code --help}
     */
    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * The default connection bound for a heap: each open connection holds ~16-24 KiB of the
     * JDK server's buffers on the heap while it is open (idle keep-alive ones too), so an
     * unconfigured bound is what fits in the heap above 64 MiB at 24 KiB each, at least 256,
     * at most the configured default. Measured: 5,000 connections on a 128 MiB heap ran out of
     * memory; -Xmx256m gives 8,192.
     */
    static int connectionsForHeap(long maxHeapBytes, int ceiling) {
        long budget = (maxHeapBytes - 64L * 1024 * 1024) / (24 * 1024);
        return (int) Math.max(256, Math.min(ceiling, budget));
    }

    /**
     * The platform thread count for the store, unless the settings name one: a remote store's
     * checks each wait for a round trip, so more threads keep more checks in flight
     * ({@link ServerSettings#remoteStoreThreads()}); an in-process store's checks only use
     * the CPU ({@link ServerSettings#cpuThreads()}).
     */
    static ServerSettings threadsForStore(ServerSettings settings, ConfigSource source,
                                          boolean localStore) {
        if (localStore
                || !source.get("ratelimiter.server.threads", "RATE_LIMITER_THREADS").isEmpty()) {
            return settings;
        }
        return settings.withThreads(ServerSettings.remoteStoreThreads());
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Path config = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                out.println(USAGE);
                return 0;
            } else if (arg.equals("--config") && i + 1 < args.length) {
                config = Path.of(args[++i]);
            } else if (arg.startsWith("--config=")) {
                config = Path.of(arg.substring("--config=".length()));
            } else {
                err.println("ratelimiter-http: unknown argument '" + arg + "'\n" + USAGE);
                return 2;
            }
        }
        ConfigSource source;
        RateLimiterConfig core;
        ServerSettings settings;
        Backends.Opened opened;
        try {
            source = config == null ? ConfigSource.environment() : ConfigSource.load(config);
            source.requireKnown("ratelimiter.", Backends.KNOWN_NAMES);
            core = RateLimiterConfig.from(source);
            settings = ServerSettings.from(source);
            ExchangeExecutor.usesVirtualThreads(settings);
            if (source.get("ratelimiter.server.maxConnections", "RATE_LIMITER_MAX_CONNECTIONS")
                    .isEmpty()) {
                settings = settings.withMaxConnections(connectionsForHeap(
                        Runtime.getRuntime().maxMemory(), settings.maxConnections()));
            }
            opened = Backends.open(settings, core, source);
            settings = threadsForStore(settings, source, opened.localStore());
        } catch (IllegalArgumentException | IllegalStateException e) {
            err.println("ratelimiter-http: configuration error: " + e.getMessage());
            return 2;
        } catch (StoreUnavailableException e) {
            // A Redis Cluster whose seed nodes cannot be reached to read the slot map.
            err.println("ratelimiter-http: cannot reach the store: " + e.getMessage());
            return 1;
        }
        // Before the first HttpServer is created: these properties are read once per JVM.
        JdkServerTuning.apply(settings);
        HeapTuning.apply();

        RateLimiter limiter = opened.limiter();
        ConfigReloader reloader;
        try {
            reloader = config == null ? null : new ConfigReloader(config, source, limiter);
        } catch (IllegalArgumentException e) {
            limiter.close();
            err.println("ratelimiter-http: configuration error: " + e.getMessage());
            return 2;
        }
        RateLimitServer server;
        try {
            RateLimitServer.Builder builder = RateLimitServer.builder(limiter).settings(settings)
                    .backendName(opened.backend());
            if (reloader != null) {
                builder.reloader(reloader);
            }
            server = builder.start();
        } catch (IOException | RuntimeException e) {
            limiter.close();
            err.println("ratelimiter-http: cannot listen on " + settings.effectiveHost() + ":"
                    + settings.port() + ": " + e);
            return 1;
        }
        if (reloader != null) {
            reloader.installSignalHandler(); // also keeps SIGHUP from ending the JVM
            reloader.start();
        } else {
            ConfigReloader.ignoreSighupWithoutFile();
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (reloader != null) {
                reloader.close();
            }
            server.stop();
            limiter.close();
        }, "ratelimiter-shutdown"));
        out.println("ratelimiter-http listening on http://" + server.hostAndPort()
                + " executor=" + server.executorKind()
                + (server.executorKind().equals("platform")
                        ? " threads=" + settings.threads() + "-" + settings.maxThreads() : "")
                + " maxConnections=" + settings.maxConnections()
                + " maxHeap=" + Runtime.getRuntime().maxMemory() / (1024 * 1024) + "MB"
                + " backend=" + opened.backend() + " policies=" + core.rules().policies().size()
                + " auth=" + (settings.authEnabled() ? "on" : "off")
                + (reloader == null ? "" : " config=" + reloader.active().version()
                        + " reload=SIGHUP" + (reloader.interval().isZero() ? ""
                                : ",every " + reloader.interval().toMillis() + "ms")));
        out.flush();
        return 0;
    }
}
