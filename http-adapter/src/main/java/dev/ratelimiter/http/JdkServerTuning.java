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
 *   <li>{@code idleInterval}, {@code jdk.httpserver.maxConnections}: bounds on idle time and
 *       open connections.</li>
 *   <li>{@code maxIdleConnections} = {@code maxConnections}: the JDK keeps at most 200 idle
 *       keep-alive connections by default and closes any connection that would make 201 right
 *       after its response, without {@code Connection: close} (measured: from ~250 keep-alive
 *       clients on, requests got no response). An idle connection costs a socket and two
 *       small buffers, so the bound that matters is {@code maxConnections}.</li>
 *   <li>{@code maxReqHeaders} = {@value #JDK_MAX_HEADERS} (distinct names) and
 *       {@code maxReqHeaderSize} = {@value #JDK_MAX_HEADER_BYTES} bytes (the request line and
 *       each field count their length plus 32): the JDK's hard caps, tighter than its
 *       defaults (200 names, 380 KiB) because it parses a header block into a char array
 *       that doubles as it grows, so the cap bounds the memory a connection can make it use.
 *       Past them the JDK closes the connection without a response, so they sit above the
 *       server's own limits ({@link ExchangeGuard#MAX_HEADER_FIELDS} fields,
 *       {@link ExchangeGuard#MAX_HEADER_BYTES} bytes), which are answered 431.</li>
 * </ul>
 */
final class JdkServerTuning {

    static final int JDK_MAX_HEADERS = 2000;
    static final int JDK_MAX_HEADER_BYTES = 64 * 1024;

    private JdkServerTuning() {
    }

    /** Sets each property from the settings unless it is already set. */
    static void apply(ServerSettings s) {
        setIfAbsent("sun.net.httpserver.nodelay", "true");
        setIfAbsent("sun.net.httpserver.maxReqTime", Integer.toString(s.requestTimeoutSeconds()));
        setIfAbsent("sun.net.httpserver.maxRspTime", Integer.toString(s.responseTimeoutSeconds()));
        setIfAbsent("sun.net.httpserver.idleInterval", Integer.toString(s.idleTimeoutSeconds()));
        setIfAbsent("jdk.httpserver.maxConnections", Integer.toString(s.maxConnections()));
        setIfAbsent("sun.net.httpserver.maxIdleConnections",
                Integer.toString(s.maxConnections()));
        setIfAbsent("sun.net.httpserver.maxReqHeaders", Integer.toString(JDK_MAX_HEADERS));
        setIfAbsent("sun.net.httpserver.maxReqHeaderSize",
                Integer.toString(JDK_MAX_HEADER_BYTES));
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
