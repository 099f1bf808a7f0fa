package dev.ratelimiter;

import dev.ratelimiter.failure.FailSafeRateLimiter;
import dev.ratelimiter.failure.FailurePolicy;
import dev.ratelimiter.memory.InMemoryStore;
import dev.ratelimiter.spi.BucketStore;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Builds a {@link RateLimiter}. Each option is validated as it is set. Not thread-safe; the
 * limiter it builds is.
 *
 * <p>Defaults: rules with one policy {@code "default"} of capacity 10 refilled greedily at 2 tokens
 * per second; an {@link InMemoryStore} on the system clock; keys of at most 256 UTF-8 bytes; real
 * sleeping in {@code acquire}; for remote stores, async calls on a bounded pool of 4 threads with
 * a queue of 1024 (a full queue fails the future with
 * {@link java.util.concurrent.RejectedExecutionException}); no failure policy (a store failure
 * reaches the caller as {@link dev.ratelimiter.spi.StoreUnavailableException}).
 */
public final class RateLimiterBuilder {

    /** The policy used when none is configured: capacity 10, refilled at 2 tokens per second. */
    public static final Policy DEFAULT_POLICY =
            Policy.of("default", Limit.capacity(10).refillGreedy(2, Duration.ofSeconds(1)));

    /** The default maximum key length, in UTF-8 bytes. */
    public static final int DEFAULT_MAX_KEY_BYTES = 256;

    private Rules rules = Rules.of(DEFAULT_POLICY);
    private BucketStore store;
    private int maxKeyBytes = DEFAULT_MAX_KEY_BYTES;
    private Sleeper sleeper = Sleeper.system();
    private Executor asyncExecutor;
    private FailurePolicy failurePolicy;
    private Consumer<FailSafeRateLimiter.Builder> failSafeOptions = options -> { };
    private CheckListener listener = CheckListener.NONE;

    RateLimiterBuilder() {
    }

    /**
     * Which policy applies to which key.
     *
     * @param rules the rules
     * @return this builder
     */
    public RateLimiterBuilder rules(Rules rules) {
        this.rules = Objects.requireNonNull(rules, "rules");
        return this;
    }

    /**
     * Where bucket state lives. The limiter owns the store and closes it.
     *
     * @param store the store
     * @return this builder
     */
    public RateLimiterBuilder store(BucketStore store) {
        this.store = Objects.requireNonNull(store, "store");
        return this;
    }

    /**
     * The longest accepted key, in UTF-8 bytes.
     *
     * @param maxKeyBytes at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code maxKeyBytes < 1}
     */
    public RateLimiterBuilder maxKeyBytes(int maxKeyBytes) {
        if (maxKeyBytes < 1) {
            throw new IllegalArgumentException("maxKeyBytes must be >= 1, was " + maxKeyBytes);
        }
        this.maxKeyBytes = maxKeyBytes;
        return this;
    }

    /**
     * How {@code acquire} waits; a {@link ManualClock} makes it step time instead of sleeping.
     *
     * @param sleeper the sleeper
     * @return this builder
     */
    public RateLimiterBuilder sleeper(Sleeper sleeper) {
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        return this;
    }

    /**
     * Where {@code tryAcquireAsync} runs for remote stores. The caller owns this executor.
     *
     * @param executor the executor; bound its queue
     * @return this builder
     */
    public RateLimiterBuilder asyncExecutor(Executor executor) {
        this.asyncExecutor = Objects.requireNonNull(executor, "executor");
        return this;
    }

    /**
     * What to answer when the store cannot be reached: the built limiter is then a
     * {@link FailSafeRateLimiter} (with its default circuit breaker) around the engine, sharing
     * these rules and key length, so they are given once.
     *
     * @param policy the failure policy
     * @return this builder
     */
    public RateLimiterBuilder onStoreFailure(FailurePolicy policy) {
        return onStoreFailure(policy, options -> { });
    }

    /**
     * As {@link #onStoreFailure(FailurePolicy)}, with the circuit breaker tuned by
     * {@code options} (failure threshold, open duration, ticker, name).
     *
     * @param policy the failure policy
     * @param options applied to the fail-safe builder after policy, rules and key length are set
     * @return this builder
     */
    public RateLimiterBuilder onStoreFailure(FailurePolicy policy,
                                             Consumer<FailSafeRateLimiter.Builder> options) {
        this.failurePolicy = Objects.requireNonNull(policy, "policy");
        this.failSafeOptions = Objects.requireNonNull(options, "options");
        return this;
    }

    /**
     * Who is told of every {@code tryAcquire}, {@code tryAcquireAsync} and {@code acquire}
     * decision and its duration, such as a meter binder. Default: nobody.
     *
     * <p>Until the failure policy moves into the engine, a limiter with
     * {@link #onStoreFailure} reports only the decisions the store made, not the degraded ones.
     *
     * @param listener the listener, thread-safe and cheap
     * @return this builder
     */
    public RateLimiterBuilder listener(CheckListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * Applies a loaded configuration: its rules and key length.
     *
     * @param config the configuration
     * @return this builder
     */
    public RateLimiterBuilder config(dev.ratelimiter.config.RateLimiterConfig config) {
        Objects.requireNonNull(config, "config");
        rules(config.rules());
        maxKeyBytes(config.maxKeyBytes());
        return this;
    }

    /**
     * Builds the limiter.
     *
     * @return the limiter, owning the store; a {@link FailSafeRateLimiter} if
     *     {@link #onStoreFailure} was set
     */
    public RateLimiter build() {
        BucketStore s = store != null ? store : InMemoryStore.builder().build();
        Executor executor = asyncExecutor;
        ThreadPoolExecutor owned = null;
        if (!s.isLocal() && executor == null) {
            owned = defaultAsyncExecutor();
            executor = owned;
        }
        RateLimiter engine = new BucketRateLimiter(rules, s, maxKeyBytes, sleeper, executor, owned,
                listener);
        if (failurePolicy == null) {
            return engine;
        }
        FailSafeRateLimiter.Builder failSafe = FailSafeRateLimiter.builder(engine, rules)
                .policy(failurePolicy).maxKeyBytes(maxKeyBytes).name("store " + s.name());
        failSafeOptions.accept(failSafe);
        return failSafe.build();
    }

    private static ThreadPoolExecutor defaultAsyncExecutor() {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(1024), r -> {
                    Thread t = new Thread(r, "ratelimiter-async-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
