package dev.ratelimiter.http;

/**
 * Sets the JDK {@code HttpServer}'s system properties. They are read once, when the JDK's
 * {@code sun.net.httpserver.ServerConfig} class loads (at the first {@code HttpServer.create}
 * in the JVM), so they must be set before that. A property already set (say with {@code -D})
 * is never changed.
 *
 * <ul>
 *   <li>{@code sun.net.httpserver.nodelay=true}: without TCP_NODELAY the JDK server's separate
 *       header and body writes meet Nagle's algorithm and a keep-alive client waits ~40 ms for
 *       every response (measured: 1.3k req/s against 31k req/s).</li>
 *   <li>{@code maxReqTime}/{@code maxRspTime}: the server reads request headers on a worker
 *       thread, so without a deadline a client sending slowly holds a thread for ever.</li>
 *   <li>{@code idleInterval}, {@code jdk.httpserver.maxConnections}, {@code maxReqHeaders},
 *       {@code maxReqHeaderSize}: bounds on idle keep-alives, connections and header size.</li>
 * </ul>
 */
final class JdkServerTuning {

    private JdkServerTuning() {
    }

    /** Sets each property from the settings unless it is already set. */
    static void apply(ServerSettings s) {
        setIfAbsent("sun.net.httpserver.nodelay", "true");
        setIfAbsent("sun.net.httpserver.maxReqTime", Integer.toString(s.requestTimeoutSeconds()));
        setIfAbsent("sun.net.httpserver.maxRspTime", Integer.toString(s.responseTimeoutSeconds()));
        setIfAbsent("sun.net.httpserver.idleInterval", Integer.toString(s.idleTimeoutSeconds()));
        setIfAbsent("jdk.httpserver.maxConnections", Integer.toString(s.maxConnections()));
        setIfAbsent("sun.net.httpserver.maxReqHeaders", "100");
        setIfAbsent("sun.net.httpserver.maxReqHeaderSize", Integer.toString(64 * 1024));
    }

    /** {@link #apply} with the default settings. */
    static void applyDefaults() {
        apply(ServerSettings.defaults());
    }

    private static void setIfAbsent(String name, String value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }
}
