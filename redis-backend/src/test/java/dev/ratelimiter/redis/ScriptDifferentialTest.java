package dev.ratelimiter.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.Limit;
import dev.ratelimiter.ManualClock;
import dev.ratelimiter.Policy;
import dev.ratelimiter.memory.InMemoryStore;
import dev.ratelimiter.redis.testing.TestRedis;
import dev.ratelimiter.spi.BucketSpec;
import dev.ratelimiter.spi.TokenBucket.Probe;
import dev.ratelimiter.spi.TokenBucket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Differential test: the same random sequence of (time step, operation, tokens) goes to the
 * Bucket4j engine (core's in-memory store, a local Bucket4j bucket) and to the script on a real
 * Redis, both reading one {@link ManualClock}; every answer must agree exactly: decision,
 * remaining tokens, wait and time to full for {@code tryConsume} and {@code estimate}, and for
 * these policies of several limits each limit's own tokens and time to full, the wait for
 * {@code reserve}. The target, and the assertion, is 0 diverging answers: the script
 * reproduces Bucket4j's integer arithmetic (see {@link RedisScripts}), so there is no rounding
 * reason to allow any.
 *
 * <p>The policy mixes the awkward cases: a greedy limit whose rate does not divide a nanosecond
 * (7 tokens per 3 s: remainders carried), an interval limit with a period of 1 s + 1 ns, and a
 * slow greedy limit with a large gcd (100 per minute). Steps range from 0 ns to minutes, so every
 * limit is the binding one at times, and reservations drive buckets below zero.
 */
class ScriptDifferentialTest {

    private static final Policy POLICY = Policy.of("differential",
            Limit.capacity(50).refillGreedy(7, Duration.ofSeconds(3)),
            Limit.capacity(20).refillIntervally(9, Duration.ofNanos(1_000_000_001L)),
            Limit.capacity(400).refillGreedy(100, Duration.ofMinutes(1)));

    /** One step's answer from either side, in a comparable form; perLimit "" when none. */
    private record Answer(String op, long tokens, boolean decision, long a, long b, long c,
                          String perLimit) {
    }

    @Test
    void hundredThousandRandomSteps_giveTheSameAnswerOnTheScriptAsOnTheBucket4jEngine() {
        Result r = run(POLICY, 1, 100_000, 20260_1128L, StepSize.MIXED);
        System.out.printf("script differential: %d steps, %d decisions diverged, %d answers"
                + " differed in any field, %d consumed%n", r.steps, r.decisionDivergences,
                r.answerDivergences, r.consumed);
        assertEquals(0, r.decisionDivergences, "diverging decisions, first: " + r.first);
        assertEquals(0, r.answerDivergences, "diverging answers, first: " + r.first);
        assertEquals(r.steps - r.reserves, r.perLimitAnswers,
                "every probe of this three-limit policy carries per-limit values on both sides");
    }

    @Test
    void stepsOfHoursOverSixtyDays_crossTheScriptsOriginRebase_andStillAgree() {
        // 3,000 steps averaging ~1 h: past 2^52 ns (52 days) since the key's origin, where the
        // script moves its origin; time to full is 4 min, so most steps find full buckets.
        Result r = run(POLICY, 1, 3_000, 7L, StepSize.HOURS);
        assertEquals(0, r.answerDivergences, "diverging answers, first: " + r.first);
    }

    @Test
    void largeRatesWhoseProductsPassTwoToThe53_agreeThroughTheGcdReduction() {
        // 10,000 per hour: tokens x period = 3.6e16 > 2^53, exact after dividing by gcd 10,000.
        // 999,983 (a prime) per day, intervally: whole periods only, no products.
        Policy large = Policy.of("large",
                Limit.capacity(1_000_000).refillGreedy(10_000, Duration.ofHours(1)),
                Limit.capacity(2_000_000).refillIntervally(999_983, Duration.ofDays(1)));
        Result r = run(large, 40_000, 20_000, 11L, StepSize.MIXED);
        assertEquals(0, r.answerDivergences, "diverging answers, first: " + r.first);
    }

    @Test
    void batchedChecks_decideAsTheSameChecksOneByOneAtThatInstant() {
        // What the store sends when threads of one JVM check one key at once: k requests in
        // one EVALSHA. 10,000 batches of 1 to 20 requests against Bucket4j, one by one.
        ManualClock clock = new ManualClock(1_767_225_600_123_456_789L);
        BucketSpec spec = BucketSpec.of(POLICY);
        SplittableRandom random = new SplittableRandom(42);
        int requests = 0;
        int differing = 0;
        String first = "none";
        try (InMemoryStore memory = InMemoryStore.builder().ticker(clock).build();
             RedisStore redis = scriptStore(clock)) {
            TokenBucket reference = memory.bucket("k", spec);
            ScriptTokenBucket script = (ScriptTokenBucket) redis.bucket("k", spec);
            assertEquals(reference.estimate(1), script.estimate(1));
            for (int b = 0; b < 10_000; b++) {
                clock.advanceNanos(step(random, StepSize.MIXED));
                long[] tokens = new long[1 + random.nextInt(20)];
                for (int i = 0; i < tokens.length; i++) {
                    tokens[i] = tokens(random);
                }
                Probe[] batched = script.tryConsumeAll(tokens, System.nanoTime() + 10_000_000_000L);
                for (int i = 0; i < tokens.length; i++) {
                    Answer expected = answer("tryConsume", tokens[i], reference.tryConsume(tokens[i]));
                    Answer actual = answer("tryConsume", tokens[i], batched[i]);
                    requests++;
                    if (!expected.equals(actual)) {
                        if (differing++ == 0) {
                            first = "batch " + b + " request " + i + ": Bucket4j " + expected
                                    + ", script " + actual;
                        }
                    }
                }
            }
        }
        assertTrue(requests > 90_000, "requests " + requests);
        assertEquals(0, differing, "diverging answers, first: " + first);
    }

    @Test
    void policyChangesEveryFewHundredSteps_moveTheStateAsTheInProcessStoreMovesIt() {
        // The rule of RateLimiter.updateRules, on both sides: the in-memory store's
        // LocalTokenBucket (Bucket4j) and the script (RedisScripts, "Policy moves"). Policies of
        // one to three limits, growing and shrinking, greedy and interval, one renamed copy (same
        // limits: kept exactly), switched in random order, each switch a newer generation.
        List<Policy> policies = List.of(POLICY,
                Policy.of("narrow", Limit.capacity(8).refillGreedy(7, Duration.ofSeconds(3))),
                Policy.of("two", Limit.capacity(120).refillGreedy(1, Duration.ofSeconds(1)),
                        Limit.capacity(5).refillIntervally(2, Duration.ofMillis(700))),
                new Policy("renamed", POLICY.limits(), true),
                Policy.of("large", Limit.capacity(1_000).refillGreedy(10_000,
                        Duration.ofHours(1))));
        ManualClock clock = new ManualClock(1_767_225_600_123_456_789L);
        SplittableRandom random = new SplittableRandom(2026_12_02L);
        int steps = 30_000;
        int changes = 0;
        int differing = 0;
        String first = "none";
        try (InMemoryStore memory = InMemoryStore.builder().ticker(clock).build();
             RedisStore redis = scriptStore(clock)) {
            long generation = 1;
            BucketSpec spec = BucketSpec.of(policies.get(0), generation);
            assertEquals(memory.bucket("k", spec).estimate(1), redis.bucket("k", spec).estimate(1));
            for (int i = 0; i < steps; i++) {
                if (random.nextInt(200) == 0) {
                    spec = BucketSpec.of(policies.get(random.nextInt(policies.size())),
                            ++generation);
                    changes++;
                }
                // The in-process bucket moves when the store hands it out, the script on its
                // next call: both at this instant, as in the engine.
                clock.advanceNanos(step(random, StepSize.MIXED));
                TokenBucket reference = memory.bucket("k", spec);
                TokenBucket script = redis.bucket("k", spec);
                long tokens = tokens(random);
                int kind = random.nextInt(100);
                Answer expected;
                Answer actual;
                if (kind < 80) {
                    expected = answer("tryConsume", tokens, reference.tryConsume(tokens));
                    actual = answer("tryConsume", tokens, script.tryConsume(tokens));
                } else if (kind < 90) {
                    expected = answer("estimate", tokens, reference.estimate(tokens));
                    actual = answer("estimate", tokens, script.estimate(tokens));
                } else {
                    long maxWait = random.nextLong(1, 20_000_000_000L);
                    expected = reserved(tokens, reference.reserve(tokens, maxWait));
                    actual = reserved(tokens, script.reserve(tokens, maxWait));
                }
                if (!expected.equals(actual) && differing++ == 0) {
                    first = "step " + i + " (policy " + spec.policy().name() + ", change "
                            + changes + "): Bucket4j " + expected + ", script " + actual;
                }
            }
        }
        assertTrue(changes > 100, "changes " + changes);
        assertEquals(0, differing, "diverging answers, first: " + first);
    }

    private enum StepSize { MIXED, HOURS }

    private static final class Result {
        int steps;
        int decisionDivergences;
        int answerDivergences;
        int consumed;
        int reserves;
        int perLimitAnswers;
        String first = "none";
    }

    private static Result run(Policy policy, long tokenScale, int steps, long seed,
                              StepSize size) {
        ManualClock clock = new ManualClock(1_767_225_600_123_456_789L);
        BucketSpec spec = BucketSpec.of(policy);
        SplittableRandom random = new SplittableRandom(seed);
        Result result = new Result();
        result.steps = steps;
        try (InMemoryStore memory = InMemoryStore.builder().ticker(clock).build();
             RedisStore redis = scriptStore(clock)) {
            TokenBucket reference = memory.bucket("k", spec);
            TokenBucket script = redis.bucket("k", spec);
            assertInstanceOf(ScriptTokenBucket.class, script, "the script must serve this policy");
            // Both buckets come to life now (a Bucket4j bucket when it is created, the script's
            // on its first call), so interval refills are aligned to the same instant.
            assertEquals(reference.estimate(1), script.estimate(1));
            List<String> recent = new ArrayList<>();
            for (int i = 0; i < steps; i++) {
                clock.advanceNanos(step(random, size));
                long tokens = tokens(random) * tokenScale;
                int kind = random.nextInt(100);
                Answer expected;
                Answer actual;
                if (kind < 80) {
                    expected = answer("tryConsume", tokens, reference.tryConsume(tokens));
                    actual = answer("tryConsume", tokens, script.tryConsume(tokens));
                } else if (kind < 90) {
                    expected = answer("estimate", tokens, reference.estimate(tokens));
                    actual = answer("estimate", tokens, script.estimate(tokens));
                } else {
                    long maxWait = random.nextLong(1, 20_000_000_000L);
                    expected = reserved(tokens, reference.reserve(tokens, maxWait));
                    actual = reserved(tokens, script.reserve(tokens, maxWait));
                }
                if (expected.op().equals("reserve")) {
                    result.reserves++;
                } else if (!expected.perLimit().isEmpty() && !actual.perLimit().isEmpty()) {
                    result.perLimitAnswers++;
                }
                recent.add(expected.toString());
                if (recent.size() > 5) {
                    recent.remove(0);
                }
                if (expected.decision() && expected.op().equals("tryConsume")) {
                    result.consumed++;
                }
                if (expected.decision() != actual.decision()) {
                    result.decisionDivergences++;
                }
                if (!expected.equals(actual)) {
                    if (result.answerDivergences == 0) {
                        result.first = "step " + i + ": Bucket4j " + expected + ", script "
                                + actual + "; before: " + recent;
                    }
                    result.answerDivergences++;
                }
            }
        }
        return result;
    }

    private static long step(SplittableRandom random, StepSize size) {
        if (size == StepSize.HOURS) {
            return random.nextLong(1, 7_200_000_000_000L);
        }
        int bucket = random.nextInt(100);
        if (bucket < 15) {
            return 0;
        } else if (bucket < 35) {
            return random.nextLong(1, 1_000_000); // below a millisecond
        } else if (bucket < 75) {
            return random.nextLong(1_000_000, 500_000_000); // ms to half a second
        } else if (bucket < 97) {
            return random.nextLong(500_000_000, 5_000_000_000L); // around the periods
        }
        return random.nextLong(5_000_000_000L, 600_000_000_000L); // up to 10 minutes
    }

    private static long tokens(SplittableRandom random) {
        return random.nextInt(10) < 7 ? 1 + random.nextInt(3) : 1 + random.nextInt(20);
    }

    private static Answer answer(String op, long tokens, Probe p) {
        return new Answer(op, tokens, p.granted(), p.remaining(), p.nanosToWait(),
                p.nanosToFull(), p.hasPerLimit() ? Arrays.toString(p.remainingPerLimit())
                        + " " + Arrays.toString(p.nanosToFullPerLimit()) : "");
    }

    private static Answer reserved(long tokens, long wait) {
        return new Answer("reserve", tokens, wait >= 0, wait, 0, 0, "");
    }

    /** The script-strategy store under comparison, on the test's clock. */
    private static RedisStore scriptStore(ManualClock clock) {
        return TestRedis.patientStore().url(TestRedis.url())
                .strategy(RedisStrategy.SCRIPT).keyPrefix(TestRedis.uniquePrefix())
                .ticker(clock).keyTtlKeepAlive(Duration.ofHours(1)).build();
    }
}
