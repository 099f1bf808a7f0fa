package dev.ratelimiter.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.ratelimiter.Limit;
import dev.ratelimiter.ManualClock;
import dev.ratelimiter.Policy;
import io.github.bucket4j.BucketState;
import io.github.bucket4j.MathType;
import dev.ratelimiter.spi.TokenBucket.Probe;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LocalTokenBucketTest {

    private final ManualClock clock = new ManualClock();

    private static BucketSpec spec(long capacity, long generation) {
        return BucketSpec.of(Policy.of("p" + capacity,
                Limit.capacity(capacity).refillGreedy(1, Duration.ofSeconds(1))), generation);
    }

    @Test
    void aSpecOfAnOlderGenerationNeverMovesTheBucketBack() {
        LocalTokenBucket bucket = LocalTokenBucket.create(spec(10, 1), TimeMeters.of(clock, false));
        bucket.tryConsume(4);
        BucketSpec newer = spec(20, 3);
        bucket.adopt(newer);
        assertEquals(16, bucket.estimate(1).remaining());
        bucket.adopt(spec(10, 2)); // a check that resolved its policy before the last swap
        assertSame(newer, bucket.spec());
        assertEquals(16, bucket.estimate(1).remaining());
    }

    @Test
    void theStateMoveGivesWhatTheBucketMoveGives() {
        BucketSpec from = BucketSpec.of(Policy.of("a",
                Limit.capacity(10).refillGreedy(1, Duration.ofSeconds(1)),
                Limit.capacity(50).refillIntervally(5, Duration.ofMinutes(1))), 1);
        BucketSpec to = BucketSpec.of(Policy.of("b",
                Limit.capacity(4).refillGreedy(2, Duration.ofSeconds(1)),
                Limit.capacity(80).refillIntervally(5, Duration.ofMinutes(1)),
                Limit.of(7, Duration.ofHours(1))), 2);
        LocalTokenBucket bucket = LocalTokenBucket.create(from, TimeMeters.of(clock, false));
        BucketState state = BucketState.createInitialState(from.configuration(),
                MathType.INTEGER_64_BITS, clock.read());
        bucket.tryConsume(9);
        state.consume(9);
        clock.advance(Duration.ofMillis(2_500));
        bucket.adopt(to);
        BucketState moved = LocalTokenBucket.moveState(state, from.configuration(), to,
                clock.read());
        // 10 - 9 + 2 (refilled) = 3 of 10 -> 4 - 7 = -3; 41 of 50 -> 71 of 80; new: 7.
        assertEquals(-3, moved.getCurrentSize(0));
        assertEquals(71, moved.getCurrentSize(1));
        assertEquals(7, moved.getCurrentSize(2));
        assertEquals(0, bucket.estimate(1).remaining(), "a debt reads as nothing left");
        assertEquals(2_000_000_000L, bucket.estimate(1).nanosToWait(), "4 tokens at 2 per second");
    }

    @Test
    void aSingleLimitProbeCarriesNoPerLimitArrays() {
        LocalTokenBucket bucket = LocalTokenBucket.create(spec(10, 1), TimeMeters.of(clock, false));
        assertNull(bucket.tryConsume(1).remainingPerLimit());
        assertNull(bucket.estimate(1).nanosToFullPerLimit());
    }

    @Test
    void perLimitValues_agreeWithBucket4jsWholeBucketAnswers_atEveryStep() {
        // Bucket4j reports the minimum of the limits' tokens and the maximum of their times to
        // full; the per-limit values must give exactly those, through debts (reservations), an
        // interval limit between greedy ones, and a limit that does not divide a second.
        BucketSpec spec = BucketSpec.of(Policy.of("three",
                Limit.capacity(50).refillGreedy(7, Duration.ofSeconds(3)),
                Limit.capacity(20).refillIntervally(9, Duration.ofNanos(1_000_000_001L)),
                Limit.capacity(400).refillGreedy(100, Duration.ofMinutes(1))), 1);
        LocalTokenBucket bucket = LocalTokenBucket.create(spec, TimeMeters.of(clock, false));
        SplittableRandom random = new SplittableRandom(11);
        for (int step = 0; step < 20_000; step++) {
            clock.advanceNanos(random.nextLong(0, 2_000_000_000L));
            long tokens = 1 + random.nextInt(12);
            int kind = random.nextInt(10);
            if (kind == 0) {
                bucket.reserve(tokens, 5_000_000_000L);
                continue;
            }
            Probe p = kind < 8 ? bucket.tryConsume(tokens) : bucket.estimate(tokens);
            String at = "step " + step + ": " + p;
            assertEquals(3, p.remainingPerLimit().length, at);
            assertEquals(Math.max(0, p.remaining()),
                    Math.max(0, Arrays.stream(p.remainingPerLimit()).min().getAsLong()), at);
            assertEquals(p.nanosToFull(), Arrays.stream(p.nanosToFullPerLimit()).max()
                    .getAsLong(), at);
        }
    }
}
