package dev.ratelimiter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.Ticker;
import dev.ratelimiter.testing.FakeStore;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Shedding and graceful stop, synchronised on a latch-controlled store: no sleeps. */
class LoadSheddingTest {

    private static CompletableFuture<HttpResponse<String>> checkAsync(RateLimitServer server) {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://" + server.hostAndPort() + RateLimitServer.CHECK_PATH))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"slow\"}")).build();
        return TestHttp.CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void checksBeyondMaxInFlightAreShedWith503AndRetryAfter() throws Exception {
        FakeStore store = FakeStore.local(Ticker.system());
        store.latch();
        try (RateLimiter limiter = RateLimiter.builder().store(store).build();
             RateLimitServer server = RateLimitServer.builder(limiter)
                     .settings(ServerSettings.builder().host("127.0.0.1").port(0).threads(8)
                             .maxInFlight(2).build())
                     .start()) {
            CompletableFuture<HttpResponse<String>> first = checkAsync(server);
            CompletableFuture<HttpResponse<String>> second = checkAsync(server);
            store.awaitEntered(2);

            HttpResponse<String> shed = new TestHttp(server).check("{\"key\":\"slow\"}");
            assertEquals(503, shed.statusCode());
            assertEquals("1", shed.headers().firstValue("Retry-After").orElseThrow());
            assertTrue(shed.body().contains("overloaded"), shed.body());
            assertEquals(200, new TestHttp(server).send("GET", "/health").statusCode(),
                    "health answers while checks are shed");

            store.release();
            assertEquals(200, first.get(30, TimeUnit.SECONDS).statusCode());
            assertEquals(200, second.get(30, TimeUnit.SECONDS).statusCode());
            assertEquals(200, new TestHttp(server).check("{\"key\":\"slow\"}").statusCode(),
                    "capacity comes back when the work is done");
        }
    }

    @Test
    void slowClientsSendingHeadersDoNotStarveOtherRequests() throws Exception {
        try (RateLimiter limiter = RateLimiter.builder().build();
             RateLimitServer server = RateLimitServer.builder(limiter)
                     .settings(ServerSettings.builder().host("127.0.0.1").port(0).build())
                     .start()) {
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 50; i++) {
                    Socket s = new Socket(server.address().getAddress(),
                            server.address().getPort());
                    s.getOutputStream().write("POST /api/ratelimit/check HTTP/1.1\r\nHost: x\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    slow.add(s);
                }
                long start = System.nanoTime();
                HttpResponse<String> r = new TestHttp(server).check("{\"key\":\"fast\"}");
                assertEquals(200, r.statusCode());
                assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5),
                        "answered while 50 clients hold half-sent requests");
            } finally {
                for (Socket s : slow) {
                    s.close();
                }
            }
        }
    }

    @Test
    void tooManyRequestHeadersAreRefusedWithoutA5xx() throws Exception {
        try (RateLimiter limiter = RateLimiter.builder().build();
             RateLimitServer server = RateLimitServer.builder(limiter)
                     .settings(ServerSettings.builder().host("127.0.0.1").port(0).build())
                     .start()) {
            StringBuilder request = new StringBuilder("POST /api/ratelimit/check HTTP/1.1\r\n"
                    + "Host: x\r\nContent-Type: application/json\r\nContent-Length: 11\r\n");
            for (int i = 0; i < 150; i++) {
                request.append("X-Filler-").append(i).append(": y\r\n");
            }
            request.append("Connection: close\r\n\r\n{\"key\":\"k\"}");
            String response = TestHttp.raw(server, request.toString());
            assertTrue(response.startsWith("HTTP/1.1 431"), response);
            assertEquals(200, new TestHttp(server).check("{\"key\":\"k\"}").statusCode());
        }
    }

    @Test
    void stopFinishesTheRequestInProgress() throws Exception {
        FakeStore store = FakeStore.local(Ticker.system());
        store.latch();
        try (RateLimiter limiter = RateLimiter.builder().store(store).build()) {
            RateLimitServer server = RateLimitServer.builder(limiter)
                    .settings(ServerSettings.builder().host("127.0.0.1").port(0).threads(4)
                            .shutdownGrace(Duration.ofSeconds(20)).build())
                    .start();
            CompletableFuture<HttpResponse<String>> inFlight = checkAsync(server);
            store.awaitEntered(1);
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(server::stop);
            store.release();
            HttpResponse<String> r = inFlight.get(30, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), r.body());
            stopped.get(30, TimeUnit.SECONDS);
        }
    }
}
