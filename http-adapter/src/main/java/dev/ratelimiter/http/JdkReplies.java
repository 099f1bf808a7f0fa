package dev.ratelimiter.http;

import java.util.concurrent.CopyOnWriteArraySet;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Counts the responses the JDK {@code HttpServer} sends by itself, before any filter runs: 400
 * for a bad request line, URI or header name, conflicting lengths or a bad
 * {@code Content-Length}; 501 for a transfer coding other than {@code chunked}; 404 for a path
 * no context matches (never here: "/" is a context). The JDK reports them only in its log,
 * {@code System.getLogger("com.sun.net.httpserver")} at DEBUG, as
 * {@code "<request line> [<status> <reason>] (<reason text>)"}; this handler, on the
 * {@code java.util.logging} logger behind it, turns those lines into
 * {@code http_server_responses_total}. Responses our filters send log {@code ()} and are
 * counted by {@link ExchangeGuard} instead.
 *
 * <p>Cost: at DEBUG the JDK builds two log records per request, which this handler mostly
 * ignores (not measured on its own; {@code http-bench.sh}'s ratio includes it). Connections
 * the JDK closes without a response (more than
 * {@code sun.net.httpserver.maxReqHeaders} header names, a header block over
 * {@code maxReqHeaderSize}, a deadline) log nothing countable and are not counted. The log is
 * one per JVM, so with several servers in one JVM each counts every JDK reply. Thread-safe.
 */
final class JdkReplies extends Handler {

    /** Held strongly: {@code java.util.logging} forgets the level of an unreferenced logger. */
    private static final Logger JDK_LOG = Logger.getLogger("com.sun.net.httpserver");
    private static final JdkReplies INSTANCE = new JdkReplies();
    private static final CopyOnWriteArraySet<HttpMetrics> TARGETS = new CopyOnWriteArraySet<>();
    private static boolean levelSetHere;

    private JdkReplies() {
        setLevel(Level.FINE);
    }

    /** Starts counting JDK replies into {@code metrics}. */
    static synchronized void register(HttpMetrics metrics) {
        if (TARGETS.isEmpty()) {
            // A level the application set itself is left alone (then JDK replies go uncounted).
            if (JDK_LOG.getLevel() == null) {
                JDK_LOG.setLevel(Level.FINE);
                levelSetHere = true;
            }
            JDK_LOG.removeHandler(INSTANCE);
            JDK_LOG.addHandler(INSTANCE);
        }
        TARGETS.add(metrics);
    }

    /** Stops counting into {@code metrics}. */
    static synchronized void unregister(HttpMetrics metrics) {
        TARGETS.remove(metrics);
        if (TARGETS.isEmpty()) {
            JDK_LOG.removeHandler(INSTANCE);
            if (levelSetHere) {
                // No server left: the JDK need not build its DEBUG records any more.
                JDK_LOG.setLevel(null);
                levelSetHere = false;
            }
        }
    }

    @Override
    public void publish(LogRecord record) {
        int status = status(record.getMessage());
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

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
