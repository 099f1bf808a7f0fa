package dev.ratelimiter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.config.ConfigSource;
import dev.ratelimiter.config.RateLimiterConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's configuration reload over a real socket, assembled as {@link Main} assembles it
 * (file, limiter, {@link ConfigReloader}, server on port 0). Refill is one token per 1,000 s, so
 * the wall clock the server reads changes nothing within a test. The file-watch case polls
 * {@code /health} with a deadline; every other case drives the reloader directly.
 */
class ConfigReloadTest {

    private static final String BASE = "ratelimiter.backend=memory\n"
            + "ratelimiter.server.host=127.0.0.1\n"
            + "ratelimiter.server.port=0\n"
            + "ratelimiter.refillRate=0.001\n";

    @TempDir
    Path dir;

    private RateLimiter limiter;
    private RateLimitServer server;
    private ConfigReloader reloader;
    private TestHttp http;

    @AfterEach
    void stop() {
        if (reloader != null) {
            reloader.close();
        }
        if (server != null) {
            server.stop();
        }
        if (limiter != null) {
            limiter.close();
        }
    }

    private Path write(String text) throws IOException {
        Path file = dir.resolve("ratelimiter.properties");
        Path tmp = dir.resolve("next.tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    /** What {@link Main#run} does with a config file, keeping the handles. */
    private void start(String text) throws IOException {
        Path file = write(text);
        ConfigSource source = ConfigSource.load(file);
        source.requireKnown("ratelimiter.", Backends.KNOWN_NAMES);
        RateLimiterConfig core = RateLimiterConfig.from(source);
        ServerSettings settings = ServerSettings.from(source);
        limiter = Backends.open(settings, core, source).limiter();
        reloader = new ConfigReloader(file, source, limiter);
        server = RateLimitServer.builder(limiter).settings(settings).backendName("memory")
                .reloader(reloader).start();
        reloader.start();
        http = new TestHttp(server);
    }

    private HttpResponse<String> check(String key) throws Exception {
        return http.check("{\"key\":\"" + key + "\"}");
    }

    private String health() throws Exception {
        return http.send("GET", "/health").body();
    }

    private String version() throws Exception {
        String body = health();
        int at = body.indexOf("\"configVersion\":\"") + "\"configVersion\":\"".length();
        return body.substring(at, body.indexOf('"', at));
    }

    private String metrics() throws Exception {
        return http.send("GET", "/metrics").body();
    }

    private static void await(BooleanSupplier condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(20); // polling a file watch with a deadline, not synchronising
        }
    }

    @Test
    void aChangedFile_appliesWithinThePollInterval_keepingTheTokensUsed() throws Exception {
        start(BASE + "ratelimiter.capacity=5\nratelimiter.server.reloadIntervalMs=50\n");
        for (int i = 0; i < 3; i++) {
            assertEquals(200, check("user:1").statusCode());
        }
        String before = version();
        assertTrue(health().contains("\"configLoadedAt\":\""), health());
        write(BASE + "ratelimiter.capacity=8\nratelimiter.server.reloadIntervalMs=50\n");
        await(() -> {
            try {
                return !version().equals(before);
            } catch (Exception e) {
                return false;
            }
        }, "the new version on /health");
        HttpResponse<String> r = check("user:1");
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("\"remainingTokens\":4"), "8 - 3 used - this one: "
                + r.body());
        assertEquals("8", r.headers().firstValue("X-RateLimit-Limit").orElseThrow());
        assertTrue(metrics().contains("ratelimiter_config_reloads_total{result=\"applied\"} 1.0"),
                metrics());
    }

    @Test
    void sighup_reloadsAtOnce_evenWithTheWatchOff() throws Exception {
        start(BASE + "ratelimiter.capacity=2\nratelimiter.server.reloadIntervalMs=0\n");
        assertEquals(200, check("k").statusCode());
        assertEquals(200, check("k").statusCode());
        assertEquals(429, check("k").statusCode());
        write(BASE + "ratelimiter.capacity=3\nratelimiter.server.reloadIntervalMs=0\n");
        // The handler's own path: what sun.misc.Signal calls on SIGHUP (a real signal to the
        // built jar is ConfigReloadIT's).
        ConfigReloader.Result result = reloader.onSignal().get(10, TimeUnit.SECONDS);
        assertEquals("applied", result.outcome());
        assertEquals(List.of(), result.needsRestart());
        assertEquals(result.version(), version());
        HttpResponse<String> r = check("k");
        assertEquals(200, r.statusCode(), "3 - 2 used: one left");
        assertEquals(429, check("k").statusCode());
    }

    @Test
    void aBrokenFile_changesNothing_isLoggedOnceNamingTheProperty() throws Exception {
        start(BASE + "ratelimiter.capacity=2\nratelimiter.server.reloadIntervalMs=0\n");
        String before = version();
        assertEquals(200, check("k").statusCode());
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            write(BASE + "ratelimiter.capacity=lots\nratelimiter.server.reloadIntervalMs=0\n");
            for (int i = 0; i < 3; i++) {
                reloader.watchOnce(); // three looks at the same broken content
            }
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertEquals(1, log.split("configuration reload", -1).length - 1, log);
        assertTrue(log.contains("ratelimiter.capacity"), log);
        assertTrue(log.contains("still serving version " + before), log);
        assertEquals(before, version(), "/health keeps the old version");
        assertEquals(200, check("k").statusCode());
        assertEquals(429, check("k").statusCode(), "the old limit, 2, still enforced");
        assertTrue(metrics().contains("ratelimiter_config_reloads_total{result=\"failed\"} 1.0"),
                metrics());
    }

    @Test
    void settingsThatNeedARestart_areReported_andNotApplied() throws Exception {
        start(BASE + "ratelimiter.capacity=2\nratelimiter.server.reloadIntervalMs=0\n");
        int port = server.address().getPort();
        String before = version();
        write(BASE.replace("backend=memory", "backend=caffeine")
                + "ratelimiter.capacity=2\nratelimiter.server.reloadIntervalMs=0\n"
                + "ratelimiter.server.threads=3\n");
        ConfigReloader.Result result = reloader.reload("test");
        assertEquals("unchanged", result.outcome());
        assertEquals(List.of("ratelimiter.backend", "ratelimiter.server.threads"),
                result.needsRestart());
        assertEquals(before, version());
        assertEquals(port, server.address().getPort());
    }

    @Test
    void aShadowPolicy_answers200WithTheHeaderAndCountsIt_thenEnforcesOnceTurnedOff()
            throws Exception {
        String rules = BASE + "ratelimiter.capacity=100\nratelimiter.server.reloadIntervalMs=0\n"
                + "ratelimiter.patterns.trial\\:*.capacity=2\n";
        start(rules + "ratelimiter.patterns.trial\\:*.shadow=true\n");
        assertEquals(200, check("trial:1").statusCode());
        assertEquals(200, check("trial:1").statusCode());
        HttpResponse<String> shadowed = check("trial:1");
        assertEquals(200, shadowed.statusCode());
        assertTrue(shadowed.body().contains("\"allowed\":true"), shadowed.body());
        assertEquals("\"trial:*\"",
                shadowed.headers().firstValue("RateLimit-Shadow-Denied").orElseThrow());
        assertTrue(shadowed.headers().firstValue("Retry-After").isEmpty());
        assertTrue(check("trial:2").headers().firstValue("RateLimit-Shadow-Denied").isEmpty(),
                "a request the policy allows carries no shadow header");
        assertTrue(metrics().contains(
                "ratelimiter_checks_total{outcome=\"shadow_denied\",policy=\"trial:*\"} 1.0"),
                metrics());

        write(rules + "ratelimiter.patterns.trial\\:*.shadow=false\n");
        ConfigReloader.Result result = reloader.onSignal().get(10, TimeUnit.SECONDS);
        assertEquals("applied", result.outcome());
        HttpResponse<String> enforced = check("trial:1");
        assertEquals(429, enforced.statusCode(), "enforced with the state built up in shadow");
        assertTrue(enforced.headers().firstValue("RateLimit-Shadow-Denied").isEmpty());
        assertNotEquals("", version());
    }
}
