package dev.ratelimiter.redis;

import dev.ratelimiter.Limit;
import dev.ratelimiter.Refill;
import dev.ratelimiter.Ticker;
import dev.ratelimiter.spi.BucketSpec;
import dev.ratelimiter.spi.TokenBucket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One key's bucket under {@link RedisStrategy#SCRIPT}: each operation is one {@code EVALSHA} of
 * {@link RedisScripts#TOKEN_BUCKET} on the key, which refills, checks every limit and
 * consumes atomically inside Redis. No bucket state is kept here: only the key, the policy's
 * arguments and the queue of checks waiting to be batched. Thread-safe.
 *
 * <p>Time is the client's {@link Ticker} (nanoseconds), read once per operation and sent with
 * the command; see {@link RedisStore} for why the client clock and what clock skew does.
 *
 * <p>Batching (on unless the store turns it off): {@link #tryConsume} calls that arrive on this
 * key while one is in flight are queued; when the call in flight returns, one of the waiting
 * threads sends every queued request (up to {@link #MAX_BATCH}) in one {@code EVALSHA}, which
 * decides them in order at that instant exactly as separate calls at that instant would. One
 * round trip then serves many checks on a hot key, as Bucket4j's batching does for the
 * compare-and-swap strategy; a lone call goes out at once, unchanged. Waiting threads park until
 * answered; a sender that has its own answer wakes the next waiter to send the next batch. No
 * lock is held across the Redis call.
 *
 * <p>Per-limit values: for a policy of several limits the script's reply carries each limit's
 * tokens and time to full after the four numbers of the answer (see {@link RedisScripts}), which
 * become the probe's {@link Probe#remainingPerLimit()} and {@link Probe#nanosToFullPerLimit()};
 * a single-limit reply has only the four and the probe none.
 *
 * <p>Deadlines: each check has one, {@link ScriptRunner#timeoutNanos()} from when it was queued
 * here. A batch's command carries the earliest deadline of its checks, so no check waits past
 * its own; a check still waiting here, unsent, when its deadline passes fails with
 * {@link dev.ratelimiter.spi.StoreOverloadedException} (this JVM could not send it in time).
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
    private static final byte[] BATCH = {'b'};
    /** The most requests one batched {@code EVALSHA} carries. */
    static final int MAX_BATCH = 128;
    /** Numbers before the per-limit ones: tokens, max wait, sec, nsec, keep-alive, signature. */
    private static final int HEADER = 6;

    private final List<byte[]> key;
    private final Args policy;
    /** The policy's limits when several (the reply then has two numbers more per limit), or 0. */
    private final int perLimit;
    private final double keepAliveMs;
    private final Ticker ticker;
    private final ScriptRunner runner;
    private final boolean batching;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean sending = new AtomicBoolean();

    /** A queued try-consume: its tokens, then its answer or failure, set once by a sender. */
    private static final class Pending {
        static final int QUEUED = 0;
        static final int TAKEN = 1;
        static final int ABANDONED = 2;
        final long tokens;
        final long deadline;
        final Thread waiter = Thread.currentThread();
        final AtomicInteger state = new AtomicInteger(QUEUED);
        volatile Probe probe;
        volatile RuntimeException failure;

        Pending(long tokens, long deadline) {
            this.tokens = tokens;
            this.deadline = deadline;
        }

        boolean done() {
            return probe != null || failure != null;
        }
    }

    /** Runs the script on the node that owns a key, reloading it after {@code NOSCRIPT}. */
    interface ScriptRunner {
        /**
         * @param key the Redis key, as the one-element KEYS list
         * @param args the script's arguments
         * @param deadline {@link System#nanoTime()} by which the reply must be in
         * @return the script's reply: a list of Longs, four per answer (plus two per limit for
         *     a policy of several limits)
         */
        List<Long> run(List<byte[]> key, List<byte[]> args, long deadline);

        /** @return how long a check may take from when it is queued, in nanoseconds */
        long timeoutNanos();

        /** @return the exception for a check whose deadline passed before it was sent */
        dev.ratelimiter.spi.StoreOverloadedException notSent();
    }

    /**
     * A policy's part of the script's arguments, computed once per policy: the formats of the
     * numbers and of the state, the signature hash and the per-limit numbers as packed doubles.
     */
    record Args(byte[] numbersFormat, byte[] stateFormat, double signature, byte[] limits) {
    }

    ScriptTokenBucket(String redisKey, Args policy, long keepAliveMs, Ticker ticker,
                      ScriptRunner runner, boolean batching) {
        this.batching = batching;
        this.key = List.of(redisKey.getBytes(StandardCharsets.UTF_8));
        this.policy = policy;
        int limits = policy.limits().length / (8 * 4);
        this.perLimit = limits > 1 ? limits : 0;
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
    public Probe tryConsume(long tokens) {
        long deadline = System.nanoTime() + runner.timeoutNanos();
        if (!batching) {
            return probe(call(TRY_CONSUME, tokens, 0, deadline), 0, perLimit);
        }
        Pending me = new Pending(tokens, deadline);
        queue.add(me);
        boolean interrupted = false;
        while (!me.done()) {
            if (sending.compareAndSet(false, true)) {
                sendQueued();
                if (me.done()) {
                    // Hand the sending over to the next waiter rather than serve others forever.
                    Pending next = queue.peek();
                    if (next != null) {
                        LockSupport.unpark(next.waiter);
                    }
                }
            } else {
                // Woken by the sender that answers us, or handed the sending by one that is
                // done (every release is followed by a look at the queue, so no wake-up is
                // lost). The timeout is only a safety net: a short one would have hundreds of
                // waiting threads spinning (measured: 400 threads on one key collapsed to ~500
                // checks/s with a 200 µs timeout).
                long left = me.deadline - System.nanoTime();
                if (left <= 0 && me.state.compareAndSet(Pending.QUEUED, Pending.ABANDONED)) {
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                    throw runner.notSent();
                }
                // Once taken, the batch's command carries a deadline no later than ours.
                LockSupport.parkNanos(this, left > 0 ? Math.min(left, 50_000_000L) : 1_000_000L);
                if (Thread.interrupted()) {
                    interrupted = true; // parking with the flag set would spin; restore below
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (me.failure != null) {
            throw me.failure;
        }
        return me.probe;
    }

    /** Sends one batch of what is queued (this thread holds {@code sending}), then releases. */
    private void sendQueued() {
        try {
            List<Pending> batch = new ArrayList<>();
            for (Pending p; batch.size() < MAX_BATCH && (p = queue.poll()) != null; ) {
                if (p.state.compareAndSet(Pending.QUEUED, Pending.TAKEN)) {
                    batch.add(p);
                }
            }
            if (!batch.isEmpty()) {
                send(batch);
            }
        } finally {
            sending.set(false);
        }
    }

    private void send(List<Pending> batch) {
        try {
            Probe[] probes;
            long deadline = batch.get(0).deadline;
            for (Pending p : batch) {
                deadline = p.deadline - deadline < 0 ? p.deadline : deadline;
            }
            if (batch.size() == 1) {
                long tokens = batch.get(0).tokens;
                probes = new Probe[] {probe(call(TRY_CONSUME, tokens, 0, deadline), 0,
                        perLimit)};
            } else {
                long[] tokens = new long[batch.size()];
                for (int i = 0; i < tokens.length; i++) {
                    tokens[i] = batch.get(i).tokens;
                }
                probes = tryConsumeAll(tokens, deadline);
            }
            for (int i = 0; i < probes.length; i++) {
                batch.get(i).probe = probes[i];
            }
        } catch (RuntimeException e) {
            for (Pending p : batch) {
                p.failure = e;
            }
        } catch (Error e) {
            // Answer the waiters too, or they would wait for a reply that never comes.
            for (Pending p : batch) {
                p.failure = new IllegalStateException("batched check failed", e);
            }
            throw e;
        } finally {
            for (Pending p : batch) {
                LockSupport.unpark(p.waiter);
            }
        }
    }

    /**
     * Try-consumes each of {@code tokens} in order at one instant, in one {@code EVALSHA}: the
     * answers separate {@link #tryConsume} calls at that instant would give.
     *
     * @param tokens each at least 1; at most {@link #MAX_BATCH} of them
     * @param deadline {@link System#nanoTime()} by which the reply must be in
     * @return one probe per request, in order
     */
    Probe[] tryConsumeAll(long[] tokens, long deadline) {
        long now = ticker.read();
        ByteBuffer numbers = ByteBuffer.allocate(8 * (HEADER + tokens.length)
                + policy.limits().length).order(ByteOrder.LITTLE_ENDIAN);
        numbers.putDouble(tokens.length).putDouble(0)
                .putDouble(Math.floorDiv(now, 1_000_000_000L))
                .putDouble(Math.floorMod(now, 1_000_000_000L))
                .putDouble(keepAliveMs).putDouble(policy.signature()).put(policy.limits());
        for (long t : tokens) {
            numbers.putDouble(t);
        }
        int limitDoubles = policy.limits().length / 8;
        byte[] format = ("<" + "d".repeat(HEADER + limitDoubles + tokens.length))
                .getBytes(StandardCharsets.US_ASCII);
        List<Long> r = runner.run(key, List.of(BATCH, format, numbers.array(),
                policy.stateFormat()), deadline);
        Probe[] probes = new Probe[tokens.length];
        int stride = 4 + 2 * perLimit;
        for (int i = 0; i < probes.length; i++) {
            probes[i] = probe(r, stride * i, perLimit);
        }
        return probes;
    }

    /**
     * One answer of the reply, from {@code at}: four numbers, then {@code limits} pairs of a
     * limit's tokens and time to full ({@code limits} 0: none). Remaining is floored at 0 as
     * Bucket4j's {@code ConsumptionProbe} and {@code EstimationProbe} floor it for the CAS
     * strategy (the per-limit tokens are not, as Bucket4j's state is not).
     */
    private static Probe probe(List<Long> r, int at, int limits) {
        boolean granted = r.get(at) == 1;
        long remaining = Math.max(0, r.get(at + 1));
        long wait = granted ? 0 : never(r.get(at + 2));
        long full = r.get(at + 3);
        if (limits == 0) {
            return new Probe(granted, remaining, wait, full);
        }
        long[] tokens = new long[limits];
        long[] fullPerLimit = new long[limits];
        for (int i = 0; i < limits; i++) {
            tokens[i] = r.get(at + 4 + 2 * i);
            fullPerLimit[i] = r.get(at + 5 + 2 * i);
        }
        return new Probe(granted, remaining, wait, full, tokens, fullPerLimit);
    }

    @Override
    public Probe estimate(long tokens) {
        return probe(call(ESTIMATE, tokens, 0, System.nanoTime() + runner.timeoutNanos()), 0,
                perLimit);
    }

    @Override
    public long reserve(long tokens, long maxWaitNanos) {
        List<Long> r = call(RESERVE, tokens, Math.min(maxWaitNanos, MAX_WAIT_ARG),
                System.nanoTime() + runner.timeoutNanos());
        return r.get(0) == 1 ? r.get(2) : -1;
    }

    private static long never(long wait) {
        return wait == NEVER ? Long.MAX_VALUE : wait;
    }

    private List<Long> call(byte[] op, long tokens, long maxWaitNanos, long deadline) {
        long now = ticker.read();
        ByteBuffer numbers = ByteBuffer.allocate(8 * HEADER + policy.limits().length)
                .order(ByteOrder.LITTLE_ENDIAN);
        // Every value is an integer below 2^53, so each double is exact.
        numbers.putDouble(tokens).putDouble(maxWaitNanos)
                .putDouble(Math.floorDiv(now, 1_000_000_000L))
                .putDouble(Math.floorMod(now, 1_000_000_000L))
                .putDouble(keepAliveMs).putDouble(policy.signature()).put(policy.limits());
        return runner.run(key, List.of(op, policy.numbersFormat(), numbers.array(),
                policy.stateFormat()), deadline);
    }

    @Override
    public String toString() {
        return "ScriptTokenBucket[" + new String(key.get(0), StandardCharsets.UTF_8) + "]";
    }
}
