package dev.ratelimiter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import dev.ratelimiter.redis.testing.RedisProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two server processes (the built jar) share one Redis: concurrent clients spread across both
 * must be admitted exactly the capacity, no more. Redis is {@code REDIS_URL} when set, else the
 * {@code redis-server} binary carried by the embedded-redis jar, on a free loopback port.
 */
class RedisTwoServersIT {

    private static final int CAPACITY = 40;

    private static RedisProcess redis;
    private static String redisUrl;
    private static final List<Process> servers = new ArrayList<>();

    @BeforeAll
    static void startRedis() {
        String fromEnv = System.getenv("REDIS_URL");
        if (fromEnv != null && !fromEnv.isBlank()) {
            redisUrl = fromEnv;
            return;
        }
        redis = RedisProcess.start();
        redisUrl = redis.url();
    }

    @AfterAll
    static void stopEverything() throws InterruptedException {
        for (Process p : servers) {
            p.destroy();
            p.waitFor(20, TimeUnit.SECONDS);
        }
        if (redis != null) {
            redis.close();
        }
    }

    private static String startServer(String prefix) throws Exception {
        Map<String, String> env = new java.util.HashMap<>();
        // Timeouts generous enough that a CPU-starved 2-core CI machine does not turn a slow
        // compare-and-swap into a store failure: this test is about exactness, not latency.
        env.putAll(Map.of("RATE_LIMITER_REDIS_REQUEST_TIMEOUT_MS", "5000",
                "RATE_LIMITER_REDIS_READ_TIMEOUT_MS", "2000",
                "RATE_LIMITER_REDIS_POOL_MAX_WAIT_MS", "2000"));
        env.putAll(Map.of("RATE_LIMITER_PORT", "0",
                "RATE_LIMITER_REDIS_URL", redisUrl,
                "RATE_LIMITER_REDIS_KEY_PREFIX", prefix,
                "RATE_LIMITER_CAPACITY", Integer.toString(CAPACITY),
                // one token per 1,000 s: nothing refills while the test runs
                "RATE_LIMITER_REFILL_RATE", "0.001",
                "RATE_LIMITER_FAILURE_POLICY", "fail-closed"));
        ServerJar server = ServerJar.start(env);
        servers.add(server.process());
        assertTrue(server.startupLine().contains("backend=redis"),
                "startup line: " + server.startupLine());
        if (server.startupLine().contains("executor=platform")) {
            // Java 17: Redis checks park on round trips, so the jar keeps more threads.
            assertTrue(server.startupLine().contains(
                    " threads=" + ServerSettings.remoteStoreThreads() + "-"),
                    "startup line: " + server.startupLine());
        }
        return server.url();
    }

    @Test
    void twoServersOnOneRedisAdmitExactlyTheCapacity() throws Exception {
        String prefix = "http-it:" + UUID.randomUUID().toString().substring(0, 8) + ":";
        List<String> urls = List.of(startServer(prefix), startServer(prefix));
        for (String url : urls) {
            HttpResponse<String> health = TestHttp.CLIENT.send(HttpRequest.newBuilder(
                    URI.create(url + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("{\"status\":\"UP\",\"backend\":\"redis\"}", health.body());
        }

        int clients = 8;
        int perClient = 15; // 120 requests for a capacity of 40
        AtomicInteger allowed = new AtomicInteger();
        AtomicInteger denied = new AtomicInteger();
        List<String> other = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            String url = urls.get(c % 2);
            done.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < perClient; i++) {
                    HttpResponse<String> r = TestHttp.CLIENT.send(HttpRequest.newBuilder(
                                    URI.create(url + RateLimitServer.CHECK_PATH))
                            .timeout(Duration.ofSeconds(10))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"shared\"}"))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        allowed.incrementAndGet();
                    } else if (r.statusCode() == 429) {
                        denied.incrementAndGet();
                    } else {
                        synchronized (other) {
                            other.add(r.statusCode() + " " + r.body());
                        }
                    }
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : done) {
            f.get(120, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertTrue(other.isEmpty(), () -> "unexpected answers: " + other);
        assertEquals(CAPACITY, allowed.get(), "admitted across both servers");
        assertEquals(clients * perClient - CAPACITY, denied.get());
    }
}
