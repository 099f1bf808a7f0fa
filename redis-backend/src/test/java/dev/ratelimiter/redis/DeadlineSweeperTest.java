package dev.ratelimiter.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.redis.testing.RedisProcess;
import dev.ratelimiter.redis.testing.TestRedis;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.RateLimiterBuilder;
import dev.ratelimiter.Rules;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The store's one deadline thread: it exists once per store, costs an idle store no wake-ups
 * (parked without a timeout once nothing is pending) and ends when the store closes.
 */
class DeadlineSweeperTest {

    private static List<Thread> sweepers() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("ratelimiter-redis-deadlines-")
                        && t.isAlive())
                .toList();
    }

    @Test
    void oneThreadPerStore_parkedWithoutATimerWhenIdle_goneAfterClose() throws Exception {
        int before = sweepers().size();
        Thread mine;
        try (RedisProcess redis = RedisProcess.start();
             RateLimiter limiter = RateLimiter.builder()
                     .rules(Rules.of(RateLimiterBuilder.DEFAULT_POLICY))
                     .store(RedisStore.builder().url(redis.url())
                             .keyPrefix(TestRedis.uniquePrefix()).build()).build()) {
            assertTrue(limiter.tryAcquire("k").allowed());
            List<Thread> now = sweepers();
            assertEquals(before + 1, now.size(), "one deadline thread per store");
            mine = now.stream().filter(t -> t.getName().contains(redis.url().substring(8)))
                    .findFirst().orElseThrow();
            // Idle: nothing queued or in flight, so it parks with no timeout (WAITING, not
            // TIMED_WAITING). Polled with a deadline: it gets there within one period.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (mine.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
                Thread.onSpinWait();
                Thread.yield();
            }
            assertEquals(Thread.State.WAITING, mine.getState());
        }
        mine.join(TimeUnit.SECONDS.toMillis(5));
        assertFalse(mine.isAlive(), "the deadline thread ends with its store");
        assertTrue(sweepers().size() <= before);
    }
}
