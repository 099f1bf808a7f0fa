package dev.ratelimiter.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.Concurrency;
import dev.ratelimiter.Decision;
import dev.ratelimiter.Limit;
import dev.ratelimiter.ManualClock;
import dev.ratelimiter.Policy;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.Rules;
import dev.ratelimiter.failure.FailurePolicy;
import dev.ratelimiter.redis.testing.RedisProcess;
import dev.ratelimiter.redis.testing.TestRedis;
import dev.ratelimiter.spi.BucketSpec;
import dev.ratelimiter.spi.StoreOverloadedException;
import dev.ratelimiter.spi.StoreUnavailableException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;

/**
 * Automatic pipelining with the <em>default</em> settings: every thread's checks share two
 * connections per store, stay exact across two stores (two JVMs) at 64 and 400 threads on many
 * keys and on one hot key, survive {@code SCRIPT FLUSH} mid-burst without losing a check, and
 * tell local overload (a full queue, a deadline passed unsent, a pool wait) apart from what
 * Redis did. Runs on a Redis of its own so that connection counts and command statistics see
 * no other test's traffic.
 */
class RedisPipeliningTest {

    private static RedisProcess redis;

    @BeforeAll
    static void start() {
        redis = RedisProcess.start();
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
        }
    }

    /** A store with nothing tuned but the prefix and the test's clock. */
    private static RedisStore defaultStore(String prefix, ManualClock clock) {
        return RedisStore.builder().url(redis.url()).keyPrefix(prefix).ticker(clock).build();
    }

    private static long stat(Jedis jedis, String section, String field) {
        for (String line : jedis.info(section).split("\r?\n")) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).trim());
            }
        }
        return 0;
    }

    private static long scriptCalls(Jedis jedis) {
        for (String line : jedis.info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_script:") || line.startsWith("cmdstat_script|load:")) {
                int at = line.indexOf("calls=");
                return Long.parseLong(line.substring(at + 6, line.indexOf(',', at)));
            }
        }
        return 0;
    }

    /**
     * {@code threads} threads released together, each trying {@code attempts} single-token
     * checks round-robin over {@code keys}, alternating the two limiters; returns how many were
     * admitted. Any exception fails the run.
     */
    static long admittedOverKeys(RateLimiter a, RateLimiter b, String[] keys, int threads,
                                 int attempts) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            AtomicLong admitted = new AtomicLong();
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                RateLimiter limiter = t % 2 == 0 ? a : b;
                futures.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < attempts; i++) {
                        Decision d = limiter.tryAcquire(keys[(thread + i * 7) % keys.length]);
                        assertFalse(d.degraded(), "degraded: " + d);
                        admitted.addAndGet(d.allowed() ? 1 : 0);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
            return admitted.get();
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {64, 400})
    void twoDefaultStores_manyKeysAndOneHotKey_admitExactly_overTwoConnectionsEach(int threads)
            throws Exception {
        String prefix = TestRedis.uniquePrefix();
        ManualClock clock = new ManualClock(1_767_225_600_000_000_000L);
        long perKey = 5;
        String[] keys = new String[200];
        for (int k = 0; k < keys.length; k++) {
            keys[k] = "many:" + k;
        }
        try (Jedis admin = redis.jedis();
             RateLimiter a = RateLimiter.builder().rules(Exactness.noRefill(perKey))
                     .store(defaultStore(prefix, clock)).build();
             RateLimiter b = RateLimiter.builder().rules(Exactness.noRefill(perKey))
                     .store(defaultStore(prefix, clock)).build()) {
            long connectionsBefore = stat(admin, "stats", "total_connections_received");
            long readsBefore = stat(admin, "stats", "total_reads_processed");
            // 200 keys x 5 tokens; threads x attempts is several times that.
            int attempts = (int) Math.max(4, 4 * keys.length * perKey / threads);
            assertEquals(keys.length * perKey, admittedOverKeys(a, b, keys, threads, attempts),
                    "admitted over " + keys.length + " keys");
            // Pipelining: Redis read the EVALSHAs in far fewer socket reads than there were
            // checks (one blocking round trip per check would need one read each).
            long reads = stat(admin, "stats", "total_reads_processed") - readsBefore;
            long checks = (long) threads * attempts;
            assertTrue(reads < checks * 3 / 4, reads + " socket reads for " + checks + " checks");
            System.out.printf("%d threads: %d checks in %d Redis socket reads%n", threads, checks,
                    reads);

            // One hot key, capacity twice the threads, 4 attempts each: exactly the capacity.
            long hot = threads * 2L;
            try (RateLimiter ha = RateLimiter.builder().rules(Exactness.noRefill(hot))
                         .store(defaultStore(prefix + "hot:", clock)).build();
                 RateLimiter hb = RateLimiter.builder().rules(Exactness.noRefill(hot))
                         .store(defaultStore(prefix + "hot:", clock)).build()) {
                Exactness.round(ha, hb, "hot", hot, threads, 4);
                assertFalse(hb.tryAcquire("hot").allowed());
            }
            long connections = stat(admin, "stats", "total_connections_received")
                    - connectionsBefore;
            // Four stores, at most two pipelined connections each, however many threads.
            assertTrue(connections <= 8, connections + " connections for 4 stores");
        }
    }

    @Test
    void scriptFlushDuringAPipelinedBurst_losesNoCheck_andReloadsTheScript() throws Exception {
        String prefix = TestRedis.uniquePrefix();
        ManualClock clock = new ManualClock(1_767_225_600_000_000_000L);
        String[] keys = new String[100];
        for (int k = 0; k < keys.length; k++) {
            keys[k] = "flush:" + k;
        }
        long perKey = 20;
        try (Jedis admin = redis.jedis();
             Jedis flusher = redis.jedis();
             RateLimiter a = RateLimiter.builder().rules(Exactness.noRefill(perKey))
                     .store(defaultStore(prefix, clock)).build();
             RateLimiter b = RateLimiter.builder().rules(Exactness.noRefill(perKey))
                     .store(defaultStore(prefix, clock)).build()) {
            a.tryAcquire("warm");
            long scriptBefore = scriptCalls(admin);
            AtomicBoolean running = new AtomicBoolean(true);
            AtomicLong flushes = new AtomicLong();
            Thread flushing = new Thread(() -> {
                while (running.get()) {
                    flusher.scriptFlush(); // paced by its own round trip
                    flushes.incrementAndGet();
                }
            });
            flushing.start();
            long admitted;
            try {
                admitted = admittedOverKeys(a, b, keys, 64, 100);
            } finally {
                running.set(false);
                flushing.join(10_000);
            }
            assertEquals(keys.length * perKey, admitted, "a check was lost or counted twice");
            long loads = scriptCalls(admin) - scriptBefore - flushes.get();
            assertTrue(flushes.get() > 0 && loads > 0, flushes + " flushes, " + loads
                    + " reloads");
            System.out.printf("SCRIPT FLUSH x %d during 6,400 checks: %d reloads, exact%n",
                    flushes.get(), loads);
        }
    }

    /**
     * A server that accepts connections and never answers: the store's writer is stuck in the
     * connection handshake (AUTH), so whatever is queued behind it stays unsent.
     */
    private static final class SilentServer implements AutoCloseable {
        final ServerSocket server;
        final CountDownLatch accepted = new CountDownLatch(1);
        final List<Socket> sockets = new ArrayList<>();
        final Thread acceptor;

        SilentServer() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = new Thread(() -> {
                try {
                    while (true) {
                        Socket s = server.accept();
                        synchronized (sockets) {
                            sockets.add(s);
                        }
                        accepted.countDown();
                    }
                } catch (IOException closed) {
                    // done
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
        }

        @Override
        public void close() throws IOException {
            server.close();
            synchronized (sockets) {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }

    @Test
    void fullLocalQueue_isOverload_andADeadlinePassedUnsentIsOverload_notAStoreFailure()
            throws Exception {
        BucketSpec spec = BucketSpec.of(Policy.of("p", Limit.capacity(10)
                .refillGreedy(10, Duration.ofSeconds(1))));
        try (SilentServer silent = new SilentServer();
             RedisStore store = RedisStore.builder()
                     .url("redis://:pw@127.0.0.1:" + silent.server.getLocalPort())
                     .keyPrefix(TestRedis.uniquePrefix())
                     .maxQueuedCommands(2)
                     .connectionsPerNode(1) // one connection, held by the stuck handshake
                     .timeout(Duration.ofMillis(1_500))
                     .connectTimeout(Duration.ofSeconds(3)).readTimeout(Duration.ofSeconds(3))
                     .build()) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                // The first check's caller leads the one connection and waits for AUTH forever.
                Future<Throwable> first = pool.submit(() -> failure(store, "k0", spec));
                assertTrue(silent.accepted.await(10, TimeUnit.SECONDS), "never connected");
                // Two more fill the queue (bound 2); the other five are refused at once.
                List<Future<Throwable>> queued = new ArrayList<>();
                List<Future<Throwable>> refused = new ArrayList<>();
                long start = System.nanoTime();
                for (int i = 1; i <= 2; i++) {
                    String key = "k" + i;
                    queued.add(pool.submit(() -> failure(store, key, spec)));
                }
                awaitQueued(store, 2);
                for (int i = 3; i <= 7; i++) {
                    String key = "k" + i;
                    refused.add(pool.submit(() -> failure(store, key, spec)));
                }
                for (Future<Throwable> f : refused) {
                    Throwable t = f.get(10, TimeUnit.SECONDS);
                    assertInstanceOf(StoreOverloadedException.class, t);
                    assertTrue(t.getMessage().contains("2 commands queued"), t.getMessage());
                }
                long refusedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(refusedMs < 1_500, "refusals took " + refusedMs + " ms");
                // The queued two were never written: at their deadline, overload too.
                for (Future<Throwable> f : queued) {
                    Throwable t = f.get(10, TimeUnit.SECONDS);
                    assertInstanceOf(StoreOverloadedException.class, t);
                    assertTrue(t.getMessage().contains("waited in this JVM's queue"),
                            t.getMessage());
                }
                // The one being sent got no answer from "Redis": that one is Redis's failure.
                assertInstanceOf(StoreUnavailableException.class, first.get(10, TimeUnit.SECONDS));
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static Throwable failure(RedisStore store, String key, BucketSpec spec) {
        try {
            store.bucket(key, spec).tryConsume(1);
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    /** Polls (with a deadline) until the store's queue holds {@code n} commands. */
    private static void awaitQueued(RedisStore store, int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (store.queuedCommands() < n) {
            assertTrue(System.nanoTime() < deadline, "queue never reached " + n);
            Thread.onSpinWait();
        }
    }

    @Test
    void overloadOpensNoBreaker_andIsNeverAnsweredByTheFailurePolicy() throws Exception {
        try (SilentServer silent = new SilentServer();
             RateLimiter limiter = RateLimiter.builder().rules(Exactness.noRefill(10))
                     .store(RedisStore.builder()
                             .url("redis://:pw@127.0.0.1:" + silent.server.getLocalPort())
                             .maxQueuedCommands(1).connectionsPerNode(1)
                             .timeout(Duration.ofMillis(300))
                             .connectTimeout(Duration.ofSeconds(10))
                             .readTimeout(Duration.ofSeconds(10)).build())
                     .onStoreFailure(FailurePolicy.FAIL_OPEN).build()) {
            // The first check leads the one connection and hangs in the handshake; hold it there.
            Thread leader = new Thread(() -> limiter.tryAcquire("leader"));
            leader.setDaemon(true);
            leader.start();
            assertTrue(silent.accepted.await(10, TimeUnit.SECONDS), "never connected");
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                List<Future<Decision>> answers = new ArrayList<>();
                for (int i = 0; i < 64; i++) {
                    String key = "k" + i;
                    answers.add(pool.submit(() -> limiter.tryAcquire(key)));
                }
                long overloaded = 0;
                for (Future<Decision> f : answers) {
                    Decision d = f.get(30, TimeUnit.SECONDS);
                    assertFalse(d.degraded(), "answered by the failure policy: " + d);
                    assertFalse(d.allowed(), "admitted without Redis: " + d);
                    overloaded += d.outcome() == Decision.Outcome.OVERLOADED ? 1 : 0;
                }
                assertEquals(64, overloaded, "every check behind the stuck one is overload");
                assertEquals(0, limiter.stats().storeFailures(), "" + limiter.stats());
                assertEquals(64, limiter.stats().overloadedChecks(), "" + limiter.stats());
                assertEquals(dev.ratelimiter.failure.BreakerState.CLOSED,
                        limiter.stats().state());
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void poolWaitTimeout_underCas_isOverload_neverAStoreFailure() throws Exception {
        BucketSpec spec = BucketSpec.of(Policy.of("p", Limit.capacity(1_000_000)
                .refillGreedy(1, Duration.ofDays(1))));
        try (RedisStore store = RedisStore.builder().url(redis.url())
                .keyPrefix(TestRedis.uniquePrefix()).strategy(RedisStrategy.CAS).batching(false)
                .poolMaxTotal(1).poolMaxWait(Duration.ofMillis(1)).build()) {
            ExecutorService pool = Executors.newFixedThreadPool(32);
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<long[]>> results = new ArrayList<>();
                for (int t = 0; t < 32; t++) {
                    String key = "k" + t;
                    results.add(pool.submit(() -> {
                        go.await();
                        long[] counts = new long[3]; // ok, overloaded, unavailable
                        for (int i = 0; i < 50; i++) {
                            try {
                                store.bucket(key, spec).tryConsume(1);
                                counts[0]++;
                            } catch (StoreOverloadedException e) {
                                counts[1]++;
                            } catch (StoreUnavailableException e) {
                                counts[2]++;
                            }
                        }
                        return counts;
                    }));
                }
                go.countDown();
                long[] total = new long[3];
                for (Future<long[]> f : results) {
                    long[] c = f.get(60, TimeUnit.SECONDS);
                    for (int i = 0; i < 3; i++) {
                        total[i] += c[i];
                    }
                }
                assertEquals(0, total[2], "pool waits reported as store failures");
                assertTrue(total[1] > 0, "no pool wait timed out: the test proves nothing");
                assertTrue(total[0] > 0, "nothing succeeded");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void queueBound_andTimeout_areValidatedNamingTheOption() {
        assertEquals("maxQueuedCommands must be >= 1, was 0",
                assertThrows(IllegalArgumentException.class,
                        () -> RedisStore.builder().maxQueuedCommands(0)).getMessage());
        assertEquals("connectionsPerNode must be 1..64, was 0",
                assertThrows(IllegalArgumentException.class,
                        () -> RedisStore.builder().connectionsPerNode(0)).getMessage());
        assertEquals("timeout must be at least 1 ms, was PT0S",
                assertThrows(IllegalArgumentException.class,
                        () -> RedisStore.builder().timeout(Duration.ZERO)).getMessage());
        try (RedisStore store = RedisStore.builder().url(redis.url()).build()) {
            assertTrue(store.pipelined(), "the default store pipelines");
            store.verify();
        }
        java.util.Properties props = new java.util.Properties();
        props.setProperty("ratelimiter.redis.url", redis.url());
        props.setProperty("ratelimiter.redis.timeoutMs", "250");
        RedisStoreConfig config = RedisStoreConfig.from(dev.ratelimiter.config.ConfigSource.of(
                props, java.util.Map.of("RATE_LIMITER_REDIS_MAX_QUEUED_COMMANDS", "8",
                        "RATE_LIMITER_REDIS_CONNECTIONS_PER_NODE", "1")));
        assertEquals("250", config.get("timeoutMs").orElseThrow());
        assertEquals("8", config.get("maxQueuedCommands").orElseThrow());
        props.setProperty("ratelimiter.redis.maxQueuedCommands", "none");
        assertEquals("ratelimiter.redis.maxQueuedCommands (RATE_LIMITER_REDIS_MAX_QUEUED_COMMANDS)"
                        + " must be a whole number, was 'none'",
                assertThrows(IllegalArgumentException.class, () -> RedisStoreConfig.from(
                        dev.ratelimiter.config.ConfigSource.of(props, java.util.Map.of())))
                        .getMessage());
    }
}
