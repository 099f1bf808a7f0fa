package dev.ratelimiter;

import dev.ratelimiter.Decision.Outcome;
import dev.ratelimiter.failure.FailSafeStats;
import dev.ratelimiter.failure.FailurePolicy;
import dev.ratelimiter.memory.InMemoryStore;
import dev.ratelimiter.spi.BucketSpec;
import dev.ratelimiter.spi.BucketStore;
import dev.ratelimiter.spi.StoreFullException;
import dev.ratelimiter.spi.StoreOverloadedException;
import dev.ratelimiter.spi.StoreUnavailableException;
import dev.ratelimiter.spi.TokenBucket;
import dev.ratelimiter.spi.TokenBucket.Probe;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The decision engine: the one {@link RateLimiter} implementation, and the only place a decision
 * is made from a store's answer, whatever the store and whatever happens to it.
 *
 * <p>Per check: validate the arguments once, resolve the key's {@link BucketSpec} once through
 * the compiled rules (a hash lookup, then the patterns most specific first), then ask the store's
 * {@link TokenBucket} for one {@code tryConsume} and turn its {@link Probe} into a
 * {@link Decision}. The arithmetic itself is Bucket4j's, run by the store: in this JVM for the
 * in-process stores, or inside Redis by the script that reproduces it. On the hit path that is
 * one probe and one decision allocated for a single-limit policy; a policy of several limits
 * adds each limit's own values (two arrays from the store, one {@link Decision.PerLimit}), which
 * adapters report per limit.
 *
 * <p>When the store fails, the engine answers right here, in the same method, by the configured
 * {@link FailurePolicy}:
 * <ul>
 *   <li>{@link StoreUnavailableException} (what the store did) counts on the
 *       {@link CircuitBreaker}; the policy answers ({@code FAILED_OPEN}, {@code FAILED_CLOSED}, or
 *       the local fallback store's own decision, {@code FALLBACK_ALLOWED}/{@code FALLBACK_DENIED}).
 *       While the breaker is open the store is not called at all. Without a policy the exception
 *       reaches the caller.</li>
 *   <li>{@link StoreOverloadedException} (this JVM could not send in time) is
 *       {@link Outcome#OVERLOADED}: no policy, no breaker count.</li>
 *   <li>{@link StoreFullException} (a bounded in-process store) is {@link Outcome#STORE_FULL}.</li>
 * </ul>
 * The local fallback is just a second store ({@link InMemoryStore}) that the same code decides
 * on, so fallback decisions follow the same rules with no second limiter.
 *
 * <p>Rules: one volatile reference to the compiled rules, read once per check, replaced whole by
 * {@link #updateRules}; each version has its own generation so stores move a key's bucket only
 * forward (see {@link BucketSpec#supersedes}). A shadow policy's denial becomes
 * {@link Outcome#SHADOW_DENIED} (allowed, nothing consumed) here, in the one place decisions are
 * made.
 *
 * <p>{@code acquire} reserves (the bucket may go below zero, so later callers queue behind the
 * reservation), then sleeps on the {@link Sleeper} for the time the store reported.
 *
 * <p>Thread-safe: besides the closed flag, the only mutable state is the breaker's, which is
 * lock-free; the stores' buckets are thread-safe.
 */
final class BucketRateLimiter implements RateLimiter {

    /** Rules generations, increasing across every limiter of this JVM. */
    private static final AtomicLong GENERATIONS = new AtomicLong();

    /** Read once per check: the check is decided wholly by one version of the rules. */
    private volatile Compiled current;
    private final BucketStore store;
    private final int maxKeyBytes;
    private final Sleeper sleeper;
    private final Executor asyncExecutor;
    private final ExecutorService ownedExecutor;
    private final CheckListener listener;
    /** What answers while the store is unavailable; null: the exception reaches the caller. */
    private final FailurePolicy failurePolicy;
    /** Counts store failures; present whenever a failure policy is. */
    private final CircuitBreaker breaker;
    /** The LOCAL_FALLBACK store; null for other policies. */
    private final InMemoryStore fallback;
    private volatile boolean closed;

    BucketRateLimiter(RateLimiterBuilder.Parts p) {
        this.current = compile(p.rules());
        this.store = p.store();
        this.maxKeyBytes = p.maxKeyBytes();
        this.sleeper = p.sleeper();
        this.asyncExecutor = p.asyncExecutor();
        this.ownedExecutor = p.ownedExecutor();
        this.listener = p.listener();
        this.failurePolicy = p.failurePolicy();
        this.breaker = p.failurePolicy() == null ? null
                : new CircuitBreaker("ratelimiter store " + store.name(), p.ticker(),
                        p.failureThreshold(), Durations.toNanosSaturated(p.openDuration()));
        this.fallback = p.failurePolicy() == FailurePolicy.LOCAL_FALLBACK
                ? InMemoryStore.builder().ticker(p.ticker()).build() : null;
    }

    /** One version of the rules: as given, and resolved to bucket specs of one generation. */
    private record Compiled(Rules rules, Rules.Compiled<BucketSpec> specs) {
    }

    private static Compiled compile(Rules rules) {
        long generation = GENERATIONS.incrementAndGet();
        return new Compiled(rules, rules.compile(p -> BucketSpec.of(p, generation)));
    }

    private BucketSpec resolve(String key) {
        return current.specs().resolve(key);
    }

    /**
     * Compiles the rules, then publishes them with one volatile write. Serialized, so that the
     * rules published last are also the newest generation. Buckets move on their keys' next
     * checks (see {@link RateLimiter#updateRules}); nothing is touched here.
     */
    @Override
    public synchronized void updateRules(Rules rules) {
        Objects.requireNonNull(rules, "rules");
        checkOpen();
        current = compile(rules);
    }

    @Override
    public Rules rules() {
        return current.rules();
    }

    @Override
    public Decision tryAcquire(String key, long tokens) {
        checkArguments(key, tokens);
        return check(key, tokens, resolve(key));
    }

    @Override
    public CompletableFuture<Decision> tryAcquireAsync(String key, long tokens) {
        checkArguments(key, tokens);
        BucketSpec spec = resolve(key);
        if (asyncExecutor == null) {
            try {
                return CompletableFuture.completedFuture(check(key, tokens, spec));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        try {
            return CompletableFuture.supplyAsync(() -> check(key, tokens, spec), asyncExecutor);
        } catch (RejectedExecutionException full) {
            // The async queue is full: this JVM is busy, the store may be fine.
            Decision d = refused(Outcome.OVERLOADED, key, tokens, spec);
            if (listener != null) {
                listener.onDecision(d, 0);
            }
            return CompletableFuture.completedFuture(d);
        }
    }

    @Override
    public Decision acquire(String key, long tokens, Duration maxWait) throws InterruptedException {
        checkArguments(key, tokens);
        Objects.requireNonNull(maxWait, "maxWait");
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must not be negative, was " + maxWait);
        }
        BucketSpec spec = resolve(key);
        long maxWaitNanos = Durations.toNanosSaturated(maxWait);
        if (maxWaitNanos == 0 || tokens > spec.smallestCapacity() || spec.policy().shadow()) {
            // No wait allowed or possible, or a shadow policy (which never makes anyone wait):
            // exactly tryAcquire.
            return check(key, tokens, spec);
        }
        long start = listener == null ? 0 : System.nanoTime();
        Decision d = reserveAndWait(key, tokens, spec, maxWaitNanos);
        if (listener != null) {
            listener.onDecision(d, System.nanoTime() - start);
        }
        return d;
    }

    @Override
    public Decision peek(String key) {
        checkOpen();
        KeyCheck.check(key, maxKeyBytes);
        BucketSpec spec = resolve(key);
        int permit = permit();
        if (permit != CircuitBreaker.DENIED) {
            try {
                Decision d = peekOn(store, key, spec, Outcome.ALLOWED, Outcome.DENIED);
                succeeded(permit);
                return d;
            } catch (RuntimeException e) {
                Outcome refusal = classify(permit, e);
                if (refusal != null) {
                    return refused(refusal, key, 0, spec);
                }
            }
        }
        breaker.onDegraded();
        if (fallback != null) {
            return peekOn(fallback, key, spec, Outcome.FALLBACK_ALLOWED, Outcome.FALLBACK_DENIED);
        }
        return withoutStore(key, 0, spec);
    }

    /**
     * Forgets the key in the store (and in the local fallback).
     *
     * @throws StoreUnavailableException if the store cannot be reached or its breaker is open:
     *     a reset cannot be substituted
     */
    @Override
    public void reset(String key) {
        checkOpen();
        KeyCheck.check(key, maxKeyBytes);
        if (fallback != null) {
            fallback.remove(key);
        }
        int permit = permit();
        if (permit == CircuitBreaker.DENIED) {
            throw new StoreUnavailableException("cannot reset '" + key
                    + "': the circuit breaker is open for store " + store.name(), null);
        }
        try {
            store.remove(key);
            succeeded(permit);
        } catch (RuntimeException e) {
            classify(permit, e);
            throw e; // a reset cannot be substituted or refused: the caller learns why
        }
    }

    @Override
    public FailSafeStats stats() {
        return breaker == null ? FailSafeStats.NONE : breaker.stats(failurePolicy);
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
            if (fallback != null) {
                fallback.close();
            }
            if (ownedExecutor != null) {
                ownedExecutor.shutdown();
            }
        }
    }

    @Override
    public String toString() {
        return "RateLimiter[store=" + store.name()
                + (failurePolicy == null ? "" : ", onStoreFailure=" + failurePolicy
                        + ", circuit=" + breaker.state()) + "]";
    }

    /** {@link #decide}, timed for the listener when there is one. */
    private Decision check(String key, long tokens, BucketSpec spec) {
        if (listener == null) {
            return decide(key, tokens, spec);
        }
        long start = System.nanoTime();
        Decision d = decide(key, tokens, spec);
        listener.onDecision(d, System.nanoTime() - start);
        return d;
    }

    /**
     * The check: the store decides; if it cannot, the failure policy. Written out rather than
     * through a shared lambda so that the hot path allocates nothing but the probe and decision.
     */
    private Decision decide(String key, long tokens, BucketSpec spec) {
        int permit = permit();
        if (permit != CircuitBreaker.DENIED) {
            try {
                Decision d = consumeOn(store, key, tokens, spec, Outcome.ALLOWED,
                        spec.policy().shadow() ? Outcome.SHADOW_DENIED : Outcome.DENIED);
                succeeded(permit);
                return d;
            } catch (RuntimeException e) {
                Outcome refusal = classify(permit, e);
                if (refusal != null) {
                    return refused(refusal, key, tokens, spec);
                }
            }
        }
        breaker.onDegraded();
        if (fallback != null) {
            try {
                // A shadow policy never denies, on the fallback either.
                return consumeOn(fallback, key, tokens, spec, Outcome.FALLBACK_ALLOWED,
                        spec.policy().shadow() ? Outcome.FALLBACK_ALLOWED
                                : Outcome.FALLBACK_DENIED);
            } catch (StoreFullException e) {
                // The fallback holds 100,000 keys; past that, fail open rather than refuse
                // during an outage (documented on FailurePolicy.LOCAL_FALLBACK).
                return failedOpen(key, tokens, spec);
            }
        }
        return withoutStore(key, tokens, spec);
    }

    /** Reserve, wait, report; the store's failure answered as in {@link #decide}. */
    private Decision reserveAndWait(String key, long tokens, BucketSpec spec, long maxWaitNanos)
            throws InterruptedException {
        int permit = permit();
        if (permit != CircuitBreaker.DENIED) {
            long wait;
            try {
                wait = reserveOn(store, key, tokens, spec, maxWaitNanos);
                succeeded(permit);
            } catch (RuntimeException e) {
                Outcome refusal = classify(permit, e);
                if (refusal != null) {
                    return refused(refusal, key, tokens, spec);
                }
                return reserveWithoutStore(key, tokens, spec, maxWaitNanos);
            }
            return waited(store, key, tokens, spec, wait, Outcome.ALLOWED, Outcome.DENIED);
        }
        return reserveWithoutStore(key, tokens, spec, maxWaitNanos);
    }

    private Decision reserveWithoutStore(String key, long tokens, BucketSpec spec,
                                         long maxWaitNanos) throws InterruptedException {
        breaker.onDegraded();
        if (fallback == null) {
            return withoutStore(key, tokens, spec);
        }
        long wait;
        try {
            wait = reserveOn(fallback, key, tokens, spec, maxWaitNanos);
        } catch (StoreFullException e) {
            return failedOpen(key, tokens, spec);
        }
        return waited(fallback, key, tokens, spec, wait, Outcome.FALLBACK_ALLOWED,
                Outcome.FALLBACK_DENIED);
    }

    private static Decision consumeOn(BucketStore s, String key, long tokens, BucketSpec spec,
                                      Outcome allowed, Outcome denied) {
        long limit = spec.smallestCapacity();
        if (tokens > limit) {
            // No wait can satisfy it: denied, nothing consumed, state read for headers.
            Probe e = s.bucket(key, spec).estimate(1);
            return new Decision(denied, key, tokens, Math.max(0, e.remaining()), limit,
                    Decision.NEVER, e.nanosToFull(), spec.policy(),
                    perLimit(e.remainingPerLimit(), e.nanosToFullPerLimit(), spec));
        }
        Probe p = s.bucket(key, spec).tryConsume(tokens);
        return new Decision(p.granted() ? allowed : denied, key, tokens, p.remaining(), limit,
                p.nanosToWait(), p.nanosToFull(), spec.policy(),
                perLimit(p.remainingPerLimit(), p.nanosToFullPerLimit(), spec));
    }

    private static Decision peekOn(BucketStore s, String key, BucketSpec spec, Outcome allowed,
                                   Outcome denied) {
        Probe e = s.bucket(key, spec).estimate(1);
        return new Decision(e.granted() ? allowed : denied, key, 0, Math.max(0, e.remaining()),
                spec.smallestCapacity(), e.nanosToWait(), e.nanosToFull(), spec.policy(),
                perLimit(e.remainingPerLimit(), e.nanosToFullPerLimit(), spec));
    }

    /** Nanoseconds until the reserved tokens are due, or -1 if the wait would be too long. */
    private static long reserveOn(BucketStore s, String key, long tokens, BucketSpec spec,
                                  long maxWaitNanos) {
        TokenBucket bucket = s.bucket(key, spec);
        s.retain(key, maxWaitNanos);
        return bucket.reserve(tokens, maxWaitNanos);
    }

    private Decision waited(BucketStore s, String key, long tokens, BucketSpec spec, long wait,
                            Outcome allowed, Outcome denied) throws InterruptedException {
        long limit = spec.smallestCapacity();
        if (wait < 0) {
            Probe e = s.bucket(key, spec).estimate(tokens);
            return new Decision(denied, key, tokens, Math.max(0, e.remaining()), limit,
                    Math.max(1, e.nanosToWait()), e.nanosToFull(), spec.policy(),
                    perLimit(e.remainingPerLimit(), e.nanosToFullPerLimit(), spec));
        }
        sleeper.sleep(wait);
        // The tokens are ours and due; report the bucket as it is now, if the store still answers.
        try {
            Probe now = s.bucket(key, spec).estimate(1);
            return new Decision(allowed, key, tokens, Math.max(0, now.remaining()), limit, 0,
                    now.nanosToFull(), spec.policy(),
                    perLimit(now.remainingPerLimit(), now.nanosToFullPerLimit(), spec));
        } catch (StoreUnavailableException | StoreOverloadedException e) {
            return new Decision(allowed, key, tokens, 0, limit, 0, 0, spec.policy());
        }
    }

    /** The FAIL_OPEN or FAIL_CLOSED answer; a request over capacity is denied either way. */
    private Decision withoutStore(String key, long tokens, BucketSpec spec) {
        long limit = spec.smallestCapacity();
        if (tokens > limit) {
            return new Decision(spec.policy().shadow() ? Outcome.SHADOW_DENIED : Outcome.DENIED,
                    key, tokens, 0, limit, Decision.NEVER, 0, spec.policy());
        }
        if (failurePolicy == FailurePolicy.FAIL_OPEN) {
            return failedOpen(key, tokens, spec);
        }
        long retry = breaker.nanosUntilTrial();
        return new Decision(Outcome.FAILED_CLOSED, key, tokens, 0, limit,
                Math.max(1, retry == 0 ? breaker.openNanos() : retry), 0, spec.policy());
    }

    private static Decision failedOpen(String key, long tokens, BucketSpec spec) {
        // Nothing is known of the bucket: report the capacity as remaining, each limit's own.
        long limit = spec.smallestCapacity();
        return new Decision(Outcome.FAILED_OPEN, key, tokens, limit, limit, 0, 0, spec.policy(),
                capacities(spec.policy()));
    }

    /**
     * The probe's per-limit values as the decision's, or null: a single-limit probe has none
     * (the decision's own numbers are that limit's), and a probe whose count of limits is not
     * the policy's (a CAS key still stored under another JVM's rules) cannot be matched to the
     * policy's limits, so the decision reports the minimum for each. The arrays are the probe's,
     * handed over without a copy: no one else holds the probe.
     *
     * <p>It takes the arrays, not the probe: on a single-limit policy {@link Decision.PerLimit}
     * is never loaded, so the JIT does not inline this call, and a probe passed to it would be
     * allocated on every check instead of staying in registers (measured: 72 against 120 bytes
     * per check, HotKeyBenchmark).
     */
    private static Decision.PerLimit perLimit(long[] remaining, long[] nanosToFull,
                                              BucketSpec spec) {
        if (remaining == null || remaining.length != spec.policy().limits().size()) {
            return null;
        }
        return new Decision.PerLimit(remaining, nanosToFull);
    }

    /** Each limit full, for a fail-open answer; null for a single-limit policy. */
    private static Decision.PerLimit capacities(Policy policy) {
        int n = policy.limits().size();
        if (n == 1) {
            return null;
        }
        long[] capacity = new long[n];
        for (int i = 0; i < n; i++) {
            capacity[i] = policy.limits().get(i).capacity();
        }
        return new Decision.PerLimit(capacity, new long[n]);
    }

    /** A refusal that is not the limit's: try again after about a second. */
    private static Decision refused(Outcome outcome, String key, long tokens, BucketSpec spec) {
        return new Decision(outcome, key, tokens, 0, spec.smallestCapacity(), 1_000_000_000L, 0,
                spec.policy());
    }

    private int permit() {
        return breaker == null ? CircuitBreaker.PERMITTED : breaker.permit();
    }

    private void succeeded(int permit) {
        if (breaker != null) {
            breaker.onSuccess(permit);
        }
    }

    /**
     * What a store call's exception means, in one place for every operation:
     * <ul>
     *   <li>{@link StoreUnavailableException}: a store failure, counted by the breaker; returns
     *       null, so the caller answers by the failure policy (rethrown when there is none);</li>
     *   <li>{@link StoreOverloadedException}: back-pressure; returns {@code OVERLOADED};</li>
     *   <li>{@link StoreFullException}: returns {@code STORE_FULL};</li>
     *   <li>anything else (a bug): rethrown.</li>
     * </ul>
     * Every case but the first gives a trial's turn back to the breaker.
     */
    private Outcome classify(int permit, RuntimeException e) {
        if (e instanceof StoreUnavailableException failure) {
            if (breaker == null) {
                throw failure;
            }
            breaker.onFailure(permit, failure);
            return null;
        }
        released(permit);
        if (e instanceof StoreOverloadedException) {
            if (breaker != null) {
                breaker.onOverloaded();
            }
            return Outcome.OVERLOADED;
        }
        if (e instanceof StoreFullException) {
            return Outcome.STORE_FULL;
        }
        throw e;
    }

    private void released(int permit) {
        if (breaker != null) {
            breaker.release(permit);
        }
    }

    private void checkArguments(String key, long tokens) {
        checkOpen();
        KeyCheck.check(key, maxKeyBytes);
        if (tokens < 1) {
            throw new IllegalArgumentException("tokens must be >= 1, was " + tokens);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("RateLimiter is closed");
        }
    }
}
