package dev.ratelimiter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.RateLimiter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * 1,000 malformed bodies from a seeded generator: none may get a 5xx, and the server must be
 * healthy afterwards. The seed is fixed so a failure reproduces; the failing body is printed.
 */
class FuzzTest {

    private static final long SEED = 20261128L;
    private static final String[] VALID = {
        "{\"key\":\"user:1\",\"tokens\":1}",
        "{\"key\":\"user:2\",\"tokens\":3,\"apiKey\":\"x\"}",
        "{\"key\":\"k\"}",
    };
    private static final String[] FRAGMENTS = {
        "{", "}", "[", "]", ":", ",", "\"", "\\", "\\u", "\\ud800", "null", "true", "false",
        "1e309", "-0", "1.5", "99999999999999999999999", "\"key\"", "\"tokens\"", "\"apiKey\"",
        "\u0000", "\u00ff", "\ud83d\ude00", " ", "\n", "/*", "NaN", "Infinity", "'", "0x10",
    };

    static byte[] malformed(Random random) {
        String base = VALID[random.nextInt(VALID.length)];
        switch (random.nextInt(6)) {
            case 0: { // truncate
                return base.substring(0, random.nextInt(base.length())).getBytes(
                        StandardCharsets.UTF_8);
            }
            case 1: { // flip bytes
                byte[] b = base.getBytes(StandardCharsets.UTF_8);
                for (int i = 0, n = 1 + random.nextInt(4); i < n; i++) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
                return b;
            }
            case 2: { // insert fragments
                StringBuilder s = new StringBuilder(base);
                for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
                    s.insert(random.nextInt(s.length() + 1),
                            FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
                }
                return s.toString().getBytes(StandardCharsets.UTF_8);
            }
            case 3: { // random bytes
                byte[] b = new byte[random.nextInt(64)];
                random.nextBytes(b);
                return b;
            }
            case 4: { // wrong value types
                String[] values = {"1.5", "\"1\"", "1e3", "[]", "{}", "null", "-1", "0",
                        "true", "99999999999999999999", "\"\"", "\"   \""};
                String v = values[random.nextInt(values.length)];
                return (random.nextBoolean() ? "{\"key\":" + v + "}"
                        : "{\"key\":\"k\",\"tokens\":" + v + "}").getBytes(StandardCharsets.UTF_8);
            }
            default: { // deep nesting and duplicates
                int depth = random.nextInt(2000);
                return ("{\"key\":" + "[".repeat(depth) + "]".repeat(depth) + ",\"key\":\"k\"}")
                        .getBytes(StandardCharsets.UTF_8);
            }
        }
    }

    @Test
    void thousandMalformedBodiesProduceNo5xxAndLeaveTheServerHealthy() throws Exception {
        try (RateLimiter limiter = RateLimiter.builder().build();
             RateLimitServer server = RateLimitServer.builder(limiter)
                     .settings(ServerSettings.builder().host("127.0.0.1").port(0).threads(8)
                             .build())
                     .start()) {
            TestHttp http = new TestHttp(server);
            Random random = new Random(SEED);
            Map<Integer, Integer> statuses = new TreeMap<>();
            List<String> failures = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                byte[] body = malformed(random);
                HttpResponse<String> r = http.bytes(RateLimitServer.CHECK_PATH, body);
                statuses.merge(r.statusCode(), 1, Integer::sum);
                if (r.statusCode() >= 500 || !r.body().startsWith("{")) {
                    failures.add(r.statusCode() + " for " + new String(body,
                            StandardCharsets.ISO_8859_1) + " -> " + r.body());
                }
            }
            assertTrue(failures.isEmpty(), () -> failures.size() + " bad answers, first: "
                    + failures.get(0));
            assertTrue(statuses.getOrDefault(400, 0) > 800, () -> "mostly 400s: " + statuses);
            assertEquals(200, http.send("GET", "/health").statusCode());
            assertEquals(200, http.check("{\"key\":\"after-fuzz\"}").statusCode());
        }
    }
}
