package dev.ratelimiter.redis;

import dev.ratelimiter.Limit;
import dev.ratelimiter.Refill;
import dev.ratelimiter.Ticker;
import dev.ratelimiter.spi.BucketSpec;
import dev.ratelimiter.spi.TokenBucket;
import io.github.bucket4j.ConsumptionProbe;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One key's bucket under {@link RedisStrategy#SCRIPT}: each operation is one {@code EVALSHA} of
 * {@link RedisScripts#TOKEN_BUCKET} on the key, which refills, checks every limit and
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

    private static final byte[] TRY_CONSUME = {'c'};
    private static final byte[] ESTIMATE = {'e'};
    private static final byte[] RESERVE = {'r'};
    /** Numbers before the per-limit ones: tokens, max wait, sec, nsec, keep-alive, signature. */
    private static final int HEADER = 6;

    private final List<byte[]> key;
    private final Args policy;
    private final double keepAliveMs;
    private final Ticker ticker;
    private final ScriptRunner runner;

    /** Runs the script on the node that owns a key, reloading it after {@code NOSCRIPT}. */
    interface ScriptRunner {
        /**
         * @param key the Redis key, as the one-element KEYS list
         * @param args the script's arguments
         * @return the script's reply: a list of four Longs
         */
        List<Long> run(List<byte[]> key, List<byte[]> args);
    }

    /**
     * A policy's part of the script's arguments, computed once per policy: the formats of the
     * numbers and of the state, the signature hash and the per-limit numbers as packed doubles.
     */
    record Args(byte[] numbersFormat, byte[] stateFormat, double signature, byte[] limits) {
    }

    ScriptTokenBucket(String redisKey, Args policy, long keepAliveMs, Ticker ticker,
                      ScriptRunner runner) {
        this.key = List.of(redisKey.getBytes(StandardCharsets.UTF_8));
        this.policy = policy;
        this.keepAliveMs = keepAliveMs;
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
     * The script arguments that depend only on {@code spec}. The signature is a 52-bit hash of
     * the policy's name and numbers, so a bucket written under another policy reads as absent.
     *
     * @param spec a policy that {@link #supports} accepts
     * @return the arguments
     */
    static Args args(BucketSpec spec) {
        List<Limit> limits = spec.policy().limits();
        ByteBuffer numbers = ByteBuffer.allocate(8 * 4 * limits.size())
                .order(ByteOrder.LITTLE_ENDIAN);
        StringBuilder signature = new StringBuilder(spec.policy().name());
        for (Limit limit : limits) {
            long period = limit.refillPeriodNanos();
            long g = limit.refill() == Refill.GREEDY ? gcd(limit.refillTokens(), period) : 0;
            numbers.putDouble(limit.capacity()).putDouble(limit.refillTokens())
                    .putDouble(period).putDouble(g);
            signature.append(':').append(limit.capacity()).append(',')
                    .append(limit.refillTokens()).append(',').append(period).append(',').append(g);
        }
        // FNV-1a, 64 bits, folded to 52 so that the double holds it exactly.
        long hash = 0xcbf29ce484222325L;
        for (byte b : signature.toString().getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        double sig = (hash ^ (hash >>> 52)) & ((1L << 52) - 1);
        return new Args(format(HEADER + 4 * limits.size()), format(2 + 3 * limits.size()), sig,
                numbers.array());
    }

    private static byte[] format(int doubles) {
        return ("<" + "d".repeat(doubles)).getBytes(StandardCharsets.US_ASCII);
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
        List<Long> r = call(TRY_CONSUME, tokens, 0);
        long remaining = r.get(1);
        long full = r.get(3);
        return r.get(0) == 1 ? ConsumptionProbe.consumed(remaining, full)
                : ConsumptionProbe.rejected(remaining, never(r.get(2)), full);
    }

    @Override
    public Estimate estimate(long tokens) {
        List<Long> r = call(ESTIMATE, tokens, 0);
        boolean possible = r.get(0) == 1;
        // Floored at 0 like Bucket4j's EstimationProbe, which the reference adapter reads.
        return new Estimate(possible, Math.max(0, r.get(1)), possible ? 0 : never(r.get(2)),
                r.get(3));
    }

    @Override
    public long reserve(long tokens, long maxWaitNanos) {
        List<Long> r = call(RESERVE, tokens, Math.min(maxWaitNanos, MAX_WAIT_ARG));
        return r.get(0) == 1 ? r.get(2) : -1;
    }

    private static long never(long wait) {
        return wait == NEVER ? Long.MAX_VALUE : wait;
    }

    private List<Long> call(byte[] op, long tokens, long maxWaitNanos) {
        long now = ticker.read();
        ByteBuffer numbers = ByteBuffer.allocate(8 * HEADER + policy.limits().length)
                .order(ByteOrder.LITTLE_ENDIAN);
        // Every value is an integer below 2^53, so each double is exact.
        numbers.putDouble(tokens).putDouble(maxWaitNanos)
                .putDouble(Math.floorDiv(now, 1_000_000_000L))
                .putDouble(Math.floorMod(now, 1_000_000_000L))
                .putDouble(keepAliveMs).putDouble(policy.signature()).put(policy.limits());
        return runner.run(key, List.of(op, policy.numbersFormat(), numbers.array(),
                policy.stateFormat()));
    }

    @Override
    public String toString() {
        return "ScriptTokenBucket[" + new String(key.get(0), StandardCharsets.UTF_8) + "]";
    }
}
