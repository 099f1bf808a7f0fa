package dev.ratelimiter.http;

import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.caffeine.CaffeineStoreConfig;
import dev.ratelimiter.config.ConfigSource;
import dev.ratelimiter.config.FailSafeConfig;
import dev.ratelimiter.config.RateLimiterConfig;
import dev.ratelimiter.redis.RedisStoreConfig;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads the server's {@code --config} file while it runs and gives the limiter the new rules
 * ({@link RateLimiter#updateRules}): on {@code SIGHUP} (see {@link #installSignalHandler}) and
 * when the file's content changes, looked at every {@code ratelimiter.server.reloadIntervalMs}
 * [RATE_LIMITER_RELOAD_INTERVAL_MS] milliseconds (default 2000; 0 turns the watch off).
 *
 * <ul>
 *   <li>The whole file is read and validated as at start-up (unknown names, every section's
 *       values). A file that does not parse or validate changes nothing: the rules in force keep
 *       serving, and the error, naming the property, is logged once (the watch tries again only
 *       when the content changes again; a {@code SIGHUP} always tries).</li>
 *   <li>What changes while running: the rules ({@code ratelimiter.capacity}, {@code refillRate},
 *       {@code limits}, {@code shadow}, {@code keys.*}, {@code patterns.*}). Keys keep their
 *       consumption by the rule of {@code RateLimiter.updateRules}. Every other setting (port,
 *       backend, threads, Redis URL, security, key length, this interval...) needs a restart:
 *       a changed one is named in the log (WARN) and in the {@link Result}, and not applied.</li>
 *   <li>The configuration's version is the first 16 hex digits of a SHA-256 of the rules'
 *       effective values (sorted {@code name=value}; comments and order do not count). {@code /health}
 *       reports it and when it was loaded; {@code ratelimiter_config_reloads_total{result}}
 *       counts {@code applied}, {@code unchanged} and {@code failed} reloads.</li>
 * </ul>
 * Environment variables override the file as at start-up; they cannot change while the process
 * runs. Thread-safe: reloads are serialized on one daemon thread.
 */
final class ConfigReloader implements AutoCloseable {

    /** The property of the watch interval. */
    static final String INTERVAL_PROPERTY = "ratelimiter.server.reloadIntervalMs";
    static final String INTERVAL_ENV = "RATE_LIMITER_RELOAD_INTERVAL_MS";
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);

    /** The names (and name prefixes) a reload applies: the rules. */
    static final List<String> RELOADABLE = List.of("ratelimiter.capacity",
            "ratelimiter.refillRate", "ratelimiter.limits", "ratelimiter.shadow",
            "ratelimiter.keys.", "ratelimiter.patterns.");

    private static final Logger LOG = LoggerFactory.getLogger(ConfigReloader.class);

    /**
     * What one reload did.
     *
     * @param outcome {@code applied} (new rules in force), {@code unchanged} (the same rules), or
     *     {@code failed} (nothing changed)
     * @param version the version in force afterwards
     * @param needsRestart changed settings that were not applied, sorted
     * @param error why it failed, naming the property; null unless failed
     */
    record Result(String outcome, String version, List<String> needsRestart, String error) {
    }

    /** The configuration in force: its version and when it was loaded. */
    record Version(String version, Instant loadedAt) {
    }

    private final Path file;
    private final RateLimiter limiter;
    private final Duration interval;
    /** The restart-only settings the process runs with (from start-up), by name. */
    private final Map<String, String> running;
    private final ScheduledExecutorService thread;
    private volatile Version active;
    /** Digest of the bytes the watch (or a reload) last saw: each change is tried once. */
    private byte[] seenDigest;
    private volatile Counter applied;
    private volatile Counter unchanged;
    private volatile Counter failed;

    /**
     * @param file the configuration file the server started from
     * @param startup what was read from it at start-up
     * @param limiter the server's limiter, whose rules are replaced
     * @throws IllegalArgumentException if the interval setting is malformed, naming it
     */
    ConfigReloader(Path file, ConfigSource startup, RateLimiter limiter) {
        this.file = Objects.requireNonNull(file, "file");
        this.limiter = Objects.requireNonNull(limiter, "limiter");
        this.interval = interval(startup);
        this.running = restartOnly(startup);
        this.active = new Version(version(startup), Instant.now());
        this.seenDigest = digestOfFile();
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ratelimiter-config-reload");
            t.setDaemon(true);
            return t;
        });
    }

    /** Parses {@link #INTERVAL_PROPERTY}: 0 (off) to one hour, in milliseconds. */
    static Duration interval(ConfigSource source) {
        var text = source.get(INTERVAL_PROPERTY, INTERVAL_ENV);
        if (text.isEmpty()) {
            return DEFAULT_INTERVAL;
        }
        long ms;
        try {
            ms = Long.parseLong(text.get());
        } catch (NumberFormatException e) {
            ms = -1;
        }
        if (ms < 0 || ms > 3_600_000) {
            throw new IllegalArgumentException(INTERVAL_PROPERTY + " (" + INTERVAL_ENV
                    + ") must be a whole number of milliseconds from 0 to 3600000, was '"
                    + text.get() + "'");
        }
        return Duration.ofMillis(ms);
    }

    /** Starts watching the file (unless the interval is 0). */
    void start() {
        if (!interval.isZero()) {
            long ms = interval.toMillis();
            thread.scheduleWithFixedDelay(this::watch, ms, ms, TimeUnit.MILLISECONDS);
        }
    }

    /** Counts reloads on the server's meters. */
    void bindTo(HttpMetrics metrics) {
        applied = metrics.reloads("applied");
        unchanged = metrics.reloads("unchanged");
        failed = metrics.reloads("failed");
    }

    /**
     * Installs the {@code SIGHUP} handler: without one the JVM exits on that signal. The handler
     * only queues a reload on this reloader's thread.
     *
     * @return false where the platform has no {@code SIGHUP} (Windows)
     */
    boolean installSignalHandler() {
        return handleSighup(() -> onSignal(), "configuration reloads only when " + file
                + " changes");
    }

    /**
     * For a server started without {@code --config}: a {@code SIGHUP} is logged and otherwise
     * ignored, instead of ending the JVM.
     *
     * @return false where {@code SIGHUP} cannot be handled
     */
    static boolean ignoreSighupWithoutFile() {
        return handleSighup(() -> LOG.warn("SIGHUP: no --config file to reload; ignored"),
                "SIGHUP ends the process");
    }

    private static boolean handleSighup(Runnable action, String otherwise) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> action.run());
            return true;
        } catch (IllegalArgumentException unsupported) {
            // No SIGHUP (Windows), or the JVM will not give it up (started with -Xrs).
            LOG.warn("cannot handle SIGHUP here ({}); {}", unsupported.getMessage(), otherwise);
            return false;
        }
    }

    /**
     * What the signal handler does: queue a reload, even if the file looks unchanged.
     *
     * @return the reload's result when done
     */
    CompletableFuture<Result> onSignal() {
        return requestReload("SIGHUP");
    }

    /**
     * Queues a reload on the reloader's thread.
     *
     * @param trigger what asked, for the log
     * @return the result when done
     */
    CompletableFuture<Result> requestReload(String trigger) {
        try {
            return CompletableFuture.supplyAsync(() -> reload(trigger), thread);
        } catch (RejectedExecutionException closed) {
            return CompletableFuture.failedFuture(closed);
        }
    }

    /** @return the configuration in force */
    Version active() {
        return active;
    }

    /** @return how often the file is looked at; zero when the watch is off */
    Duration interval() {
        return interval;
    }

    /** One look of the watch: reloads if the file's content changed since the last look. */
    void watchOnce() {
        watch();
    }

    private synchronized void watch() {
        try {
            byte[] digest = digestOfFile();
            if (!Arrays.equals(digest, seenDigest)) {
                reload("file change");
            }
        } catch (RuntimeException e) {
            LOG.error("configuration watch of {} failed: {}", file, e.toString());
        }
    }

    /**
     * Reads, validates and applies the file; see the class comment. Runs on the reloader's
     * thread (or a test's).
     */
    synchronized Result reload(String trigger) {
        seenDigest = digestOfFile();
        Version before = active;
        ConfigSource source;
        RateLimiterConfig core;
        try {
            source = ConfigSource.load(file);
            source.requireKnown("ratelimiter.", Backends.KNOWN_NAMES);
            core = RateLimiterConfig.from(source);
            // Validated like at start-up, though not applied: a broken file changes nothing.
            ServerSettings.from(source);
            interval(source);
            FailSafeConfig.from(source);
            CaffeineStoreConfig.from(source);
            RedisStoreConfig.from(source);
        } catch (IllegalArgumentException | IllegalStateException e) {
            count(failed);
            LOG.error("configuration reload ({}) of {} failed; still serving version {}: {}",
                    trigger, file, before.version(), e.getMessage());
            return new Result("failed", before.version(), List.of(), e.getMessage());
        }
        List<String> restart = needsRestart(restartOnly(source));
        if (!restart.isEmpty()) {
            LOG.warn("configuration reload ({}) of {}: {} changed but need a restart to apply;"
                    + " not applied", trigger, file, String.join(", ", restart));
        }
        String version = version(source);
        if (version.equals(before.version())) {
            count(unchanged);
            LOG.info("configuration reload ({}) of {}: rules unchanged, version {}", trigger,
                    file, version);
            return new Result("unchanged", version, restart, null);
        }
        limiter.updateRules(core.rules());
        active = new Version(version, Instant.now());
        count(applied);
        LOG.info("configuration reload ({}) of {}: version {} in force (was {}), {} policies",
                trigger, file, version, before.version(), core.rules().policies().size());
        return new Result("applied", version, restart, null);
    }

    private static void count(Counter c) {
        if (c != null) {
            c.increment();
        }
    }

    private List<String> needsRestart(Map<String, String> now) {
        TreeSet<String> names = new TreeSet<>(running.keySet());
        names.addAll(now.keySet());
        List<String> changed = new ArrayList<>();
        for (String name : names) {
            if (!Objects.equals(running.get(name), now.get(name))) {
                changed.add(name);
            }
        }
        return changed;
    }

    static boolean reloadable(String name) {
        for (String r : RELOADABLE) {
            if (r.endsWith(".") ? name.startsWith(r) : name.equals(r)) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, String> restartOnly(ConfigSource source) {
        Map<String, String> values = new TreeMap<>();
        for (String name : source.propertyNames("ratelimiter.")) {
            if (!reloadable(name)) {
                source.get(name, null).ifPresent(v -> values.put(name, v));
            }
        }
        return values;
    }

    /** The environment variables that override the default policy's properties. */
    private static final Map<String, String> RULE_ENV = Map.of(
            "ratelimiter.capacity", "RATE_LIMITER_CAPACITY",
            "ratelimiter.refillRate", "RATE_LIMITER_REFILL_RATE",
            "ratelimiter.limits", "RATE_LIMITER_LIMITS",
            "ratelimiter.shadow", "RATE_LIMITER_SHADOW");

    /**
     * The version: SHA-256 of the rules' effective values (an environment variable wins over the
     * file, as when the rules are read), sorted by name, 16 hex digits.
     */
    static String version(ConfigSource source) {
        TreeSet<String> names = new TreeSet<>(RULE_ENV.keySet());
        for (String name : source.propertyNames("ratelimiter.")) {
            if (reloadable(name)) {
                names.add(name);
            }
        }
        StringBuilder canonical = new StringBuilder();
        for (String name : names) {
            source.get(name, RULE_ENV.get(name)).ifPresent(v -> canonical.append(name)
                    .append('=').append(v).append('\n'));
        }
        return HexFormat.of().formatHex(sha256(canonical.toString()
                .getBytes(StandardCharsets.UTF_8))).substring(0, 16);
    }

    private byte[] digestOfFile() {
        try {
            return sha256(Files.readAllBytes(file));
        } catch (IOException e) {
            return new byte[0]; // unreadable: a change too, which reload reports
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /** Stops the watch; a reload in progress finishes. Idempotent. */
    @Override
    public void close() {
        thread.shutdown();
    }
}
