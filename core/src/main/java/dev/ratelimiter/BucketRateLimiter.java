package dev.ratelimiter;

import dev.ratelimiter.spi.BucketSpec;
import dev.ratelimiter.spi.BucketStore;
import dev.ratelimiter.spi.TokenBucket;
import dev.ratelimiter.spi.TokenBucket.Probe;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * The decision engine: the only place a rate-limit decision is made, whatever the store.
 *
 * <p>Per call: validate the arguments, resolve the key's {@link BucketSpec} through the compiled
 * rules (a hash lookup, then the patterns most specific first), ask the store for the key's
 * {@link TokenBucket} and run one {@code tryConsume} on it. The probe carries everything a
 * decision needs: consumed or not, tokens left, nanoseconds until enough tokens refill,
 * nanoseconds until full. On the hit path that is one probe and one decision allocated.
 *
 * <p>{@code acquire} reserves (the bucket may go below zero, so later callers queue behind the
 * reservation), then sleeps on the {@link Sleeper} for the time the store reported.
 *
 * <p>Thread-safe: holds no mutable state besides the closed flag; the store's buckets are
 * thread-safe.
 */
final class BucketRateLimiter implements RateLimiter {

    private final Rules.Compiled<BucketSpec> specs;
    private final BucketStore store;
    private final int maxKeyBytes;
    private final Sleeper sleeper;
    private final Executor asyncExecutor;
    private final ExecutorService ownedExecutor;
    private final CheckListener listener;
    private volatile boolean closed;

    BucketRateLimiter(Rules rules, BucketStore store, int maxKeyBytes, Sleeper sleeper,
                      Executor asyncExecutor, ExecutorService ownedExecutor,
                      CheckListener listener) {
        this.listener = listener;
        this.specs = rules.compile(BucketSpec::of);
        this.store = store;
        this.maxKeyBytes = maxKeyBytes;
        this.sleeper = sleeper;
        this.asyncExecutor = asyncExecutor;
        this.ownedExecutor = ownedExecutor;
    }

    @Override
    public Decision tryAcquire(String key, long tokens) {
        checkOpen();
        checkKey(key);
        checkTokens(tokens);
        long start = System.nanoTime();
        return told(consume(key, tokens, specs.resolve(key)), start);
    }

    @Override
    public CompletableFuture<Decision> tryAcquireAsync(String key, long tokens) {
        checkOpen();
        checkKey(key);
        checkTokens(tokens);
        BucketSpec spec = specs.resolve(key);
        long start = System.nanoTime();
        if (asyncExecutor == null) {
            try {
                return CompletableFuture.completedFuture(told(consume(key, tokens, spec), start));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        try {
            return CompletableFuture.supplyAsync(() -> told(consume(key, tokens, spec), start),
                    asyncExecutor);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public Decision acquire(String key, long tokens, Duration maxWait) throws InterruptedException {
        long start = System.nanoTime();
        return told(acquireUntold(key, tokens, maxWait), start);
    }

    private Decision acquireUntold(String key, long tokens, Duration maxWait)
            throws InterruptedException {
        checkOpen();
        checkKey(key);
        checkTokens(tokens);
        Objects.requireNonNull(maxWait, "maxWait");
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must not be negative, was " + maxWait);
        }
        BucketSpec spec = specs.resolve(key);
        long maxWaitNanos = Durations.toNanosSaturated(maxWait);
        if (maxWaitNanos == 0 || tokens > spec.smallestCapacity()) {
            return consume(key, tokens, spec); // no wait allowed: exactly tryAcquire
        }
        TokenBucket bucket = store.bucket(key, spec);
        store.retain(key, maxWaitNanos);
        long wait = bucket.reserve(tokens, maxWaitNanos);
        if (wait < 0) {
            Probe estimate = bucket.estimate(tokens);
            return new Decision(false, key, tokens, Math.max(0, estimate.remaining()),
                    spec.smallestCapacity(), Math.max(1, estimate.nanosToWait()),
                    estimate.nanosToFull(), spec.policy(), false);
        }
        sleeper.sleep(wait);
        // The tokens are ours and due; report the bucket as it is now.
        Probe now = bucket.estimate(1);
        return new Decision(true, key, tokens, Math.max(0, now.remaining()),
                spec.smallestCapacity(), 0, now.nanosToFull(), spec.policy(), false);
    }

    @Override
    public Decision peek(String key) {
        checkOpen();
        checkKey(key);
        BucketSpec spec = specs.resolve(key);
        Probe e = store.bucket(key, spec).estimate(1);
        return new Decision(e.granted(), key, 0, Math.max(0, e.remaining()),
                spec.smallestCapacity(), e.nanosToWait(), e.nanosToFull(), spec.policy(), false);
    }

    @Override
    public void reset(String key) {
        checkOpen();
        checkKey(key);
        store.remove(key);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            store.close();
        } finally {
            if (ownedExecutor != null) {
                ownedExecutor.shutdown();
            }
        }
    }

    @Override
    public String toString() {
        return "RateLimiter[store=" + store.name() + "]";
    }

    private Decision consume(String key, long tokens, BucketSpec spec) {
        if (tokens > spec.smallestCapacity()) {
            return exceedsCapacity(key, tokens, spec);
        }
        Probe probe = store.bucket(key, spec).tryConsume(tokens);
        return new Decision(probe.granted(), key, tokens, probe.remaining(),
                spec.smallestCapacity(), probe.nanosToWait(), probe.nanosToFull(), spec.policy(),
                false);
    }

    /** A request that no wait can satisfy: denied, nothing consumed, state read for headers. */
    private Decision exceedsCapacity(String key, long tokens, BucketSpec spec) {
        Probe e = store.bucket(key, spec).estimate(1);
        return new Decision(false, key, tokens, Math.max(0, e.remaining()),
                spec.smallestCapacity(), Decision.NEVER, e.nanosToFull(), spec.policy(), false);
    }

    /** Tells the listener of a decision made since {@code start}, and returns it. */
    private Decision told(Decision d, long start) {
        if (listener != CheckListener.NONE) {
            listener.onDecision(d, System.nanoTime() - start);
        }
        return d;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("RateLimiter is closed");
        }
    }

    private void checkKey(String key) {
        KeyCheck.check(key, maxKeyBytes);
    }

    private static void checkTokens(long tokens) {
        if (tokens < 1) {
            throw new IllegalArgumentException("tokens must be >= 1, was " + tokens);
        }
    }
}
