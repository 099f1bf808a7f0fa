package dev.ratelimiter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the built jar as a separate process and the contract's Python clients, as written,
 * against it with Debian's {@code /usr/bin/python3} ({@code examples/python/e2e_check.py}):
 * sync client, async client (aiohttp) and the Flask integration, each allowed then limited.
 * Then SIGTERM must stop the server promptly. Runs in {@code mvn verify} (failsafe).
 */
class PythonClientsIT {

    private static final Path EXAMPLES = Path.of(System.getProperty("ratelimiter.examples.python",
            "../examples/python"));
    private static final String PYTHON = "/usr/bin/python3";

    private static void stopWithSigterm(Process p) throws Exception {
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "server stops on SIGTERM");
        assertEquals(143, p.exitValue(), "exit status of a JVM ended by SIGTERM");
    }

    @Test
    void contractClientsAsWrittenAreAllowedThenLimited() throws Exception {
        assertTrue(Files.isExecutable(Path.of(PYTHON)), PYTHON + " is required; on Debian:"
                + " apt-get install -y python3-requests python3-aiohttp python3-flask");
        // Refill 1 token per 1000 s: on a loaded machine the default 2/s could refill a token
        // between a client's first and eleventh request and let the eleventh through.
        ServerJar server = ServerJar.start(Map.of("RATE_LIMITER_PORT", "0",
                "RATE_LIMITER_HOST", "127.0.0.1", "RATE_LIMITER_API_KEYS", "e2e-key",
                "RATE_LIMITER_REFILL_RATE", "0.001"));
        try {
            assertTrue(server.startupLine().endsWith("policies=1 auth=on"),
                    server.startupLine());
            ProcessBuilder pb = new ProcessBuilder(PYTHON, "e2e_check.py")
                    .directory(EXAMPLES.toFile()).redirectErrorStream(true);
            pb.environment().put("RATE_LIMITER_URL", server.url());
            pb.environment().put("RATE_LIMITER_API_KEY", "e2e-key");
            pb.environment().put("CAPACITY", "10");
            pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
            Process python = pb.start();
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(python.getInputStream().readAllBytes(),
                            StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return e.toString();
                }
            });
            assertTrue(python.waitFor(120, TimeUnit.SECONDS), "python finished");
            String text = output.get(10, TimeUnit.SECONDS);
            assertEquals(0, python.exitValue(), text);
            assertTrue(text.contains("e2e ok"), text);
            for (String label : List.of("sync: allowed then limited",
                    "async: allowed then limited", "flask: /api/users allowed then 429")) {
                assertTrue(text.contains("ok   " + label), text);
            }
        } finally {
            if (server.process().isAlive()) {
                stopWithSigterm(server.process());
            }
        }
    }

    @Test
    void withNoConfigurationTheJarServesLoopbackWithoutAuth() throws Exception {
        ServerJar server = ServerJar.start(Map.of("RATE_LIMITER_PORT", "0"));
        try {
            assertTrue(server.url().startsWith("http://127.0.0.1:"), server.url());
            assertTrue(server.startupLine().endsWith("backend=caffeine policies=1 auth=off"),
                    server.startupLine());
        } finally {
            stopWithSigterm(server.process());
        }
    }
}
