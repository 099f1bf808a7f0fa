package dev.ratelimiter.examples;

import dev.ratelimiter.Decision;
import dev.ratelimiter.Limit;
import dev.ratelimiter.Policy;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.RateLimiterBuilder;
import dev.ratelimiter.Rules;
import dev.ratelimiter.Ticker;
import dev.ratelimiter.caffeine.CaffeineStore;
import java.io.PrintStream;
import java.time.Duration;

/**
 * Example 1 — embed the limiter in-process.
 *
 * <p>A service limits each user, {@code user:<id>}, to 10 requests per second with bursts of 20,
 * and to 1000 per hour, all checked together. State lives in a bounded Caffeine cache in this
 * JVM. Run:
 *
 * <pre>
 * mvn -q -pl examples -am package -DskipTests
 * java -cp examples/target/ratelimiter-examples.jar dev.ratelimiter.examples.EmbedInProcess
 * </pre>
 */
public final class EmbedInProcess {

    /** 10/s with bursts of 20, and 1000/hour. */
    public static final Policy PER_USER = Policy.of("per-user",
            Limit.capacity(20).refillGreedy(10, Duration.ofSeconds(1)),
            Limit.of(1000, Duration.ofHours(1)));

    private EmbedInProcess() {
    }

    /**
     * The limiter the service would hold for its lifetime.
     *
     * @param ticker the clock; {@link Ticker#system()} in production
     * @return the limiter
     */
    public static RateLimiter newLimiter(Ticker ticker) {
        return RateLimiter.builder()
                .rules(Rules.builder(RateLimiterBuilder.DEFAULT_POLICY)
                        .pattern("user:*", PER_USER)
                        .build())
                .store(CaffeineStore.builder().ticker(ticker).build())
                .build();
    }

    /**
     * Sends {@code requests} requests for one user and prints what happened.
     *
     * @return how many were allowed
     */
    static int burst(RateLimiter limiter, String userId, int requests, PrintStream out) {
        int allowed = 0;
        Decision last = null;
        for (int i = 0; i < requests; i++) {
            last = limiter.tryAcquire("user:" + userId);
            if (last.allowed()) {
                allowed++;
            }
        }
        out.printf("user:%s sent %d, allowed %d, denied %d; retry after %d ms%n", userId,
                requests, allowed, requests - allowed, last.retryAfter().toMillis());
        return allowed;
    }

    /** @param args unused */
    public static void main(String[] args) {
        try (RateLimiter limiter = newLimiter(Ticker.system())) {
            burst(limiter, "42", 25, System.out);
        }
    }
}
