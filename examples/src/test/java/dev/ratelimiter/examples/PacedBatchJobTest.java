package dev.ratelimiter.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ratelimiter.ManualClock;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.Rules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PacedBatchJobTest {

    private final List<String> records =
            IntStream.range(0, 60).mapToObj(i -> "r" + i).toList();

    @Test
    void sixtyRecordsAtTwentyPerSecondTakeTwoSecondsAfterTheFirstTwenty()
            throws InterruptedException {
        ManualClock clock = new ManualClock();
        List<String> sent = new ArrayList<>();
        try (RateLimiter limiter = RateLimiter.inMemory(Rules.of(PacedBatchJob.PARTNER), clock)) {
            int n = new PacedBatchJob(limiter, sent::add).run(records, Duration.ofSeconds(1));
            assertEquals(60, n);
            assertEquals(records, sent);
            assertEquals(Duration.ofSeconds(2).toNanos(), clock.read(),
                    "20 at once, then 40 more at 20 per second");
        }
    }

    @Test
    void recordsThatWouldWaitTooLongAreSkipped() throws InterruptedException {
        ManualClock clock = new ManualClock();
        try (RateLimiter limiter = RateLimiter.inMemory(Rules.of(PacedBatchJob.PARTNER), clock)) {
            limiter.tryAcquire("partner-api", 20); // someone else drained the bucket
            int n = new PacedBatchJob(limiter, r -> { }).run(records, Duration.ofMillis(10));
            // Each record needs 50 ms; none waits longer than 10 ms, so each is refused at once.
            assertEquals(0, n);
            assertEquals(0, clock.read(), "nothing waited");
        }
    }
}
