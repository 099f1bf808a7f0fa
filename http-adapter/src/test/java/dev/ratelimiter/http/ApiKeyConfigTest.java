package dev.ratelimiter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.config.ConfigSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** API-key lists that cannot be right refuse to start, and no key ever leaves the server. */
class ApiKeyConfigTest {

    private static final String KEY_A = "k3y-Alpha-7f1c9e";
    private static final String KEY_B = "k3y-Bravo-22d0aa";

    private static String runWith(Path dir, String keys) throws Exception {
        Path file = dir.resolve("server.properties");
        Files.writeString(file, "ratelimiter.security.api-keys.valid-keys=" + keys + "\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"--config", file.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status, "refused to start");
        return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aBlankEntryInTheKeyListRefusesToStartWithoutPrintingAKey(@TempDir Path dir)
            throws Exception {
        for (String keys : List.of("," + KEY_A, KEY_A + ",", KEY_A + ", ," + KEY_B)) {
            String output = runWith(dir, keys);
            assertTrue(output.contains("ratelimiter.security.api-keys.valid-keys"
                    + " (RATE_LIMITER_API_KEYS): API key list has a blank entry"), output);
            assertFalse(output.contains(KEY_A) || output.contains(KEY_B), output);
        }
    }

    @Test
    void aDuplicateEntryInTheKeyListRefusesToStartWithoutPrintingAKey(@TempDir Path dir)
            throws Exception {
        String output = runWith(dir, KEY_A + "," + KEY_B + ", " + KEY_A);
        assertTrue(output.contains("API key list has a duplicate entry (entries 1 and 3 of 3"
                + " are the same)"), output);
        assertFalse(output.contains(KEY_A) || output.contains(KEY_B), output);
    }

    @Test
    void messagesForEnvironmentSettingsNameTheVariable() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerSettings.from(ConfigSource.of(new Properties(),
                        Map.of("RATE_LIMITER_API_KEYS", "a,a"))));
        assertTrue(e.getMessage().contains("RATE_LIMITER_API_KEYS"), e.getMessage());
        IllegalArgumentException t = assertThrows(IllegalArgumentException.class,
                () -> ServerSettings.from(ConfigSource.of(new Properties(),
                        Map.of("RATE_LIMITER_MAX_THREADS", "0"))));
        assertEquals("ratelimiter.server.maxThreads (RATE_LIMITER_MAX_THREADS): maxThreads must"
                + " be from 1 to 10000, was 0", t.getMessage());
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
                () -> ServerSettings.from(ConfigSource.of(new Properties(),
                        Map.of("RATE_LIMITER_EXECUTOR", "green"))));
        assertEquals("ratelimiter.server.executor (RATE_LIMITER_EXECUTOR) must be auto, virtual"
                + " or platform, was 'green'", x.getMessage());
    }

    @Test
    void noConfiguredKeyAppearsInOutputMetricsOrErrorBodies() throws Exception {
        PrintStream realErr = System.err;
        PrintStream realOut = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
        StringBuilder seen = new StringBuilder();
        System.setErr(capture);
        System.setOut(capture);
        try (RateLimiter limiter = RateLimiter.builder().build()) {
            ServerSettings settings = ServerSettings.from(ConfigSource.of(new Properties(),
                    Map.of("RATE_LIMITER_API_KEYS", KEY_A + "," + KEY_B,
                            "RATE_LIMITER_HOST", "127.0.0.1", "RATE_LIMITER_PORT", "0")));
            seen.append(settings);
            try (RateLimitServer server = RateLimitServer.builder(limiter).settings(settings)
                    .start()) {
                TestHttp http = new TestHttp(server);
                List<HttpResponse<String>> responses = List.of(
                        http.check("{\"key\":\"k\"}"),
                        http.check("{\"key\":\"k\",\"apiKey\":\"" + KEY_A + "x\"}"),
                        http.check("{\"key\":\"k\",\"apiKey\":\"" + KEY_A + "\"}"),
                        http.check("{\"key\":\"k\"}", "X-API-Key", KEY_B),
                        http.check("{\"key\":\"k\"}", "Authorization", "Bearer " + KEY_B + "0"),
                        http.check("{\"key\":\"k\",\"apiKey\":\"" + KEY_A + "\",\"x\":1}"),
                        http.check("{\"key\":\"k\",\"apiKey\":\"" + KEY_A + "\""),
                        http.check("{\"key\":\"\",\"apiKey\":\"" + KEY_A + "\"}"),
                        http.send("GET", "/metrics"),
                        http.send("GET", "/health"));
                assertEquals(401, responses.get(0).statusCode());
                assertEquals(401, responses.get(1).statusCode());
                assertEquals(200, responses.get(2).statusCode());
                assertEquals(200, responses.get(3).statusCode());
                for (HttpResponse<String> r : responses) {
                    seen.append(r.headers().map()).append(r.body());
                }
            }
        } finally {
            System.setErr(realErr);
            System.setOut(realOut);
        }
        seen.append(captured.toString(StandardCharsets.UTF_8));
        String all = seen.toString();
        assertFalse(all.contains(KEY_A), "key A leaked: " + all);
        assertFalse(all.contains(KEY_B), "key B leaked: " + all);
    }
}
