package dev.ratelimiter.failure;

import dev.ratelimiter.Decision;
import dev.ratelimiter.KeyCheck;
import dev.ratelimiter.Policy;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.RateLimiterBuilder;
import dev.ratelimiter.Rules;
import dev.ratelimiter.Ticker;
import dev.ratelimiter.memory.InMemoryStore;
import dev.ratelimiter.spi.StoreUnavailableException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A {@link RateLimiter} that keeps answering when its store is down: it passes every call to the
 * limiter it wraps, and only when that throws {@link StoreUnavailableException} (or its circuit
 * breaker is open) answers by a {@link FailurePolicy} instead, with {@code degraded = true}.
 *
 * <pre>{@code
 * RateLimiter shared = RateLimiter.builder().rules(rules).store(redisStore).build();
 * FailSafeRateLimiter limiter = FailSafeRateLimiter.builder(shared, rules)
 *         .policy(FailurePolicy.LOCAL_FALLBACK)
 *         .build();
 * limiter.tryAcquire("user:42");   // decided by Redis; by a local limiter while Redis is down
 * }</pre>
 *
 * <p>The decision is still made in one place, the wrapped limiter's engine; this class only
 * substitutes an answer when the store fails. The circuit breaker: after
 * {@code failureThreshold} consecutive store failures (default 3) it opens, and for
 * {@code openDuration} (default 1 s) answers without calling the store at all, which takes
 * microseconds. Then one request tries the store: success closes the breaker, failure re-opens
 * it. So a dead store costs {@code failureThreshold} timeouts, then one per {@code openDuration}.
 * Each state change is logged once (WARN when opening, INFO otherwise), never per request;
 * {@link #stats()} gives counters for metrics.
 *
 * <p>The surprising rule: while the breaker is closed, a request whose store call fails is
 * still answered by the policy (after paying the timeout); only an open breaker skips the call.
 * Invalid arguments are rejected as by any limiter, whatever the breaker's state.
 *
 * <p>Thread-safe. Closing closes the wrapped limiter and the local fallback.
 */
public final class FailSafeRateLimiter implements RateLimiter {

    /** The default consecutive failures that open the breaker. */
    public static final int DEFAULT_FAILURE_THRESHOLD = 3;
    /** The default time the breaker stays open before trying the store again. */
    public static final Duration DEFAULT_OPEN_DURATION = Duration.ofSeconds(1);

    private final RateLimiter delegate;
    private final Rules rules;
    private final FailurePolicy policy;
    private final CircuitBreaker breaker;
    private final RateLimiter local;
    private final int maxKeyBytes;
    private volatile boolean closed;

    private FailSafeRateLimiter(Builder b) {
        this.delegate = b.delegate;
        this.rules = b.rules;
        this.policy = b.policy;
        this.maxKeyBytes = b.maxKeyBytes;
        this.breaker = new CircuitBreaker(b.name, b.ticker, b.failureThreshold,
                toNanos(b.openDuration));
        this.local = policy == FailurePolicy.LOCAL_FALLBACK
                ? RateLimiter.builder().rules(rules).maxKeyBytes(maxKeyBytes)
                        .store(InMemoryStore.builder().ticker(b.ticker).build()).build()
                : null;
    }

    /**
     * Starts wrapping {@code delegate}.
     *
     * @param delegate the limiter on the remote store
     * @param rules the same rules the delegate was built with: degraded decisions report their
     *     policy, and the local fallback enforces them
     * @return a builder, policy {@link FailurePolicy#FAIL_OPEN}
     */
    public static Builder builder(RateLimiter delegate, Rules rules) {
        return new Builder(delegate, rules);
    }

    /**
     * {@code builder(delegate, rules).policy(policy).build()} with the default breaker.
     *
     * @param delegate the limiter on the remote store
     * @param rules the delegate's rules
     * @param policy what to answer when the store fails
     * @return the fail-safe limiter
     */
    public static FailSafeRateLimiter wrap(RateLimiter delegate, Rules rules,
                                           FailurePolicy policy) {
        return builder(delegate, rules).policy(policy).build();
    }

    @Override
    public Decision tryAcquire(String key, long tokens) {
        checkOpen();
        int permit = breaker.permit();
        if (permit == CircuitBreaker.DENIED) {
            check(key, tokens);
            return degradedAcquire(key, tokens);
        }
        try {
            Decision d = delegate.tryAcquire(key, tokens);
            breaker.onSuccess(permit);
            return d;
        } catch (StoreUnavailableException e) {
            breaker.onFailure(permit, e);
            return degradedAcquire(key, tokens);
        } catch (RuntimeException e) {
            breaker.release(permit);
            throw e;
        }
    }

    @Override
    public CompletableFuture<Decision> tryAcquireAsync(String key, long tokens) {
        checkOpen();
        int permit = breaker.permit();
        if (permit == CircuitBreaker.DENIED) {
            check(key, tokens);
            return CompletableFuture.completedFuture(degradedAcquire(key, tokens));
        }
        CompletableFuture<Decision> future;
        try {
            future = delegate.tryAcquireAsync(key, tokens);
        } catch (StoreUnavailableException e) {
            future = CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            breaker.release(permit);
            throw e;
        }
        return future.handle((d, error) -> {
            if (error == null) {
                breaker.onSuccess(permit);
                return d;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            if (cause instanceof StoreUnavailableException sue) {
                breaker.onFailure(permit, sue);
                return degradedAcquire(key, tokens);
            }
            breaker.release(permit);
            throw error instanceof CompletionException ce ? ce : new CompletionException(cause);
        });
    }

    @Override
    public Decision acquire(String key, long tokens, Duration maxWait)
            throws InterruptedException {
        checkOpen();
        int permit = breaker.permit();
        if (permit != CircuitBreaker.DENIED) {
            try {
                Decision d = delegate.acquire(key, tokens, maxWait);
                breaker.onSuccess(permit);
                return d;
            } catch (StoreUnavailableException e) {
                breaker.onFailure(permit, e);
            } catch (InterruptedException | RuntimeException e) {
                breaker.release(permit);
                throw e;
            }
        } else {
            check(key, tokens);
            Objects.requireNonNull(maxWait, "maxWait");
        }
        breaker.onDegraded();
        if (policy == FailurePolicy.LOCAL_FALLBACK) {
            return markDegraded(local.acquire(key, tokens, maxWait));
        }
        return substitute(key, tokens, rules.resolve(key));
    }

    @Override
    public Decision peek(String key) {
        checkOpen();
        int permit = breaker.permit();
        if (permit != CircuitBreaker.DENIED) {
            try {
                Decision d = delegate.peek(key);
                breaker.onSuccess(permit);
                return d;
            } catch (StoreUnavailableException e) {
                breaker.onFailure(permit, e);
            } catch (RuntimeException e) {
                breaker.release(permit);
                throw e;
            }
        } else {
            KeyCheck.check(key, maxKeyBytes);
        }
        breaker.onDegraded();
        if (policy == FailurePolicy.LOCAL_FALLBACK) {
            return markDegraded(local.peek(key));
        }
        Decision d = substitute(key, 1, rules.resolve(key));
        return new Decision(d.allowed(), key, 0, d.remaining(), d.limit(), d.retryAfterNanos(),
                0, d.policy(), true);
    }

    /**
     * Resets the key in the store (and in the local fallback).
     *
     * @throws StoreUnavailableException if the store cannot be reached or the breaker is open:
     *     a reset cannot be substituted
     */
    @Override
    public void reset(String key) {
        checkOpen();
        KeyCheck.check(key, maxKeyBytes);
        if (local != null) {
            local.reset(key);
        }
        int permit = breaker.permit();
        if (permit == CircuitBreaker.DENIED) {
            throw new StoreUnavailableException("cannot reset '" + key
                    + "': the store's circuit breaker is open", null);
        }
        try {
            delegate.reset(key);
            breaker.onSuccess(permit);
        } catch (StoreUnavailableException e) {
            breaker.onFailure(permit, e);
            throw e;
        } catch (RuntimeException e) {
            breaker.release(permit);
            throw e;
        }
    }

    /** @return the breaker's state now */
    public BreakerState state() {
        return breaker.state();
    }

    /** @return a snapshot of the counters, for metrics */
    public FailSafeStats stats() {
        return breaker.stats();
    }

    /** @return the policy applied when the store fails */
    public FailurePolicy policy() {
        return policy;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            delegate.close();
        } finally {
            if (local != null) {
                local.close();
            }
        }
    }

    @Override
    public String toString() {
        return "FailSafeRateLimiter[" + policy + ", " + breaker.state() + ", " + delegate + "]";
    }

    private Decision degradedAcquire(String key, long tokens) {
        breaker.onDegraded();
        if (policy == FailurePolicy.LOCAL_FALLBACK) {
            try {
                return markDegraded(local.tryAcquire(key, tokens));
            } catch (IllegalStateException localStoreFull) {
                // The in-memory fallback holds at most 100,000 keys; past that, fail open
                // rather than throw during an outage.
                return failOpen(key, tokens, rules.resolve(key));
            }
        }
        return substitute(key, tokens, rules.resolve(key));
    }

    private static Decision failOpen(String key, long tokens, Policy p) {
        long limit = p.smallestCapacity();
        return tokens > limit
                ? new Decision(false, key, tokens, 0, limit, Decision.NEVER, 0, p, true)
                : new Decision(true, key, tokens, limit, limit, 0, 0, p, true);
    }

    /** The FAIL_OPEN or FAIL_CLOSED answer; a request over capacity is denied either way. */
    private Decision substitute(String key, long tokens, Policy p) {
        long limit = p.smallestCapacity();
        if (tokens > limit) {
            return new Decision(false, key, tokens, 0, limit, Decision.NEVER, 0, p, true);
        }
        if (policy == FailurePolicy.FAIL_OPEN) {
            return new Decision(true, key, tokens, limit, limit, 0, 0, p, true);
        }
        long retry = breaker.nanosUntilTrial();
        return new Decision(false, key, tokens, 0, limit,
                Math.max(1, retry == 0 ? breaker.openNanos() : retry), 0, p, true);
    }

    private static Decision markDegraded(Decision d) {
        return new Decision(d.allowed(), d.key(), d.tokensRequested(), d.remaining(), d.limit(),
                d.retryAfterNanos(), d.resetAfterNanos(), d.policy(), true);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("RateLimiter is closed");
        }
    }

    private void check(String key, long tokens) {
        KeyCheck.check(key, maxKeyBytes);
        if (tokens < 1) {
            throw new IllegalArgumentException("tokens must be >= 1, was " + tokens);
        }
    }

    private static long toNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** Configures a {@link FailSafeRateLimiter}. Options are validated as set. Not thread-safe. */
    public static final class Builder {
        private final RateLimiter delegate;
        private final Rules rules;
        private FailurePolicy policy = FailurePolicy.FAIL_OPEN;
        private int failureThreshold = DEFAULT_FAILURE_THRESHOLD;
        private Duration openDuration = DEFAULT_OPEN_DURATION;
        private Ticker ticker = Ticker.system();
        private int maxKeyBytes = RateLimiterBuilder.DEFAULT_MAX_KEY_BYTES;
        private String name;

        private Builder(RateLimiter delegate, Rules rules) {
            this.delegate = Objects.requireNonNull(delegate, "delegate");
            this.rules = Objects.requireNonNull(rules, "rules");
            this.name = "ratelimiter " + delegate;
        }

        /**
         * What to answer when the store fails. Default {@link FailurePolicy#FAIL_OPEN}.
         *
         * @param policy the policy
         * @return this builder
         */
        public Builder policy(FailurePolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * Consecutive store failures that open the breaker. Default 3.
         *
         * @param threshold at least 1
         * @return this builder
         * @throws IllegalArgumentException if less than 1
         */
        public Builder failureThreshold(int threshold) {
            if (threshold < 1) {
                throw new IllegalArgumentException(
                        "failureThreshold must be >= 1, was " + threshold);
            }
            this.failureThreshold = threshold;
            return this;
        }

        /**
         * How long the breaker stays open before one request tries the store. Default 1 s.
         *
         * @param openDuration positive
         * @return this builder
         * @throws IllegalArgumentException if not positive
         */
        public Builder openDuration(Duration openDuration) {
            Objects.requireNonNull(openDuration, "openDuration");
            if (openDuration.isNegative() || openDuration.isZero()) {
                throw new IllegalArgumentException(
                        "openDuration must be positive, was " + openDuration);
            }
            this.openDuration = openDuration;
            return this;
        }

        /**
         * The clock the breaker's open period is measured on, and the local fallback's clock. It
         * exists for tests, which step a {@code ManualClock} instead of sleeping. Default
         * {@link Ticker#system()}.
         *
         * @param ticker the ticker
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * The longest key, in UTF-8 bytes, checked while the store is bypassed; set it to the
         * wrapped limiter's. Default 256.
         *
         * @param maxKeyBytes at least 1
         * @return this builder
         * @throws IllegalArgumentException if less than 1
         */
        public Builder maxKeyBytes(int maxKeyBytes) {
            if (maxKeyBytes < 1) {
                throw new IllegalArgumentException("maxKeyBytes must be >= 1, was " + maxKeyBytes);
            }
            this.maxKeyBytes = maxKeyBytes;
            return this;
        }

        /**
         * The name in log lines. Default {@code "ratelimiter "} and the wrapped limiter.
         *
         * @param name the name
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** @return the fail-safe limiter, owning the wrapped one */
        public FailSafeRateLimiter build() {
            return new FailSafeRateLimiter(this);
        }
    }
}
