package dev.ratelimiter.benchmarks.jmh;

import dev.ratelimiter.http.ServerLoggerFinder;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What reading the JDK server's log for its own replies costs per request, by route: the JDK's
 * two DEBUG calls for one ordinary request ({@code "Exchange request line: {0}"}, then the
 * reply line it builds once DEBUG is loggable), made on
 * <ul>
 *   <li>{@code julRoute} (the baseline): the JDK's default {@code System.Logger}, backed by
 *       {@code java.util.logging} at FINE with one handler that reads each record's message, as
 *       the server counts when embedded;</li>
 *   <li>{@code finderRoute}: the logger the standalone jar's {@link ServerLoggerFinder} gives the
 *       JDK server.</li>
 * </ul>
 * Two threads by default, as the server's two carriers on two cores: {@code java.util.logging}
 * gives every record a global sequence number and passes it to the root handler under a lock.
 *
 * <p>Run (after {@code mvn -pl benchmarks -am package -DskipTests}):
 * <pre>{@code
 * java -jar benchmarks/target/benchmarks.jar JdkReplyLogBenchmark -f 2 -wi 3 -w 1s -i 5 -r 1s
 * }</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
@Threads(2)
public class JdkReplyLogBenchmark {

    private static final String NAME = "com.sun.net.httpserver";
    /** Held strongly: {@code java.util.logging} forgets the level of an unreferenced logger. */
    private static final Logger JUL = Logger.getLogger(NAME);

    private String requestLine;
    private int status;
    private System.Logger jul;
    private System.Logger finder;

    @Setup(Level.Trial)
    public void setUp() {
        // Not constants: the JDK builds each line from what it read.
        requestLine = new StringBuilder("POST /api/ratelimit/check HTTP/1.1").toString();
        status = Integer.parseInt("200");
        JUL.setLevel(java.util.logging.Level.FINE);
        JUL.addHandler(new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getMessage().endsWith("()")) {
                    Thread.onSpinWait(); // our own reply: not counted
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
        jul = System.getLogger(NAME);
        finder = new ServerLoggerFinder().getLogger(NAME, Object.class.getModule());
    }

    @Benchmark
    public void julRoute(Blackhole bh) {
        request(jul, bh);
    }

    @Benchmark
    public void finderRoute(Blackhole bh) {
        request(finder, bh);
    }

    /** What {@code sun.net.httpserver.ServerImpl} logs for one request answered 200. */
    private void request(System.Logger log, Blackhole bh) {
        log.log(System.Logger.Level.DEBUG, "Exchange request line: {0}", requestLine);
        if (log.isLoggable(System.Logger.Level.DEBUG)) {
            String message = requestLine + " [" + status + " OK] (" + "" + ")";
            log.log(System.Logger.Level.DEBUG, message);
            bh.consume(message);
        }
    }
}
