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
 * {@link RateLimitServer} and prints one line: address, backend, policy count, auth on or off.
 * SIGTERM stops accepting, finishes in-flight requests and closes the store. With
 * {@code --config}, {@code SIGHUP} or a change to the file reloads the rules
 * ({@link ConfigReloader}; a broken file changes nothing). A configuration
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
            opened = Backends.open(settings, core, source);
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
                + " backend=" + opened.backend() + " policies=" + core.rules().policies().size()
                + " auth=" + (settings.authEnabled() ? "on" : "off")
                + (reloader == null ? "" : " config=" + reloader.active().version()
                        + " reload=SIGHUP" + (reloader.interval().isZero() ? ""
                                : ",every " + reloader.interval().toMillis() + "ms")));
        out.flush();
        return 0;
    }
}
