package dev.ratelimiter.redis;

import dev.ratelimiter.Limit;
import dev.ratelimiter.Refill;
import dev.ratelimiter.Ticker;
import dev.ratelimiter.spi.BucketSpec;
import dev.ratelimiter.spi.TokenBucket;
import io.github.bucket4j.ConsumptionProbe;
import java.util.ArrayList;
import java.util.List;

/**
 * One key's bucket under {@link RedisStrategy#SCRIPT}: each operation is one {@code EVALSHA} of
 * {@link RedisScripts#TOKEN_BUCKET} on the key's hash, which refills, checks every limit and
 * consumes atomically inside Redis. No state is kept here besides the key and the policy's
 * arguments, so instances are cheap and thread-safe.
 *
 * <p>Time is the client's {@link Ticker} (nanoseconds), read once per operation and sent with
 * the command; see {@link RedisStore} for why the client clock and what clock skew does.
 */
final class ScriptTokenBucket implements TokenBucket {

    /** 2^50: the largest capacity or refill amount the script keeps exact. */
    static final long MAX_TOKENS = 1L << 50;
    /** 2^52 ns (52 days): periods must be shorter. */
    static final long MAX_PERIOD_NANOS = 1L << 52;
    /** 2^53: every product in the greedy refill must stay at or below it. */
    static final long EXACT = 1L << 53;
    private static final long MAX_WAIT_ARG = EXACT;
    private static final long NEVER = -1;

    private final String redisKey;
    private final List<String> limitArgs;
    private final String keepAliveMs;
    private final Ticker ticker;
    private final ScriptRunner runner;

    /** Runs the script on the node that owns a key, reloading it after {@code NOSCRIPT}. */
    interface ScriptRunner {
        /**
         * @param key the Redis key
         * @param args the script's arguments
         * @return the script's reply: a list of four Longs
         */
        List<Long> run(String key, List<String> args);
    }

    ScriptTokenBucket(String redisKey, List<String> limitArgs, long keepAliveMs, Ticker ticker,
                      ScriptRunner runner) {
        this.redisKey = redisKey;
        this.limitArgs = limitArgs;
        this.keepAliveMs = Long.toString(keepAliveMs);
        this.ticker = ticker;
        this.runner = runner;
    }

    /**
     * Whether the script computes {@code spec} exactly in doubles (see {@link RedisScripts}):
     * capacities and refill amounts at most 2^50, periods below 2^52 ns (52 days), and for greedy
     * limits {@code (tokens / g) * period + period / g <= 2^53} with
     * {@code g = gcd(tokens, period)}. Every usual policy qualifies (10,000 per hour has
     * {@code g = 10,000}, bound 3.6e12).
     *
     * @param spec the policy
     * @return true if the script strategy can serve it
     */
    static boolean supports(BucketSpec spec) {
        for (Limit limit : spec.policy().limits()) {
            long period = limit.refillPeriodNanos();
            if (limit.capacity() > MAX_TOKENS || limit.refillTokens() > MAX_TOKENS
                    || period >= MAX_PERIOD_NANOS) {
                return false;
            }
            if (limit.refill() == Refill.GREEDY) {
                long g = gcd(limit.refillTokens(), period);
                long reducedTokens = limit.refillTokens() / g;
                // reducedTokens * period + period / g <= 2^53, without overflowing a long
                if (reducedTokens > (EXACT - period / g) / period) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The per-limit script arguments for {@code spec}, after the signature: capacity, refill
     * tokens, period in ns, and gcd (0 for interval limits). The signature is the policy's name
     * and these numbers, so a bucket written under another policy reads as absent.
     *
     * @param spec a policy that {@link #supports} accepts
     * @return the arguments, immutable
     */
    static List<String> limitArgs(BucketSpec spec) {
        List<String> args = new ArrayList<>();
        StringBuilder signature = new StringBuilder(spec.policy().name());
        List<String> numbers = new ArrayList<>();
        for (Limit limit : spec.policy().limits()) {
            long period = limit.refillPeriodNanos();
            long g = limit.refill() == Refill.GREEDY ? gcd(limit.refillTokens(), period) : 0;
            numbers.add(Long.toString(limit.capacity()));
            numbers.add(Long.toString(limit.refillTokens()));
            numbers.add(Long.toString(period));
            numbers.add(Long.toString(g));
        }
        signature.append(':').append(String.join(",", numbers));
        args.add(signature.toString());
        args.addAll(numbers);
        return List.copyOf(args);
    }

    static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    @Override
    public ConsumptionProbe tryConsume(long tokens) {
        List<Long> r = call("c", tokens, 0);
        long remaining = r.get(1);
        long full = r.get(3);
        return r.get(0) == 1 ? ConsumptionProbe.consumed(remaining, full)
                : ConsumptionProbe.rejected(remaining, never(r.get(2)), full);
    }

    @Override
    public Estimate estimate(long tokens) {
        List<Long> r = call("e", tokens, 0);
        boolean possible = r.get(0) == 1;
        // Floored at 0 like Bucket4j's EstimationProbe, which the reference adapter reads.
        return new Estimate(possible, Math.max(0, r.get(1)), possible ? 0 : never(r.get(2)),
                r.get(3));
    }

    @Override
    public long reserve(long tokens, long maxWaitNanos) {
        List<Long> r = call("r", tokens, Math.min(maxWaitNanos, MAX_WAIT_ARG));
        return r.get(0) == 1 ? r.get(2) : -1;
    }

    private static long never(long wait) {
        return wait == NEVER ? Long.MAX_VALUE : wait;
    }

    private List<Long> call(String op, long tokens, long maxWaitNanos) {
        long now = ticker.read();
        List<String> args = new ArrayList<>(7 + limitArgs.size());
        args.add(op);
        args.add(Long.toString(tokens));
        args.add(Long.toString(maxWaitNanos));
        args.add(Long.toString(Math.floorDiv(now, 1_000_000_000L)));
        args.add(Long.toString(Math.floorMod(now, 1_000_000_000L)));
        args.add(keepAliveMs);
        args.addAll(limitArgs);
        return runner.run(redisKey, args);
    }

    @Override
    public String toString() {
        return "ScriptTokenBucket[" + redisKey + "]";
    }
}
