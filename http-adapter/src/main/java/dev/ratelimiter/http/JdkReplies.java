package dev.ratelimiter.http;

import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Counts the responses the JDK {@code HttpServer} sends by itself, before any filter runs: 400
 * for a bad request line, URI or header name, conflicting lengths or a bad
 * {@code Content-Length}; 501 for a transfer coding other than {@code chunked}; 404 for a path
 * no context matches (never here: "/" is a context). The JDK reports them only in its log,
 * {@code System.getLogger("com.sun.net.httpserver")} at DEBUG, as
 * {@code "<request line> [<status> <reason>] (<reason text>)"}; responses our filters send log
 * {@code ()} and are counted by {@link ExchangeGuard} instead. Two routes read that log:
 * <ul>
 *   <li>in the standalone jar, {@link ServerLoggerFinder} gives the JDK a
 *       {@link #countingLogger} that reads each line as it is written: the JDK builds one
 *       string per response;</li>
 *   <li>anywhere else (an application that embeds the server keeps its own logging), a
 *       {@code java.util.logging} handler on the logger behind the JDK's, set to FINE unless
 *       the application set a level itself. The JDK then builds two log records per request
 *       (1.8 µs per request with two threads contending,
 *       {@code JdkReplyLogBenchmark}); if the application installed a
 *       {@link System.LoggerFinder} of its own, the handler hears nothing and JDK replies go
 *       uncounted.</li>
 * </ul>
 * Connections the JDK closes without a response (more than
 * {@code sun.net.httpserver.maxReqHeaders} header names, a header block over
 * {@code maxReqHeaderSize}, a deadline) log nothing countable and are not counted. The log is
 * one per JVM, so with several servers in one JVM each counts every JDK reply. Thread-safe.
 */
final class JdkReplies {

    /** The JDK HTTP server's platform logger. */
    static final String JDK_LOGGER = "com.sun.net.httpserver";

    private static final CopyOnWriteArraySet<HttpMetrics> TARGETS = new CopyOnWriteArraySet<>();

    private JdkReplies() {
    }

    /** Starts counting JDK replies into {@code metrics}. */
    static synchronized void register(HttpMetrics metrics) {
        if (TARGETS.isEmpty() && !(System.LoggerFinder.getLoggerFinder()
                instanceof ServerLoggerFinder)) {
            JulRoute.start();
        }
        TARGETS.add(metrics);
    }

    /** Stops counting into {@code metrics}. */
    static synchronized void unregister(HttpMetrics metrics) {
        TARGETS.remove(metrics);
        if (TARGETS.isEmpty()) {
            JulRoute.stop();
        }
    }

    /**
     * The JDK server's logger for {@link ServerLoggerFinder}: it claims DEBUG, so that the JDK
     * writes its reply lines, counts those, and passes to {@code target} what {@code target}
     * has enabled.
     */
    static System.Logger countingLogger(System.Logger target) {
        return new CountingLogger(target);
    }

    /** Counts {@code message} if it is the line of a reply the JDK sent itself. */
    static void count(String message) {
        int status = status(message);
        if (status > 0) {
            for (HttpMetrics m : TARGETS) {
                m.status(status);
            }
        }
    }

    /**
     * @param message a JDK log message
     * @return the status of a reply the JDK sent itself, or 0
     */
    static int status(String message) {
        if (message == null || !message.endsWith(")") || message.endsWith("()")) {
            return 0;
        }
        int open = message.lastIndexOf(" [");
        if (open < 0 || message.length() < open + 6 || message.indexOf("] (", open) < 0) {
            return 0;
        }
        int status = 0;
        for (int i = open + 2; i < open + 5; i++) {
            char c = message.charAt(i);
            if (c < '0' || c > '9') {
                return 0;
            }
            status = status * 10 + (c - '0');
        }
        return status >= 100 && status < 600 ? status : 0;
    }

    /** See {@link #countingLogger}. */
    private static final class CountingLogger implements System.Logger {
        private final System.Logger target;

        CountingLogger(System.Logger target) {
            this.target = target;
        }

        @Override
        public String getName() {
            return target.getName();
        }

        @Override
        public boolean isLoggable(Level level) {
            return level == Level.DEBUG || target.isLoggable(level);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            if (target.isLoggable(level)) {
                target.log(level, bundle, msg, thrown);
            }
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            // A reply line is a plain message; the per-request lines with parameters are not.
            if (level == Level.DEBUG && (params == null || params.length == 0)) {
                count(format);
            }
            if (target.isLoggable(level)) {
                target.log(level, bundle, format, params);
            }
        }
    }

    /** The {@code java.util.logging} route: a handler on the logger behind the JDK's. */
    private static final class JulRoute extends Handler {
        /** Held strongly: {@code java.util.logging} forgets the level of an unreferenced logger. */
        private static final Logger JDK_LOG = Logger.getLogger(JDK_LOGGER);
        private static final JulRoute INSTANCE = new JulRoute();
        private static boolean started;
        private static boolean levelSetHere;

        private JulRoute() {
            setLevel(java.util.logging.Level.FINE);
        }

        static void start() {
            // A level the application set itself is left alone (then JDK replies go uncounted).
            if (JDK_LOG.getLevel() == null) {
                JDK_LOG.setLevel(java.util.logging.Level.FINE);
                levelSetHere = true;
            }
            JDK_LOG.removeHandler(INSTANCE);
            JDK_LOG.addHandler(INSTANCE);
            started = true;
        }

        static void stop() {
            if (!started) {
                return;
            }
            started = false;
            JDK_LOG.removeHandler(INSTANCE);
            if (levelSetHere) {
                // No server left: the JDK need not build its DEBUG records any more.
                JDK_LOG.setLevel(null);
                levelSetHere = false;
            }
        }

        @Override
        public void publish(LogRecord record) {
            count(record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
