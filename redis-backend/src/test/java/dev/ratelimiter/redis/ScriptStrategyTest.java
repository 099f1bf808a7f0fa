package dev.ratelimiter.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.Limit;
import dev.ratelimiter.ManualClock;
import dev.ratelimiter.Policy;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.Rules;
import dev.ratelimiter.config.ConfigSource;
import dev.ratelimiter.failure.FailurePolicy;
import dev.ratelimiter.redis.testing.RedisProcess;
import dev.ratelimiter.redis.testing.TestRedis;
import dev.ratelimiter.spi.Bucket4jTokenBucket;
import dev.ratelimiter.spi.BucketSpec;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import redis.clients.jedis.Jedis;

/**
 * The script strategy's own contract beyond the conformance suite: one {@code EVALSHA} per check
 * and nothing else on the wire, {@code NOSCRIPT} answered by reloading, exactness with 64 and 400
 * callers over two stores, the bucket as one key with a TTL, the fallback to compare-and-swap for
 * policies outside the script's exact range, and the strategy option. Runs on a Redis of its own,
 * so that {@code INFO commandstats} and {@code SCRIPT FLUSH} see no other test's traffic.
 */
class ScriptStrategyTest {

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

    private static RedisStoreBuilder store(String prefix, ManualClock clock, int pool) {
        return RedisStore.builder().url(redis.url()).strategy(RedisStrategy.SCRIPT)
                .keyPrefix(prefix).ticker(clock).poolMaxTotal(pool)
                .connectTimeout(Duration.ofSeconds(2)).readTimeout(Duration.ofSeconds(2))
                .poolMaxWait(Duration.ofSeconds(2));
    }

    private static ConfigSource source(Map<String, String> props, Map<String, String> env) {
        java.util.Properties p = new java.util.Properties();
        p.putAll(props);
        return ConfigSource.of(p, env);
    }

    private static Map<String, Long> commandCalls(Jedis jedis) {
        Map<String, Long> calls = new HashMap<>();
        for (String line : jedis.info("commandstats").split("\r?\n")) {
            int at = line.indexOf("calls=");
            if (line.startsWith("cmdstat_") && at > 0) {
                calls.put(line.substring(8, line.indexOf(':')),
                        Long.parseLong(line.substring(at + 6, line.indexOf(',', at))));
            }
        }
        return calls;
    }

    @Test
    void everyCheckIsOneEvalsha_andNothingElseCrossesTheNetwork() {
        ManualClock clock = new ManualClock(1_767_225_600_000_000_000L);
        Rules rules = Rules.of(Policy.of("two", Limit.capacity(100).refillGreedy(10,
                Duration.ofSeconds(1)), Limit.capacity(1000).refillIntervally(1000,
                Duration.ofHours(1))));
        try (RateLimiter limiter = RateLimiter.builder().rules(rules)
                .store(store(TestRedis.uniquePrefix(), clock, 4).build()).build();
             Jedis jedis = redis.jedis()) {
            limiter.tryAcquire("warm"); // loads the script and opens the connection
            jedis.configResetStat();
            int allowed = 0;
            for (int i = 0; i < 300; i++) {
                clock.advance(Duration.ofMillis(7));
                allowed += limiter.tryAcquire("k" + (i % 3), 1 + i % 5).allowed() ? 1 : 0;
            }
            Map<String, Long> calls = commandCalls(jedis);
            assertEquals(300, calls.get("evalsha"), "" + calls);
            // Inside the script: one GET per check, one SET ... PX per write; nothing else.
            assertEquals(300, calls.get("get"), "" + calls);
            assertTrue(allowed > 0 && calls.get("set") >= allowed, "" + calls);
            calls.keySet().removeAll(java.util.Set.of("evalsha", "get", "set", "config",
                    "info"));
            assertEquals(Map.of(), calls, "no other command may run");
        }
    }

    @Test
    void concurrentChecksOnOneKeyInOneJvm_shareEvalshas_andStayExact() throws Exception {
        ManualClock clock = new ManualClock(1_767_225_600_000_000_000L);
        long capacity = 64 * 50;
        try (RateLimiter a = RateLimiter.builder().rules(Exactness.noRefill(capacity))
                .store(store(TestRedis.uniquePrefix(), clock, 8).build()).build();
             Jedis jedis = redis.jedis()) {
            a.tryAcquire("warm");
            jedis.configResetStat();
            // 64 threads x 100 attempts on one key through one store (8 connections): twice
            // the capacity; exactly the capacity admitted, in fewer EVALSHAs than checks.
            Exactness.round(a, a, "hot", capacity, 64, 100);
            long evalshas = commandCalls(jedis).get("evalsha");
            assertTrue(evalshas < 64 * 100, "EVALSHAs " + evalshas + " for 6,400 checks");
            System.out.printf("batching: 6,400 checks on one key in %d EVALSHAs%n", evalshas);
        }
    }

    @Test
    void scriptFlushMidRun_isAnsweredByReloading_withNoErrorAndTheSameDecisions() {
        ManualClock clock = new ManualClock(1_767_225_600_000_000_000L);
        Rules rules = Rules.of(Policy.of("five", Limit.capacity(5)
                .refillIntervally(5, Duration.ofMinutes(1))));
        try (RateLimiter limiter = RateLimiter.builder().rules(rules)
                .store(store(TestRedis.uniquePrefix(), clock, 4).build()).build();
             Jedis jedis = redis.jedis()) {
            for (int round = 0; round < 5; round++) {
                jedis.scriptFlush();
                assertFalse(jedis.scriptExists(RedisScripts.TOKEN_BUCKET_SHA));
                for (int i = 0; i < 5; i++) {
                    assertTrue(limiter.tryAcquire("k" + round).allowed(), "round " + round);
                }
                assertFalse(limiter.tryAcquire("k" + round).allowed());
                assertTrue(jedis.scriptExists(RedisScripts.TOKEN_BUCKET_SHA), "reloaded");
            }
        }
    }

    @ParameterizedTest(name = "{0} callers, batching {1}")
    @CsvSource({"64, true", "400, true", "64, false", "400, false"})
    void twoStoresWithSeparatePools_admitExactlyCapacity_withNoErrors(int threads,
                                                                     boolean batching)
            throws Exception {
        String prefix = TestRedis.uniquePrefix();
        ManualClock clock = new ManualClock(1_767_225_600_000_000_000L);
        long capacity = threads * 2L;
        Rules rules = Exactness.noRefill(capacity);
        try (RateLimiter a = RateLimiter.builder().rules(rules)
                     .store(store(prefix, clock, 32).batching(batching).build()).build();
             RateLimiter b = RateLimiter.builder().rules(rules)
                     .store(store(prefix, clock, 32).batching(batching).build()).build()) {
            for (int round = 0; round < 3; round++) {
                // 4 attempts per caller: twice the capacity. Any error fails the round.
                Exactness.round(a, b, "exact:" + round, capacity, threads, 4);
                assertFalse(b.tryAcquire("exact:" + round).allowed());
            }
        }
    }

    @Test
    void aBucketIsOneKeyHoldingEveryLimit_withATtlOfTimeToFullPlusKeepAlive() {
        String prefix = TestRedis.uniquePrefix();
        ManualClock clock = new ManualClock(1_767_225_600_000_000_000L);
        // Greedy 1 token per second, capacity 10: after 4 tokens, full again in 4 s.
        Rules rules = Rules.of(Policy.of("p", Limit.capacity(10).refillGreedy(1,
                Duration.ofSeconds(1)), Limit.capacity(100).refillIntervally(100,
                Duration.ofMinutes(1))));
        try (RateLimiter limiter = RateLimiter.builder().rules(rules)
                .store(store(prefix, clock, 2).keyTtlKeepAlive(Duration.ofSeconds(30)).build())
                .build();
             Jedis jedis = redis.jedis()) {
            assertTrue(limiter.tryAcquire("k", 4).allowed());
            assertEquals("string", jedis.type(prefix + "k"));
            // Packed doubles (format 2): signature, origin, per limit last refill, tokens and
            // remainder, then per limit the limit written under (capacity, tokens, period, g).
            java.nio.DoubleBuffer state = java.nio.ByteBuffer.wrap(jedis.get(
                    (prefix + "k").getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN).asDoubleBuffer();
            assertEquals(16, state.limit());
            assertEquals(6.0, state.get(3), "tokens left under the first limit");
            assertEquals(96.0, state.get(6), "tokens left under the second limit");
            assertEquals(10.0, state.get(8), "the first limit's capacity");
            assertEquals(1e9, state.get(10), "the first limit's period");
            assertEquals(100.0, state.get(12), "the second limit's capacity");
            assertEquals(0.0, state.get(15), "g = 0: the second limit refills intervally");
            long ttl = jedis.pttl(prefix + "k");
            // 60 s (the interval limit refills on the minute) + 30 s keep-alive, minus elapsed.
            assertTrue(ttl > 89_000 && ttl <= 90_000, "pttl " + ttl);
            assertEquals(1, KeyTtlTest.assertEveryKeyHasTtl(jedis, prefix));
        }
    }

    @Test
    void aPolicyOutsideTheScriptsExactRange_isServedByCompareAndSwap() {
        BucketSpec fine = BucketSpec.of(Policy.of("fine", Limit.capacity(10_000)
                .refillGreedy(10_000, Duration.ofHours(1))));
        // A prime number of tokens per 30 days: tokens x period ~ 2.6e21, no common factor.
        BucketSpec odd = BucketSpec.of(Policy.of("odd", Limit.capacity(10)
                .refillGreedy(999_983, Duration.ofDays(30))));
        BucketSpec slow = BucketSpec.of(Policy.of("slow", Limit.capacity(10)
                .refillGreedy(1, Duration.ofDays(3650))));
        assertTrue(ScriptTokenBucket.supports(fine));
        assertFalse(ScriptTokenBucket.supports(odd));
        assertFalse(ScriptTokenBucket.supports(slow));
        try (RedisStore store = store(TestRedis.uniquePrefix(), new ManualClock(), 2).build()) {
            assertInstanceOf(ScriptTokenBucket.class, store.bucket("a", fine));
            assertInstanceOf(Bucket4jTokenBucket.class, store.bucket("b", odd));
            assertTrue(store.bucket("b", odd).tryConsume(1).granted());
        }
    }

    @Test
    void deadRedis_surfacesAsStoreUnavailable_soTheFailurePolicyAnswers() {
        RedisProcess doomed = RedisProcess.start();
        RedisStore store = RedisStore.builder().url(doomed.url()).strategy(RedisStrategy.SCRIPT)
                .keyPrefix(TestRedis.uniquePrefix()).build();
        try (RateLimiter limiter = RateLimiter.builder().store(store)
                .onStoreFailure(FailurePolicy.FAIL_CLOSED).build()) {
            assertTrue(limiter.tryAcquire("k").allowed());
            doomed.kill();
            var decision = limiter.tryAcquire("k");
            assertFalse(decision.allowed());
            assertTrue(decision.degraded(), "decided without the store: " + decision);
        } finally {
            doomed.close();
        }
    }

    @Test
    void strategyOption_parsesScriptOrCas_andNamesTheValueOtherwise() {
        assertEquals(RedisStrategy.SCRIPT, RedisStrategy.parse("script"));
        assertEquals(RedisStrategy.CAS, RedisStrategy.parse(" CAS "));
        assertEquals(RedisStrategy.SCRIPT, RedisStore.builder().url("redis://h").build()
                .strategy(), "the default");
        Map<String, String> props = Map.of("ratelimiter.redis.url", "redis://h",
                "ratelimiter.redis.strategy", "cas");
        RedisStoreConfig config = RedisStoreConfig.from(source(props, Map.of()));
        try (RedisStore s = RedisStore.builder().config(config).build()) {
            assertEquals(RedisStrategy.CAS, s.strategy());
        }
        RedisStoreConfig fromEnv = RedisStoreConfig.from(source(props,
                Map.of("RATE_LIMITER_REDIS_STRATEGY", "script")));
        assertEquals("script", fromEnv.get("strategy").orElseThrow());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RedisStoreConfig.from(source(Map.of("ratelimiter.redis.url",
                        "redis://h", "ratelimiter.redis.strategy", "lua"), Map.of())));
        assertEquals("ratelimiter.redis.strategy (RATE_LIMITER_REDIS_STRATEGY) must be script"
                + " or cas, was 'lua'", e.getMessage());
    }

    @Test
    void aFormatOneState_writtenBeforePolicyMoves_isReadAndKeptUnderTheSamePolicy() {
        String prefix = TestRedis.uniquePrefix();
        ManualClock clock = new ManualClock(1_767_225_600_000_000_000L);
        Policy policy = Policy.of("p", Limit.capacity(10).refillGreedy(1, Duration.ofSeconds(1)));
        ScriptTokenBucket.Args args = ScriptTokenBucket.args(
                dev.ratelimiter.spi.BucketSpec.of(policy));
        // Format 1: signature, origin (client seconds), last refill (ns since it), tokens, rest.
        java.nio.ByteBuffer old = java.nio.ByteBuffer.allocate(8 * 5)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        old.putDouble(args.signature()).putDouble(1_767_225_600L).putDouble(0).putDouble(3)
                .putDouble(0);
        try (RateLimiter limiter = RateLimiter.builder().rules(Rules.of(policy))
                .store(store(prefix, clock, 2).build()).build();
             Jedis jedis = redis.jedis()) {
            jedis.set((prefix + "k").getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    old.array());
            assertEquals(3, limiter.peek("k").remaining(), "the old state, not a full bucket");
            assertEquals(2, limiter.tryAcquire("k").remaining());
            assertEquals(8 * 9, jedis.get((prefix + "k")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)).length,
                    "rewritten as format 2 by the first write");
        }
    }

    @Test
    void aPolicyMovingToTheCasFallback_startsFull_insteadOfFailingOnTheOtherFormat() {
        String prefix = TestRedis.uniquePrefix();
        ManualClock clock = new ManualClock(1_767_225_600_000_000_000L);
        Limit small = Limit.capacity(10).refillGreedy(1, Duration.ofSeconds(1));
        Limit huge = Limit.capacity(1L << 51).refillGreedy(1, Duration.ofSeconds(1));
        try (RateLimiter limiter = RateLimiter.builder().rules(Rules.of(Policy.of("p", small)))
                .store(store(prefix, clock, 2).build()).build()) {
            assertTrue(limiter.tryAcquire("k", 4).allowed());
            limiter.updateRules(Rules.of(Policy.of("p", huge))); // beyond 2^50: CAS serves it
            assertEquals((1L << 51) - 1, limiter.tryAcquire("k").remaining());
            limiter.updateRules(Rules.of(Policy.of("p", small))); // and back to the script
            assertEquals(9, limiter.tryAcquire("k").remaining());
        }
    }
}
