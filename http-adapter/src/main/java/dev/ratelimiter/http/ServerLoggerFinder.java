package dev.ratelimiter.http;

import org.slf4j.LoggerFactory;

/**
 * The standalone server's {@link System.LoggerFinder}, registered in the runnable
 * ({@code -all}) jar only, so that an application embedding this module keeps its own. It does
 * two things:
 * <ul>
 *   <li>the JDK's platform logging (the HTTP server's, the JDK's other modules') goes to SLF4J,
 *       like the server's own, at the levels SLF4J has enabled (slf4j-simple: INFO unless
 *       {@code -Dorg.slf4j.simpleLogger.log.<name>=debug});</li>
 *   <li>the JDK HTTP server's logger ({@value JdkReplies#JDK_LOGGER}) also counts the replies
 *       the JDK sends itself, from the one DEBUG line it writes per reply
 *       ({@link JdkReplies#countingLogger}). This costs a string per response instead of the
 *       two log records per request that the {@code java.util.logging} route costs (20 ns
 *       against 1.8 µs per request with two threads, {@code JdkReplyLogBenchmark}).</li>
 * </ul>
 * Loaded by the JDK through {@link java.util.ServiceLoader}, hence public; not for direct use.
 * Thread-safe; the loggers it returns are too.
 */
public final class ServerLoggerFinder extends System.LoggerFinder {

    /** Called by {@link java.util.ServiceLoader}. */
    public ServerLoggerFinder() {
    }

    @Override
    public System.Logger getLogger(String name, Module module) {
        System.Logger target = new Slf4jSystemLogger(LoggerFactory.getLogger(name));
        return JdkReplies.JDK_LOGGER.equals(name) ? JdkReplies.countingLogger(target) : target;
    }
}
