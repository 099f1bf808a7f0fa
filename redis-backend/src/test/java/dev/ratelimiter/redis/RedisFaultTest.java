package dev.ratelimiter.redis;

import dev.ratelimiter.redis.testing.RedisProcess;
import dev.ratelimiter.redis.testing.TestRedis;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.Decision;
import dev.ratelimiter.Limit;
import dev.ratelimiter.Policy;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.Rules;
import dev.ratelimiter.failure.BreakerState;
import dev.ratelimiter.failure.FailurePolicy;
import dev.ratelimiter.spi.BucketSpec;
import dev.ratelimiter.spi.BucketStore;
import dev.ratelimiter.spi.TokenBucket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Redis process is killed (SIGKILL) while requests run, and restarted on the same port:
 * each failure policy answers as specified, the open breaker makes no store call, and the limiter
 * recovers within 2 s without being rebuilt. The store uses its default (short) timeouts.
 */
class RedisFaultTest {

    /** Capacity 5, refilled by 5 a minute: enough to tell the local fallback's answers apart. */
    private static final Rules RULES = Rules.of(Policy.of("five",
            Limit.capacity(5).refillGreedy(5, Duration.ofMinutes(1))));
    private static final Duration OPEN_DURATION = Duration.ofMillis(500);

    /** Counts every call the limiter makes on the store. */
    static final class CountingStore implements BucketStore {
        final BucketStore inner;
        final AtomicInteger calls = new AtomicInteger();

        CountingStore(BucketStore inner) {
            this.inner = inner;
        }

        @Override
        public TokenBucket bucket(String key, BucketSpec spec) {
            calls.incrementAndGet();
            return inner.bucket(key, spec);
        }

        @Override
        public void remove(String key) {
            calls.incrementAndGet();
            inner.remove(key);
        }

        @Override
        public boolean isLocal() {
            return inner.isLocal();
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    private final RedisProcess redis = RedisProcess.start();

    @AfterEach
    void stopRedis() {
        redis.close();
    }

    @ParameterizedTest
    @EnumSource(FailurePolicy.class)
    void redisKilledMidRun_policyAnswers_breakerSkipsTheStore_restartRecoversWithin2s(
            FailurePolicy policy) throws Exception {
        CountingStore store = new CountingStore(TestRedis.patientStore().url(redis.url())
                .keyPrefix(TestRedis.uniquePrefix()).build());
        try (RateLimiter limiter = RateLimiter.builder().rules(RULES).store(store)
                .onStoreFailure(policy).circuitBreaker(3, OPEN_DURATION).build()) {

            // Background load across the kill: nothing may escape as an error.
            AtomicBoolean running = new AtomicBoolean(true);
            ConcurrentLinkedQueue<Throwable> escaped = new ConcurrentLinkedQueue<>();
            List<Thread> load = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                String key = "load:" + t;
                Thread thread = new Thread(() -> {
                    while (running.get()) {
                        try {
                            limiter.tryAcquire(key);
                        } catch (Throwable e) {
                            escaped.add(e);
                        }
                        LockSupport.parkNanos(100_000); // pacing the load, not synchronising
                    }
                });
                thread.start();
                load.add(thread);
            }

            // Redis up: decided by the store.
            Decision before = limiter.tryAcquire("k");
            assertTrue(before.allowed());
            assertFalse(before.degraded());

            redis.kill();

            // The first failures each pay at most one bounded store call, then the breaker opens.
            List<Decision> degraded = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (limiter.stats().state() != BreakerState.OPEN && System.nanoTime() < deadline) {
                long start = System.nanoTime();
                Decision d = limiter.tryAcquire("k");
                long tookMs = (System.nanoTime() - start) / 1_000_000;
                assertTrue(tookMs < 500, "a failing check took " + tookMs + " ms");
                degraded.add(d);
            }
            assertEquals(BreakerState.OPEN, limiter.stats().state());
            running.set(false);
            for (Thread thread : load) {
                thread.join(5_000);
            }
            assertEquals(List.of(), new ArrayList<>(escaped), "exceptions escaped the limiter");

            // Open: answers follow the policy and never touch the store. The next trial is
            // 500 ms away; 200 calls take well under a millisecond each (coarse bound: 200 ms).
            int callsWhenOpen = store.calls.get();
            long start = System.nanoTime();
            for (int i = 0; i < 200; i++) {
                degraded.add(limiter.tryAcquire("k"));
            }
            long openNanos = System.nanoTime() - start;
            assertEquals(callsWhenOpen, store.calls.get(), "store called while open");
            assertTrue(openNanos < TimeUnit.MILLISECONDS.toNanos(200),
                    "200 open-breaker decisions took " + openNanos / 1_000 + " us: over 1 ms each");
            assertTrue(degraded.stream().allMatch(Decision::degraded));
            long allowed = degraded.stream().filter(Decision::allowed).count();
            switch (policy) {
                case FAIL_OPEN -> assertEquals(degraded.size(), allowed);
                case FAIL_CLOSED -> assertEquals(0, allowed);
                // A fresh local bucket of capacity 5 ("k" used 1 token in Redis, not locally).
                case LOCAL_FALLBACK -> assertEquals(5, allowed);
            }

            // Restart on the same port: a later trial (at most 500 ms away) finds it.
            redis.restart();
            long restarted = System.nanoTime();
            Decision after = limiter.tryAcquire("k");
            long recoverDeadline = restarted + TimeUnit.SECONDS.toNanos(2);
            while (after.degraded() && System.nanoTime() < recoverDeadline) {
                Thread.onSpinWait();
                after = limiter.tryAcquire("k");
            }
            long recoveredMs = (System.nanoTime() - restarted) / 1_000_000;
            assertFalse(after.degraded(), "still degraded 2 s after the restart");
            assertTrue(after.allowed(), "the restarted Redis is empty: a full bucket");
            assertEquals(BreakerState.CLOSED, limiter.stats().state());
            System.out.printf("%s: recovered %d ms after restart; stats %s%n", policy,
                    recoveredMs, limiter.stats());
            assertTrue(limiter.stats().timesOpened() >= 1);
        }
    }
}
