package dev.ratelimiter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.spi.BucketStore;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;




import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every store must show through the limiter: one suite, subclassed by each backend
 * (in-memory, Caffeine, Redis). A subclass supplies {@link #newStore(ManualClock)}; every test
 * steps the clock instead of sleeping.
 *
 * <p>Keys carry a per-test random tag (as a suffix, so that patterns such as {@code user:*} still
 * match), so that suites sharing one external store cannot see each other's buckets.
 */
public abstract class RateLimiterConformanceTest {

    /** Starts near the Unix epoch in nanoseconds, as a shared store's wall clock would read. */
    protected final ManualClock clock = new ManualClock(1_767_225_600_000_000_000L);

    private final String tag = ":" + UUID.randomUUID();
    private final List<RateLimiter> limiters = new ArrayList<>();

    /**
     * A new, empty store whose buckets read {@code clock}.
     *
     * @param clock the manual clock of this test
     * @return the store under test
     */
    protected abstract BucketStore newStore(ManualClock clock);

    /** A limiter over a new store with the given rules, closed after the test. */
    protected RateLimiter limiter(Rules rules) {
        RateLimiter limiter = RateLimiter.builder()
                .rules(rules).store(newStore(clock)).sleeper(clock).build();
        limiters.add(limiter);
        return limiter;
    }

    protected RateLimiter limiter(Limit... limits) {
        return limiter(Rules.of(Policy.of("test", limits)));
    }

    /** A key unique to this test run, ending with the tag. */
    protected String key(String name) {
        return name + tag;
    }

    @AfterEach
    void closeLimiters() {
        limiters.forEach(RateLimiter::close);
    }

    private static Limit perSecond(long capacity, long tokensPerSecond) {
        return Limit.capacity(capacity).refillGreedy(tokensPerSecond, Duration.ofSeconds(1));
    }

    @Test
    void burstUpToCapacityThenDeny() {
        RateLimiter limiter = limiter(perSecond(5, 1));
        String k = key("burst");
        for (int i = 1; i <= 5; i++) {
            Decision d = limiter.tryAcquire(k);
            assertTrue(d.allowed(), "request " + i);
            assertEquals(5 - i, d.remaining());
            assertEquals(Duration.ZERO, d.retryAfter());
        }
        Decision denied = limiter.tryAcquire(k);
        assertFalse(denied.allowed());
        assertEquals(0, denied.remaining());
        assertEquals(5, denied.limit());
        assertEquals(k, denied.key());
        assertEquals(1, denied.tokensRequested());
        assertEquals("test", denied.policyName());
        assertEquals(Duration.ofSeconds(1), denied.retryAfter());
        assertEquals(Duration.ofSeconds(5), denied.resetAfter());
        assertFalse(denied.degraded());
    }

    @Test
    void greedyRefillAddsTokensAsTimePasses() {
        RateLimiter limiter = limiter(perSecond(10, 2));
        String k = key("greedy");
        assertTrue(limiter.tryAcquire(k, 10).allowed());
        assertFalse(limiter.tryAcquire(k).allowed());

        clock.advance(Duration.ofMillis(499));
        assertFalse(limiter.tryAcquire(k).allowed(), "one token is due at 500 ms, not before");
        clock.advance(Duration.ofMillis(1));
        Decision d = limiter.tryAcquire(k);
        assertTrue(d.allowed());
        assertEquals(0, d.remaining());

        clock.advance(Duration.ofMinutes(1));
        assertTrue(limiter.tryAcquire(k, 10).allowed(), "refill stops at capacity");
        assertFalse(limiter.tryAcquire(k).allowed(), "never above capacity");
    }

    @Test
    void intervalRefillAddsEverythingAtTheEndOfThePeriod() {
        RateLimiter limiter = limiter(
                Limit.capacity(10).refillIntervally(10, Duration.ofSeconds(1)));
        String k = key("interval");
        assertTrue(limiter.tryAcquire(k, 10).allowed());

        clock.advance(Duration.ofMillis(999));
        Decision early = limiter.tryAcquire(k);
        assertFalse(early.allowed(), "interval refill adds nothing before the period ends");
        assertEquals(Duration.ofMillis(1), early.retryAfter());

        clock.advance(Duration.ofMillis(1));
        Decision d = limiter.tryAcquire(k, 10);
        assertTrue(d.allowed());
        assertEquals(0, d.remaining());
    }

    @Test
    void multiLimitPolicyChecksEveryLimitTogether() {
        RateLimiter limiter = limiter(perSecond(10, 10), Limit.of(20, Duration.ofMinutes(1)));
        String k = key("multi");
        assertTrue(limiter.tryAcquire(k, 10).allowed());
        Decision perSecondDenied = limiter.tryAcquire(k);
        assertFalse(perSecondDenied.allowed());
        assertEquals(10, perSecondDenied.limit(), "the tightest limit is reported");

        clock.advance(Duration.ofSeconds(1));
        Decision second = limiter.tryAcquire(k, 10);
        assertTrue(second.allowed());
        assertEquals(0, second.remaining());

        clock.advance(Duration.ofSeconds(1));
        Decision minuteDenied = limiter.tryAcquire(k, 2);
        assertFalse(minuteDenied.allowed(),
                "the per-second bucket is full again but the per-minute one is not");
        // The minute bucket got 2 s * 20/60 = 0.67 tokens back; 2 need another 4 s in all.
        assertEquals(Duration.ofSeconds(4), minuteDenied.retryAfter());
        assertEquals(0, minuteDenied.remaining(), "remaining is the minimum over the limits");

        clock.advance(Duration.ofSeconds(4));
        assertTrue(limiter.tryAcquire(k, 2).allowed());
    }

    /** Each of a two-limit decision's limits: its own tokens left and time to full. */
    private static void assertLimits(Decision d, long remaining0, Duration toFull0,
                                     long remaining1, Duration toFull1) {
        assertEquals(remaining0, d.remaining(0), "limit 0 remaining");
        assertEquals(toFull0.toNanos(), d.resetAfterNanos(0), "limit 0 time to full");
        assertEquals(remaining1, d.remaining(1), "limit 1 remaining");
        assertEquals(toFull1.toNanos(), d.resetAfterNanos(1), "limit 1 time to full");
    }

    @Test
    void multiLimitPolicy_reportsEachLimitsOwnRemainingAndTimeToFull() {
        // 10 at 5 per second (a token per 200 ms) and 100 per minute (a token per 600 ms).
        RateLimiter limiter = limiter(perSecond(10, 5), Limit.of(100, Duration.ofMinutes(1)));
        String k = key("per-limit");
        Decision first = limiter.tryAcquire(k, 4);
        assertTrue(first.allowed());
        assertLimits(first, 6, Duration.ofMillis(800), 96, Duration.ofMillis(2_400));
        assertEquals(6, first.remaining(), "the minimum over the limits");
        assertEquals(Duration.ofMillis(2_400), first.resetAfter(), "the longest of the limits");

        // 400 ms: the first limit gets 2 tokens back, the second 2/3 of one (carried, not
        // whole), so its time to full is 7 tokens' worth less the 400 ms already refilled.
        clock.advance(Duration.ofMillis(400));
        Decision second = limiter.tryAcquire(k, 3);
        assertTrue(second.allowed());
        assertLimits(second, 5, Duration.ofSeconds(1), 93, Duration.ofMillis(3_800));

        Decision denied = limiter.tryAcquire(k, 6);
        assertFalse(denied.allowed());
        assertEquals(5, denied.remaining(0), "a denial consumes nothing");
        assertEquals(93, denied.remaining(1));
        assertEquals(Duration.ofMillis(3_800).toNanos(), denied.resetAfterNanos(1));

        Decision peeked = limiter.peek(k);
        assertEquals(5, peeked.remaining(0));
        assertEquals(93, peeked.remaining(1));
        assertEquals(Duration.ofSeconds(1).toNanos(), peeked.resetAfterNanos(0));

        // 1 s later the first limit is full again, its time to full 0; the second is not.
        clock.advance(Duration.ofSeconds(1));
        // The second: 93 and 2/3, plus 1 s at 600 ms a token, is 95 and 1/3; full in 5 tokens'
        // time less the third already refilled.
        Decision later = limiter.peek(k);
        assertLimits(later, 10, Duration.ZERO, 95, Duration.ofMillis(2_800));
        assertEquals(10, later.remaining(), "now the first limit is the larger");
    }

    @Test
    void multiLimitPolicy_anIntervalLimitReportsItsOwnTimeToTheRefillThatFillsIt() {
        // A greedy limit and an interval one that adds all 50 tokens once a minute, aligned to
        // the key's first check.
        RateLimiter limiter = limiter(perSecond(10, 5),
                Limit.capacity(50).refillIntervally(50, Duration.ofMinutes(1)));
        String k = key("per-limit-interval");
        Decision first = limiter.tryAcquire(k, 4);
        assertLimits(first, 6, Duration.ofMillis(800), 46, Duration.ofMinutes(1));

        clock.advance(Duration.ofSeconds(10));
        Decision d = limiter.tryAcquire(k, 1);
        assertLimits(d, 9, Duration.ofMillis(200), 45, Duration.ofSeconds(50));

        // Just before the minute: the greedy limit emptied needs 2 s, the interval limit only
        // the 100 ms until its refill, however empty the other limit is.
        clock.advance(Duration.ofMillis(49_900));
        Decision drained = limiter.tryAcquire(k, 10);
        assertTrue(drained.allowed());
        assertLimits(drained, 0, Duration.ofSeconds(2), 35, Duration.ofMillis(100));

        clock.advance(Duration.ofMillis(100));
        Decision refilled = limiter.peek(k); // the first limit holds half a token
        assertLimits(refilled, 0, Duration.ofMillis(1_900), 50, Duration.ZERO);
    }

    @Test
    void requestOverSmallestCapacityIsDeniedForeverAndConsumesNothing() {
        RateLimiter limiter = limiter(perSecond(5, 1), Limit.of(100, Duration.ofMinutes(1)));
        String k = key("huge");
        Decision d = limiter.tryAcquire(k, 6);
        assertFalse(d.allowed());
        assertTrue(d.exceedsCapacity());
        assertEquals(Decision.NEVER, d.retryAfterNanos());
        assertEquals(ChronoUnit.FOREVER.getDuration(), d.retryAfter());
        assertEquals(5, d.remaining());
        assertEquals(5, limiter.peek(k).remaining(), "nothing consumed");
        assertTrue(limiter.tryAcquire(k, 5).allowed());
    }

    @Test
    void keysHaveSeparateBuckets() {
        RateLimiter limiter = limiter(perSecond(3, 1));
        String a = key("a");
        String b = key("b");
        assertTrue(limiter.tryAcquire(a, 3).allowed());
        assertFalse(limiter.tryAcquire(a).allowed());
        Decision other = limiter.tryAcquire(b);
        assertTrue(other.allowed());
        assertEquals(2, other.remaining());
    }

    @Test
    void rulesResolveExactThenMostSpecificPatternThenDefault() {
        Policy dflt = Policy.of("default", perSecond(10, 1));
        Policy users = Policy.of("users", perSecond(3, 1));
        Policy userSearch = Policy.of("user-search", perSecond(7, 1));
        Policy anySearch = Policy.of("any-search", perSecond(5, 1));
        Policy vip = Policy.of("vip", perSecond(100, 1));
        String t = key("");
        Rules rules = Rules.builder(dflt)
                .pattern("user:*", users)
                .pattern("*:search" + t, anySearch)
                .pattern("user:*:search" + t, userSearch)
                .exact("user:vip" + t, vip)
                .build();
        RateLimiter limiter = limiter(rules);
        assertEquals("vip", limiter.tryAcquire("user:vip" + t).policyName());
        assertEquals(100, limiter.tryAcquire("user:vip" + t).limit());
        assertEquals("user-search", limiter.tryAcquire("user:42:search" + t).policyName());
        assertEquals("any-search", limiter.tryAcquire("org:1:search" + t).policyName());
        assertEquals("users", limiter.tryAcquire("user:42" + t).policyName());
        assertEquals(3, limiter.tryAcquire("user:43" + t).limit());
        assertEquals("default", limiter.tryAcquire("other" + t).policyName());
    }

    @Test
    void acquireWaitsForTokensWhenTheWaitFits() throws InterruptedException {
        RateLimiter limiter = limiter(perSecond(1, 1));
        String k = key("acquire");
        assertTrue(limiter.tryAcquire(k).allowed());
        long before = clock.read();
        Decision d = limiter.acquire(k, 1, Duration.ofSeconds(2));
        assertTrue(d.allowed());
        assertEquals(Duration.ofSeconds(1).toNanos(), clock.read() - before,
                "waited exactly until the token was due");
        assertFalse(limiter.tryAcquire(k).allowed(), "the waited-for token was taken");
    }

    @Test
    void acquireRefusesAtOnceWhenTheWaitIsTooLong() throws InterruptedException {
        RateLimiter limiter = limiter(perSecond(1, 1));
        String k = key("acquire-no");
        assertTrue(limiter.tryAcquire(k).allowed());
        long before = clock.read();
        Decision d = limiter.acquire(k, 1, Duration.ofMillis(100));
        assertFalse(d.allowed());
        assertEquals(before, clock.read(), "no wait at all");
        assertEquals(Duration.ofSeconds(1), d.retryAfter());
        clock.advance(Duration.ofSeconds(1));
        assertTrue(limiter.tryAcquire(k).allowed(), "the refused acquire reserved nothing");
    }

    @Test
    void acquireWithoutNeedForWaitingReturnsAtOnce() throws InterruptedException {
        RateLimiter limiter = limiter(perSecond(5, 1));
        String k = key("acquire-now");
        long before = clock.read();
        Decision d = limiter.acquire(k, 2, Duration.ZERO);
        assertTrue(d.allowed());
        assertEquals(3, d.remaining());
        assertEquals(before, clock.read());
    }

    @Test
    void peekReportsStateWithoutConsuming() {
        RateLimiter limiter = limiter(perSecond(5, 1));
        String k = key("peek");
        assertTrue(limiter.tryAcquire(k, 2).allowed());
        for (int i = 0; i < 3; i++) {
            Decision p = limiter.peek(k);
            assertTrue(p.allowed());
            assertEquals(3, p.remaining());
            assertEquals(0, p.tokensRequested());
            assertEquals(Duration.ofSeconds(2), p.resetAfter());
        }
        assertTrue(limiter.tryAcquire(k, 3).allowed());
        Decision empty = limiter.peek(k);
        assertFalse(empty.allowed());
        assertEquals(Duration.ofSeconds(1), empty.retryAfter());
    }

    @Test
    void resetRefillsTheKey() {
        RateLimiter limiter = limiter(perSecond(4, 1));
        String k = key("reset");
        assertTrue(limiter.tryAcquire(k, 4).allowed());
        assertFalse(limiter.tryAcquire(k).allowed());
        limiter.reset(k);
        Decision d = limiter.tryAcquire(k, 4);
        assertTrue(d.allowed());
        assertEquals(0, d.remaining());
    }

    @Test
    void resetAfterIsTheTimeUntilFull() {
        RateLimiter limiter = limiter(perSecond(10, 2));
        Decision d = limiter.tryAcquire(key("reset-after"), 3);
        assertEquals(Duration.ofMillis(1500), d.resetAfter());
    }

    @Test
    void asyncCallsDecideLikeSyncOnes() throws Exception {
        RateLimiter limiter = limiter(perSecond(2, 1));
        String k = key("async");
        assertTrue(limiter.tryAcquireAsync(k, 2).get(10, TimeUnit.SECONDS).allowed());
        Decision d = limiter.tryAcquireAsync(k, 1).get(10, TimeUnit.SECONDS);
        assertFalse(d.allowed());
        assertEquals(Duration.ofSeconds(1), d.retryAfter());
    }

    @Test
    void concurrentCallersOnOneKeyAreAdmittedExactlyCapacityTimes() throws Exception {
        int threads = 16;
        long capacity = 200;
        int attemptsPerThread = 40;
        RateLimiter limiter = limiter(Limit.capacity(capacity).refillGreedy(1, Duration.ofDays(1)));
        long admitted = Concurrency.admitted(List.of(limiter), key("concurrent"), threads,
                attemptsPerThread);
        assertEquals(capacity, admitted,
                threads * attemptsPerThread + " attempts on capacity " + capacity);
    }

    @Test
    void invalidArgumentsAreRejectedWithMessagesAndConsumeNothing() {
        RateLimiter limiter = RateLimiter.builder().rules(Rules.of(Policy.of("test",
                perSecond(5, 1)))).store(newStore(clock)).sleeper(clock).maxKeyBytes(8).build();
        limiters.add(limiter);
        assertEquals("key", assertThrows(NullPointerException.class,
                () -> limiter.tryAcquire(null)).getMessage());
        assertEquals("key must not be blank", assertThrows(IllegalArgumentException.class,
                () -> limiter.tryAcquire("  ")).getMessage());
        assertEquals("tokens must be >= 1, was 0", assertThrows(IllegalArgumentException.class,
                () -> limiter.tryAcquire("k", 0)).getMessage());
        assertEquals("tokens must be >= 1, was -3", assertThrows(IllegalArgumentException.class,
                () -> limiter.tryAcquireAsync("k", -3)).getMessage());
        assertEquals("key must be at most 8 UTF-8 bytes, was 9",
                assertThrows(IllegalArgumentException.class,
                        () -> limiter.tryAcquire("123456789")).getMessage());
        assertEquals("key must be at most 8 UTF-8 bytes, was 9",
                assertThrows(IllegalArgumentException.class,
                        () -> limiter.tryAcquire("\u00e9\u00e9\u00e9\u00e9a")).getMessage(),
                "length is counted in UTF-8 bytes, not chars");
        assertEquals("maxWait must not be negative, was PT-1S",
                assertThrows(IllegalArgumentException.class,
                        () -> limiter.acquire("k", 1, Duration.ofSeconds(-1))).getMessage());
        String k = "k" + tag.substring(1, 6);
        assertEquals(5, limiter.peek(k).remaining(), "nothing was consumed by bad calls");
    }

    // ---- Changing rules while running (RateLimiter.updateRules): the same rule on every store.

    private static Rules rulesOf(String name, Limit... limits) {
        return Rules.of(Policy.of(name, limits));
    }

    @Test
    void policyChange_tokensUsedStayUsed_forAGrowingAndAShrinkingLimit() {
        RateLimiter limiter = limiter(Rules.of(Policy.of("old", perSecond(10, 1),
                Limit.of(100, Duration.ofHours(1)))));
        String k = key("change");
        assertTrue(limiter.tryAcquire(k, 4).allowed()); // 6 of 10 and 96 of 100 left
        limiter.updateRules(Rules.of(Policy.of("new", perSecond(6, 1),
                Limit.of(200, Duration.ofHours(1)))));
        Decision d = limiter.tryAcquire(k, 1);
        assertTrue(d.allowed());
        assertEquals("new", d.policyName());
        assertEquals(1, d.remaining(), "6 - (10 - 6) = 2 before this request, 1 after");
        assertEquals(6, d.limit());
        assertFalse(limiter.tryAcquire(k, 2).allowed());
        assertTrue(limiter.tryAcquire(k, 1).allowed());
        assertFalse(limiter.tryAcquire(k, 1).allowed());
        // The second limit kept its consumption too: 200 - (100 - 96) - 2 = 194 left there, so
        // a full per-second bucket (6 s later) is the only constraint.
        clock.advance(Duration.ofSeconds(6));
        assertTrue(limiter.tryAcquire(k, 6).allowed());
    }

    @Test
    void policyChange_aNewLimitStartsFull_andARemovedOneIsDropped() {
        RateLimiter limiter = limiter(rulesOf("one", perSecond(10, 1)));
        String k = key("added");
        assertTrue(limiter.tryAcquire(k, 7).allowed());
        limiter.updateRules(rulesOf("two", perSecond(10, 1), Limit.of(15, Duration.ofHours(1))));
        Decision d = limiter.tryAcquire(k, 3);
        assertTrue(d.allowed(), "3 of the first limit's 10 were left; the new one is full");
        assertEquals(0, d.remaining());
        clock.advance(Duration.ofSeconds(10));
        assertTrue(limiter.tryAcquire(k, 10).allowed());
        clock.advance(Duration.ofSeconds(10));
        assertEquals(2, limiter.peek(k).remaining(), "15 - 3 - 10 left in the new limit");
        limiter.updateRules(rulesOf("back", perSecond(10, 1)));
        clock.advance(Duration.ofSeconds(10));
        assertEquals(10, limiter.peek(k).remaining(), "the hourly limit is gone");
    }

    @Test
    void policyChange_cutBelowWhatWasUsed_leavesADebtTheRefillPaysFirst() {
        RateLimiter limiter = limiter(rulesOf("wide", perSecond(10, 1)));
        String k = key("cut");
        assertTrue(limiter.tryAcquire(k, 8).allowed());
        limiter.updateRules(rulesOf("narrow", perSecond(5, 1)));
        Decision d = limiter.tryAcquire(k);
        assertFalse(d.allowed(), "5 - 8 = -3: nothing available");
        assertEquals(0, d.remaining());
        assertEquals(Duration.ofSeconds(4), d.retryAfter(), "3 tokens of debt, then 1");
        clock.advance(Duration.ofSeconds(4));
        assertTrue(limiter.tryAcquire(k).allowed());
    }

    @Test
    void policyChange_backAndForth_givesNoTokens() {
        RateLimiter limiter = limiter(rulesOf("a", perSecond(10, 1)));
        String k = key("pingpong");
        assertTrue(limiter.tryAcquire(k, 8).allowed());
        for (int i = 0; i < 3; i++) {
            limiter.updateRules(rulesOf("b", perSecond(5, 1)));
            assertFalse(limiter.tryAcquire(k).allowed());
            limiter.updateRules(rulesOf("a", perSecond(10, 1)));
            assertEquals(2, limiter.peek(k).remaining(), "round " + i);
        }
        assertTrue(limiter.tryAcquire(k, 2).allowed());
        assertFalse(limiter.tryAcquire(k).allowed());
    }

    @Test
    void policyChange_refillContinuesAtTheNewRate() {
        RateLimiter limiter = limiter(rulesOf("slow", perSecond(10, 1)));
        String k = key("rate");
        assertTrue(limiter.tryAcquire(k, 10).allowed());
        clock.advance(Duration.ofMillis(500)); // half a token under the old rate: dropped
        limiter.updateRules(rulesOf("fast", perSecond(10, 10)));
        assertFalse(limiter.tryAcquire(k).allowed()); // the move happens at this check
        clock.advance(Duration.ofMillis(100));
        Decision d = limiter.tryAcquire(k);
        assertTrue(d.allowed(), "one token after 100 ms at 10 per second");
        assertEquals(0, d.remaining());
        assertEquals(Duration.ofMillis(100), limiter.tryAcquire(k).retryAfter());
    }

    @Test
    void policyChange_withTheSameLimits_keepsTheBucketExactly() {
        RateLimiter limiter = limiter(rulesOf("first", perSecond(10, 2)));
        String k = key("same");
        assertTrue(limiter.tryAcquire(k, 10).allowed());
        clock.advance(Duration.ofMillis(250)); // half a token
        limiter.updateRules(Rules.of(Policy.of("renamed", perSecond(10, 2)).withShadow(true)));
        assertFalse(limiter.peek(k).allowed(), "half a token: the key adopts the new policy");
        clock.advance(Duration.ofMillis(250));
        Decision d = limiter.peek(k);
        assertTrue(d.allowed(), "the half token refilled before the swap was kept");
        assertEquals("renamed", d.policyName());
    }

    @Test
    void policyChange_leavesKeysOfUnchangedPoliciesAlone() {
        Policy users = Policy.of("users", perSecond(5, 1));
        RateLimiter limiter = limiter(Rules.builder(Policy.of("default", perSecond(10, 1)))
                .pattern("user:*", users).build());
        String u = key("user:1");
        String other = key("other");
        assertTrue(limiter.tryAcquire(u, 3).allowed());
        assertTrue(limiter.tryAcquire(other, 3).allowed());
        limiter.updateRules(Rules.builder(Policy.of("default", perSecond(20, 1)))
                .pattern("user:*", users).build());
        assertEquals(2, limiter.peek(u).remaining());
        assertEquals(17, limiter.peek(other).remaining(), "20 - (10 - 7)");
    }

    @Test
    void shadowPolicy_allowsWhatItWouldDeny_keepsState_andEnforcesWhenTurnedOff() {
        Policy shadow = Policy.of("trial", perSecond(2, 1)).withShadow(true);
        RateLimiter limiter = limiter(Rules.of(shadow));
        String k = key("shadow");
        assertEquals(Decision.Outcome.ALLOWED, limiter.tryAcquire(k).outcome());
        assertEquals(Decision.Outcome.ALLOWED, limiter.tryAcquire(k).outcome());
        Decision d = limiter.tryAcquire(k);
        assertEquals(Decision.Outcome.SHADOW_DENIED, d.outcome());
        assertTrue(d.allowed());
        assertFalse(d.degraded());
        assertFalse(d.outcome().refused());
        assertEquals("shadow_denied", d.outcome().tag());
        assertEquals(0, d.remaining());
        assertEquals(Duration.ofSeconds(1), d.retryAfter(), "what the policy would say");
        assertEquals(Decision.Outcome.SHADOW_DENIED, limiter.tryAcquire(k, 5).outcome(),
                "over capacity: shadow-denied too");
        limiter.updateRules(Rules.of(shadow.withShadow(false)));
        assertEquals(Decision.Outcome.DENIED, limiter.tryAcquire(k).outcome(),
                "enforced at once, with the state built up in shadow");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(Decision.Outcome.ALLOWED, limiter.tryAcquire(k).outcome());
    }

    @Test
    void policyChangesWhileThreadsCheck_neverFail_andKeepExactCounts() throws Exception {
        // UpdateRulesConcurrencyTest's proof, smaller, on every store: no refill (1 per day, the
        // clock stands still), so admissions are exactly tokens used, and a move keeps them.
        long wide = 100;
        long narrow = 60;
        java.util.function.LongFunction<Rules> rules = capacity -> Rules.of(Policy.of(
                "c" + capacity, Limit.capacity(capacity).refillGreedy(1, Duration.ofDays(1))));
        RateLimiter limiter = limiter(rules.apply(wide));
        String[] keys = {key("swap-a"), key("swap-b"), key("swap-c")};
        java.util.concurrent.atomic.AtomicLongArray admitted =
                new java.util.concurrent.atomic.AtomicLongArray(keys.length);
        java.util.concurrent.atomic.AtomicBoolean swapping =
                new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.ExecutorService pool =
                java.util.concurrent.Executors.newFixedThreadPool(7);
        try {
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<?>> checkers = new ArrayList<>();
            // Regression: on a fast run the checkers could finish before the swapper was even
            // scheduled (0 swaps). They keep checking until some swaps have happened (bounded).
            java.util.concurrent.atomic.AtomicInteger swapsSoFar =
                    new java.util.concurrent.atomic.AtomicInteger();
            for (int t = 0; t < 6; t++) {
                int first = t;
                checkers.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 300 || (swapsSoFar.get() < 20 && i < 200_000); i++) {
                        int k = (first + i) % keys.length;
                        if (limiter.tryAcquire(keys[k]).allowed()) {
                            admitted.incrementAndGet(k);
                        }
                    }
                    return null;
                }));
            }
            java.util.concurrent.Future<Integer> swapper = pool.submit(() -> {
                start.await();
                int swaps = 0;
                while (swapping.get()) {
                    limiter.updateRules(rules.apply(swaps++ % 2 == 0 ? narrow : wide));
                    swapsSoFar.incrementAndGet();
                    Thread.yield();
                }
                return swaps;
            });
            start.countDown();
            for (java.util.concurrent.Future<?> f : checkers) {
                f.get(120, TimeUnit.SECONDS); // rethrows what a check met
            }
            swapping.set(false);
            assertTrue(swapper.get(10, TimeUnit.SECONDS) > 0);
        } finally {
            pool.shutdownNow();
        }
        for (int k = 0; k < keys.length; k++) {
            long during = admitted.get(k);
            assertTrue(during <= wide, keys[k] + " admitted " + during);
            limiter.updateRules(rules.apply(narrow));
            long underNarrow = drain(limiter, keys[k]);
            assertEquals(Math.max(during, narrow), during + underNarrow, keys[k]);
            limiter.updateRules(rules.apply(wide));
            assertEquals(wide, during + underNarrow + drain(limiter, keys[k]), keys[k]);
        }
    }

    private static long drain(RateLimiter limiter, String key) {
        long n = 0;
        while (limiter.tryAcquire(key).allowed()) {
            n++;
        }
        return n;
    }
}
