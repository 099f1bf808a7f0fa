package dev.ratelimiter.examples;

import dev.ratelimiter.Decision;
import dev.ratelimiter.Limit;
import dev.ratelimiter.Policy;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.Rules;
import dev.ratelimiter.Ticker;
import dev.ratelimiter.failure.FailurePolicy;
import dev.ratelimiter.redis.RedisStore;
import java.io.PrintStream;
import java.time.Duration;

/**
 * Example 2 — share limits through Redis.
 *
 * <p>Two limiter instances, each with its own connection pool as two JVMs would have, point at
 * the same Redis. They enforce one budget together: what one spends, the other cannot. If Redis
 * goes away, each answers by its failure policy (here: fail open) until it is back. Run with a
 * Redis on localhost (or set {@code REDIS_URL}):
 *
 * <pre>
 * mvn -q package -DskipTests
 * java -cp examples/target/ratelimiter-examples.jar dev.ratelimiter.examples.ShareThroughRedis
 * </pre>
 */
public final class ShareThroughRedis {

    /** The shared policy: 10 per minute per key. */
    public static final Policy PER_KEY = Policy.of("per-key", Limit.of(10, Duration.ofMinutes(1)));

    private ShareThroughRedis() {
    }

    /**
     * One service instance's limiter: its own Redis pool, the shared rules.
     *
     * @param redisUrl {@code redis://host:port}
     * @return the limiter, owning its pool
     */
    public static RateLimiter newLimiter(String redisUrl) {
        return newLimiter(redisUrl, Ticker.wallClock());
    }

    /**
     * As {@link #newLimiter(String)}, on the given clock (a {@code ManualClock} in tests; every
     * instance sharing Redis must read comparable time).
     *
     * @param redisUrl {@code redis://host:port}
     * @param clock nanoseconds comparable across the instances
     * @return the limiter, owning its pool
     */
    public static RateLimiter newLimiter(String redisUrl, Ticker clock) {
        return RateLimiter.builder()
                .rules(Rules.of(PER_KEY))
                .store(RedisStore.builder().url(redisUrl).ticker(clock)
                        .readTimeout(Duration.ofMillis(500)).requestTimeout(Duration.ofSeconds(1))
                        .build())
                .onStoreFailure(FailurePolicy.FAIL_OPEN)
                .build();
    }

    /**
     * Instance A spends 6 of the key's 10 tokens, then instance B finds 4 left.
     *
     * @return B's decision for 5 tokens (denied: only 4 are left)
     */
    static Decision demo(RateLimiter a, RateLimiter b, String key, PrintStream out) {
        Decision spentByA = a.tryAcquire(key, 6);
        out.printf("A took 6: allowed=%s remaining=%d%n", spentByA.allowed(), spentByA.remaining());
        Decision seenByB = b.peek(key);
        out.printf("B sees remaining=%d%n", seenByB.remaining());
        Decision tooMuch = b.tryAcquire(key, 5);
        out.printf("B asks 5: allowed=%s retryAfter=%ds%n", tooMuch.allowed(),
                (tooMuch.retryAfter().toMillis() + 999) / 1000); // whole seconds, rounded up
        return tooMuch;
    }

    /** @param args an optional Redis URL */
    public static void main(String[] args) {
        String url = args.length > 0 ? args[0]
                : System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379");
        String key = "example:" + System.currentTimeMillis();
        try (RateLimiter a = newLimiter(url); RateLimiter b = newLimiter(url)) {
            demo(a, b, key, System.out);
        }
    }
}
