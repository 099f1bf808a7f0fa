package dev.ratelimiter.examples;

import dev.ratelimiter.Decision;
import dev.ratelimiter.Limit;
import dev.ratelimiter.Policy;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.Rules;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Example 5 — wait instead of failing.
 *
 * <p>A batch job sends records to a partner API that allows 20 calls per second. Instead of
 * failing when over the limit, it calls {@code acquire(key, tokens, maxWait)}, which reserves the
 * tokens and waits until they are due, so the job paces itself at exactly the allowed rate. A
 * record that would wait longer than {@code maxWait} is skipped and reported. Run:
 *
 * <pre>
 * mvn -q -pl examples -am package -DskipTests
 * java -cp examples/target/ratelimiter-examples.jar dev.ratelimiter.examples.PacedBatchJob
 * </pre>
 */
public final class PacedBatchJob {

    /** The partner's limit: 20 calls per second, no burst beyond that. */
    public static final Policy PARTNER = Policy.of("partner", Limit.of(20, Duration.ofSeconds(1)));

    private final RateLimiter limiter;
    private final Consumer<String> partnerApi;

    /**
     * @param limiter the limiter, with {@link #PARTNER} for key {@code "partner-api"}
     * @param partnerApi what sends one record
     */
    public PacedBatchJob(RateLimiter limiter, Consumer<String> partnerApi) {
        this.limiter = limiter;
        this.partnerApi = partnerApi;
    }

    /**
     * Sends every record, waiting for the rate limit as needed.
     *
     * @param records the records
     * @param maxWait the longest wait for one record
     * @return how many were sent
     * @throws InterruptedException if interrupted while waiting
     */
    public int run(List<String> records, Duration maxWait) throws InterruptedException {
        int sent = 0;
        for (String record : records) {
            Decision d = limiter.acquire("partner-api", 1, maxWait);
            if (d.allowed()) {
                partnerApi.accept(record);
                sent++;
            }
        }
        return sent;
    }

    /**
     * @param args unused
     * @throws InterruptedException if interrupted
     */
    public static void main(String[] args) throws InterruptedException {
        try (RateLimiter limiter = RateLimiter.builder().rules(Rules.of(PARTNER)).build()) {
            List<String> records = java.util.stream.IntStream.range(0, 60)
                    .mapToObj(i -> "record-" + i).toList();
            long start = System.nanoTime();
            int sent = new PacedBatchJob(limiter, r -> { }).run(records, Duration.ofSeconds(5));
            System.out.printf("sent %d records in %d ms (20 at once, then 20 per second)%n",
                    sent, Duration.ofNanos(System.nanoTime() - start).toMillis());
        }
    }
}
