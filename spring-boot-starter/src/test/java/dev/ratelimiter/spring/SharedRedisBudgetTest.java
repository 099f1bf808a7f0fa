package dev.ratelimiter.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ratelimiter.redis.testing.TestRedis;
import dev.ratelimiter.spring.app.TestApp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two application contexts (two web servers) on one real Redis, hit by concurrent clients on the
 * same key: together they admit exactly the capacity, not twice it.
 */
class SharedRedisBudgetTest {

    private static final int CAPACITY = 40;
    private static final int REQUESTS = 120;
    private static final int CLIENTS = 8;

    private static ConfigurableApplicationContext start(String prefix) {
        return new SpringApplicationBuilder(TestApp.class).properties(
                "server.port=0",
                "ratelimiter.redis.url=" + TestRedis.url(),
                "ratelimiter.redis.key-prefix=" + prefix,
                // Patient timeouts for a loaded 2-core box (see TestRedis.patientStore).
                "ratelimiter.redis.connect-timeout-ms=2000",
                "ratelimiter.redis.read-timeout-ms=2000",
                "ratelimiter.redis.request-timeout-ms=5000",
                "ratelimiter.redis.pool-max-wait-ms=2000",
                // A budget that does not refill during the test: 1 token per 1000 s.
                "ratelimiter.capacity=" + CAPACITY, "ratelimiter.refill-rate=0.001",
                "ratelimiter.store.failure-policy=fail-closed",
                "ratelimiter.web.enabled=true", "ratelimiter.web.paths=/api/**",
                "ratelimiter.web.key=header:X-Tenant").run();
    }

    private static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    @Test
    void twoAppsOnOneRedisShareOneBudgetExactlyUnderConcurrentClients() throws Exception {
        String prefix = TestRedis.uniquePrefix();
        try (ConfigurableApplicationContext a = start(prefix);
             ConfigurableApplicationContext b = start(prefix)) {
            int[] ports = {port(a), port(b)};
            AtomicInteger next = new AtomicInteger();
            AtomicInteger allowed = new AtomicInteger();
            AtomicInteger denied = new AtomicInteger();
            List<Integer> other = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            try {
                List<Future<?>> clients = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    clients.add(pool.submit((Callable<Void>) () -> {
                        int i;
                        while ((i = next.getAndIncrement()) < REQUESTS) {
                            int status = Http.get(ports[i % 2], "/api/hello",
                                    "X-Tenant", "acme").statusCode();
                            if (status == 200) {
                                allowed.incrementAndGet();
                            } else if (status == 429) {
                                denied.incrementAndGet();
                            } else {
                                synchronized (other) {
                                    other.add(status);
                                }
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : clients) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(List.of(), other, "statuses other than 200 and 429");
            assertEquals(CAPACITY, allowed.get());
            assertEquals(REQUESTS - CAPACITY, denied.get());
        }
    }
}
