package dev.ratelimiter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code SIGHUP} to the built jar ({@code kill -HUP <pid>}), with the file watch off so
 * that only the signal can reload: the new limit applies with the tokens used kept, the process
 * keeps running (a JVM without a handler exits on {@code SIGHUP}), and a broken file is logged,
 * naming the property, while the old rules and version stay.
 */
class ConfigReloadIT {

    private static final String BASE = "ratelimiter.backend=memory\n"
            + "ratelimiter.server.host=127.0.0.1\nratelimiter.server.port=0\n"
            + "ratelimiter.server.reloadIntervalMs=0\nratelimiter.refillRate=0.001\n";

    @TempDir
    Path dir;

    @Test
    void sighupToTheJar_reloadsTheRules_andABrokenFileChangesNothing() throws Exception {
        Path file = dir.resolve("ratelimiter.properties");
        write(file, BASE + "ratelimiter.capacity=2\n");
        ServerJar jar = ServerJar.start(Map.of(), List.of("--config", file.toString()));
        try {
            assertTrue(jar.startupLine().contains(" config="), jar.startupLine());
            assertEquals(200, check(jar).statusCode());
            assertEquals(200, check(jar).statusCode());
            assertEquals(429, check(jar).statusCode());
            String first = version(jar);

            write(file, BASE + "ratelimiter.capacity=4\n");
            hangUp(jar);
            await(() -> !version(jar).equals(first), "a new version after SIGHUP", jar);
            assertTrue(jar.process().isAlive(), "SIGHUP did not end the JVM");
            assertEquals(200, check(jar).statusCode(), "4 - 2 used");
            assertEquals(200, check(jar).statusCode());
            assertEquals(429, check(jar).statusCode());
            String second = version(jar);

            write(file, BASE + "ratelimiter.capacity=-1\n");
            hangUp(jar);
            await(() -> jar.output().stream().anyMatch(l -> l.contains("reload")
                    && l.contains("ratelimiter.capacity")), "the error in the log", jar);
            assertTrue(jar.process().isAlive());
            assertEquals(second, version(jar), "unchanged version");
            assertEquals(429, check(jar).statusCode(), "the limit of 4 still enforced");
        } finally {
            jar.process().destroy();
            jar.process().waitFor(20, TimeUnit.SECONDS);
        }
    }

    private static void write(Path file, String text) throws Exception {
        Path tmp = file.resolveSibling("next.tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void hangUp(ServerJar jar) throws Exception {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(jar.process().pid()))
                .inheritIO().start();
        assertEquals(0, kill.waitFor());
    }

    private static HttpResponse<String> check(ServerJar jar) throws Exception {
        return TestHttp.CLIENT.send(HttpRequest.newBuilder(URI.create(jar.url()
                        + RateLimitServer.CHECK_PATH)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"k\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String version(ServerJar jar) {
        try {
            String body = TestHttp.CLIENT.send(HttpRequest.newBuilder(URI.create(jar.url()
                    + "/health")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            int at = body.indexOf("\"configVersion\":\"") + "\"configVersion\":\"".length();
            return body.substring(at, body.indexOf('"', at));
        } catch (Exception e) {
            return "unreachable: " + e;
        }
    }

    private static void await(BooleanSupplier condition, String what, ServerJar jar)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 20 s: " + what + "; output " + jar.output());
            }
            Thread.sleep(20); // waiting for another process, with a deadline
        }
    }
}
