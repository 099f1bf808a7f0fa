package dev.ratelimiter.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.ManualClock;
import dev.ratelimiter.RateLimiter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EmbedInProcessTest {

    @Test
    void aBurstOfTwentyFiveGetsTwentyThroughThenTenPerSecond() {
        ManualClock clock = new ManualClock();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (RateLimiter limiter = EmbedInProcess.newLimiter(clock)) {
            assertEquals(20, EmbedInProcess.burst(limiter, "42", 25, out));
            assertEquals("user:42 sent 25, allowed 20, denied 5; retry after 100 ms",
                    bytes.toString(StandardCharsets.UTF_8).trim());
            clock.advance(Duration.ofSeconds(1));
            assertEquals(10, EmbedInProcess.burst(limiter, "42", 25, out));
            assertEquals(20, EmbedInProcess.burst(limiter, "7", 25, out), "per user");
        }
    }

    @Test
    void theHourlyLimitCapsSustainedTraffic() {
        ManualClock clock = new ManualClock();
        try (RateLimiter limiter = EmbedInProcess.newLimiter(clock)) {
            int allowed = 0;
            for (int second = 0; second < 200; second++) {
                allowed += EmbedInProcess.burst(limiter, "1", 20, new PrintStream(
                        new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
                clock.advance(Duration.ofSeconds(1));
            }
            // 10/s would allow 2,010 in 200 s; the hourly bucket holds 1000 plus ~55 refilled.
            assertTrue(allowed <= 1000 + 56, "allowed " + allowed);
            assertTrue(allowed >= 1000, "allowed " + allowed);
        }
    }

    @Test
    void mainPrintsTheBurstOnTheRealClock() {
        PrintStream original = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            EmbedInProcess.main(new String[0]);
        } finally {
            System.setOut(original);
        }
        // 25 requests within a few milliseconds: the burst of 20 passes, at most a token refills.
        String line = bytes.toString(StandardCharsets.UTF_8).trim();
        assertTrue(line.matches("user:42 sent 25, allowed 2[01], denied [45]; retry after \\d+ ms"),
                line);
    }
}
