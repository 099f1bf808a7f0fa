package dev.ratelimiter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.RateLimiter;
import io.micrometer.core.instrument.Counter;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The logger {@link ServerLoggerFinder} hands the JDK server in the standalone jar: it counts
 * the replies the JDK sends itself and passes on only what its target has enabled. (Over a real
 * socket, in the jar: {@code StandaloneJarIT}; through {@code java.util.logging}:
 * {@code ServerHardeningTest}.)
 */
class JdkRepliesTest {

    private static final String REPLY_501 = "POST /api/ratelimit/check HTTP/1.1"
            + " [501 Not Implemented] (Unsupported Transfer-Encoding value)";

    /** A target logger with INFO enabled, keeping what it is given. */
    private static final class Recording implements System.Logger {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        public String getName() {
            return JdkReplies.JDK_LOGGER;
        }

        @Override
        public boolean isLoggable(Level level) {
            return level.getSeverity() >= Level.INFO.getSeverity() && level != Level.OFF;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            lines.add(level + " " + msg);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            lines.add(level + " " + format);
        }
    }

    @Test
    void countsTheJdksOwnReplies_notOursNorItsOtherLines_andPassesOnOnlyWhatTheTargetWants() {
        try (RateLimiter limiter = RateLimiter.builder().build()) {
            HttpMetrics metrics = new HttpMetrics("caffeine", limiter);
            JdkReplies.register(metrics);
            try {
                Recording target = new Recording();
                System.Logger jdk = JdkReplies.countingLogger(target);
                // The JDK builds its reply lines only if DEBUG is loggable.
                assertTrue(jdk.isLoggable(System.Logger.Level.DEBUG));
                assertFalse(jdk.isLoggable(System.Logger.Level.TRACE));

                jdk.log(System.Logger.Level.DEBUG, REPLY_501);
                jdk.log(System.Logger.Level.DEBUG, REPLY_501.replace("[501 Not Implemented]",
                        "[400 Bad Request]"));
                // Our own responses (counted by ExchangeGuard) and lines with parameters.
                jdk.log(System.Logger.Level.DEBUG,
                        "POST /api/ratelimit/check HTTP/1.1 [200 OK] ()");
                jdk.log(System.Logger.Level.DEBUG, "Exchange request line: {0}",
                        "GET / [501 x] (y)");
                jdk.log(System.Logger.Level.WARNING, "a JDK warning");

                assertEquals(1.0, count(metrics, "501"));
                assertEquals(1.0, count(metrics, "400"));
                assertEquals(null, metrics.registry().find("http.server.responses")
                        .tag("status", "200").counter());
                assertEquals(List.of("WARNING a JDK warning"), target.lines,
                        "DEBUG lines must not reach a target that has DEBUG off");
            } finally {
                JdkReplies.unregister(metrics);
            }
        }
    }

    @Test
    void theFinderCountsOnlyOnTheJdkServersLogger_andMapsLevelsToSlf4j() {
        ServerLoggerFinder finder = new ServerLoggerFinder();
        System.Logger server = finder.getLogger(JdkReplies.JDK_LOGGER, Object.class.getModule());
        System.Logger other = finder.getLogger("jdk.event.security", Object.class.getModule());
        // slf4j-simple, as in the jar: INFO and up unless configured otherwise.
        assertTrue(server.isLoggable(System.Logger.Level.DEBUG), "must claim DEBUG to count");
        assertFalse(other.isLoggable(System.Logger.Level.DEBUG));
        assertTrue(other.isLoggable(System.Logger.Level.INFO));
        assertTrue(other.isLoggable(System.Logger.Level.ERROR));
        assertFalse(other.isLoggable(System.Logger.Level.OFF));
        assertEquals("jdk.event.security", other.getName());
    }

    @Test
    void statusIsReadOnlyFromAReplyLine() {
        assertEquals(501, JdkReplies.status(REPLY_501));
        assertEquals(0, JdkReplies.status("GET / HTTP/1.1 [200 OK] ()"));
        assertEquals(0, JdkReplies.status("GET / HTTP/1.1 [20x OK] (z)"));
        assertEquals(0, JdkReplies.status("GET / HTTP/1.1 [999 Odd] (z)"));
        assertEquals(0, JdkReplies.status("no request line: closing"));
        assertEquals(0, JdkReplies.status(null));
    }

    private static double count(HttpMetrics metrics, String status) {
        Counter c = metrics.registry().find("http.server.responses").tag("status", status)
                .counter();
        return c == null ? 0 : c.count();
    }
}
