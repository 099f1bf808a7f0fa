package dev.ratelimiter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The standalone jar counts the replies the JDK server sends itself through its own
 * {@link ServerLoggerFinder} (registered in that jar only), and the JDK's DEBUG lines it reads
 * for that are not printed.
 */
class JdkRepliesIT {

    @Test
    void theJarCountsTheJdksOwnReplies_throughItsLoggerFinder() throws Exception {
        try (JarFile jar = new JarFile(ServerJar.JAR.toFile());
             InputStream in = jar.getInputStream(
                     jar.getEntry("META-INF/services/java.lang.System$LoggerFinder"))) {
            assertEquals(ServerLoggerFinder.class.getName(),
                    new String(in.readAllBytes(), StandardCharsets.UTF_8).trim());
        }
        ServerJar server = ServerJar.start(Map.of("RATE_LIMITER_PORT", "0"));
        try {
            URI base = URI.create(server.url());
            InetSocketAddress address = new InetSocketAddress(base.getHost(), base.getPort());
            try (RawConnection c = new RawConnection(address)) {
                c.send("POST /api/ratelimit/check HTTP/1.1\r\nHost: x\r\n"
                        + "Transfer-Encoding: gzip, chunked\r\n\r\n");
                assertEquals(501, c.read().status());
            }
            try (RawConnection c = new RawConnection(address)) {
                c.send("POST /api/ratelimit/check HTTP/1.1\r\nHost: x\r\nContent-Length: x1"
                        + "\r\n\r\n");
                assertEquals(400, c.read().status());
            }
            try (RawConnection c = new RawConnection(address)) {
                c.send(RawConnection.check("counted-by-us"));
                assertEquals(200, c.read().status());
            }
            String metrics = TestHttp.CLIENT.send(HttpRequest.newBuilder(base.resolve("/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("http_server_responses_total{status=\"501\"} 1.0"),
                    metrics);
            assertTrue(metrics.contains("http_server_responses_total{status=\"400\"} 1.0"),
                    metrics);
            assertTrue(metrics.contains("http_server_responses_total{status=\"200\"} 1.0"),
                    metrics);
            assertFalse(server.output().stream().anyMatch(l -> l.contains("DEBUG")),
                    () -> "DEBUG lines printed: " + server.output());
        } finally {
            server.process().destroy();
            server.process().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
