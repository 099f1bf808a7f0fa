package dev.ratelimiter;

import dev.ratelimiter.failure.FailurePolicy;
import dev.ratelimiter.memory.InMemoryStore;
import dev.ratelimiter.spi.BucketStore;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds a {@link RateLimiter}. Each option is validated as it is set. Not thread-safe; the
 * limiter it builds is.
 *
 * <p>Defaults: rules with one policy {@code "default"} of capacity 10 refilled greedily at 2 tokens
 * per second; an {@link InMemoryStore} on the system clock; keys of at most 256 UTF-8 bytes; real
 * sleeping in {@code acquire}; for remote stores, async calls on a bounded pool of 4 threads with
 * a queue of 1024 (a full queue answers {@link Decision.Outcome#OVERLOADED}); no failure policy
 * (a store failure reaches the caller as {@link dev.ratelimiter.spi.StoreUnavailableException}).
 *
 * <pre>{@code
 * RateLimiter limiter = RateLimiter.builder()
 *         .rules(rules)
 *         .store(redisStore)
 *         .onStoreFailure(FailurePolicy.LOCAL_FALLBACK)   // breaker: 3 failures, open 1 s
 *         .build();
 * }</pre>
 */
public final class RateLimiterBuilder {

    /** The policy used when none is configured: capacity 10, refilled at 2 tokens per second. */
    public static final Policy DEFAULT_POLICY =
            Policy.of("default", Limit.capacity(10).refillGreedy(2, Duration.ofSeconds(1)));

    /** The default maximum key length, in UTF-8 bytes. */
    public static final int DEFAULT_MAX_KEY_BYTES = 256;
    /** The default consecutive store failures that open the circuit breaker. */
    public static final int DEFAULT_FAILURE_THRESHOLD = 3;
    /** The default time the breaker stays open before one check tries the store again. */
    public static final Duration DEFAULT_OPEN_DURATION = Duration.ofSeconds(1);

    private Rules rules = Rules.of(DEFAULT_POLICY);
    private BucketStore store;
    private int maxKeyBytes = DEFAULT_MAX_KEY_BYTES;
    private Sleeper sleeper = Sleeper.system();
    private Executor asyncExecutor;
    private CheckListener listener;
    private FailurePolicy failurePolicy;
    private int failureThreshold = DEFAULT_FAILURE_THRESHOLD;
    private Duration openDuration = DEFAULT_OPEN_DURATION;
    private Ticker ticker = Ticker.system();

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
     * Where {@code tryAcquireAsync} runs for remote stores. The caller owns this executor; when
     * it refuses a task the check is answered {@link Decision.Outcome#OVERLOADED}.
     *
     * @param executor the executor; bound its queue
     * @return this builder
     */
    public RateLimiterBuilder asyncExecutor(Executor executor) {
        this.asyncExecutor = Objects.requireNonNull(executor, "executor");
        return this;
    }

    /**
     * Told of every decision, for metrics; see {@link CheckListener}. Default none.
     *
     * @param listener the listener
     * @return this builder
     */
    public RateLimiterBuilder listener(CheckListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /**
     * What to answer when the store cannot be reached: the engine then runs a circuit breaker
     * (see {@link #circuitBreaker}) and answers by {@code policy} while the store fails or the
     * breaker is open, with the same rules and key length. The decision's outcome names the
     * policy. Default: none, a store failure reaches the caller.
     *
     * @param policy the failure policy
     * @return this builder
     */
    public RateLimiterBuilder onStoreFailure(FailurePolicy policy) {
        this.failurePolicy = Objects.requireNonNull(policy, "policy");
        return this;
    }

    /**
     * Tunes the circuit breaker used with {@link #onStoreFailure}: after {@code failureThreshold}
     * consecutive store failures it opens, and for {@code openDuration} the store is not called
     * (answers take microseconds); then one check tries the store, and its success closes the
     * breaker. So a dead store costs {@code failureThreshold} timeouts, then one per
     * {@code openDuration}. Defaults 3 and 1 s. Each state change is logged once.
     *
     * @param failureThreshold consecutive failures that open it, 1 to 1000
     * @param openDuration how long it stays open, positive, at most an hour
     * @return this builder
     * @throws IllegalArgumentException if a value is out of range, naming it
     */
    public RateLimiterBuilder circuitBreaker(int failureThreshold, Duration openDuration) {
        this.failureThreshold = checkFailureThreshold(failureThreshold);
        this.openDuration = checkOpenDuration(openDuration);
        return this;
    }

    /**
     * The bound of {@link #circuitBreaker}'s threshold, for configuration readers.
     *
     * @param failureThreshold the value
     * @return the value, if from 1 to 1000
     * @throws IllegalArgumentException otherwise
     */
    public static int checkFailureThreshold(int failureThreshold) {
        if (failureThreshold < 1 || failureThreshold > 1000) {
            throw new IllegalArgumentException(
                    "failureThreshold must be from 1 to 1000, was " + failureThreshold);
        }
        return failureThreshold;
    }

    /**
     * The bound of {@link #circuitBreaker}'s open duration, for configuration readers.
     *
     * @param openDuration the value
     * @return the value, if positive and at most an hour
     * @throws IllegalArgumentException otherwise
     */
    public static Duration checkOpenDuration(Duration openDuration) {
        Objects.requireNonNull(openDuration, "openDuration");
        if (openDuration.isNegative() || openDuration.isZero()
                || openDuration.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("openDuration must be positive and at most 1 hour,"
                    + " was " + openDuration);
        }
        return openDuration;
    }

    /**
     * The clock of the circuit breaker's open period and of the local fallback's buckets. It
     * exists for tests, which step a {@link ManualClock} instead of sleeping. (The main store
     * reads its own clock, set on the store.) Default {@link Ticker#system()}.
     *
     * @param ticker the ticker
     * @return this builder
     */
    public RateLimiterBuilder ticker(Ticker ticker) {
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        return this;
    }

    /**
     * Builds the limiter.
     *
     * @return the limiter, owning the store
     */
    public RateLimiter build() {
        BucketStore s = store != null ? store : InMemoryStore.builder().build();
        Executor executor = asyncExecutor;
        ThreadPoolExecutor owned = null;
        if (!s.isLocal() && executor == null) {
            owned = defaultAsyncExecutor();
            executor = owned;
        }
        return new BucketRateLimiter(new Parts(rules, s, maxKeyBytes, sleeper, executor, owned,
                listener, failurePolicy, failureThreshold, openDuration, ticker));
    }

    /** What the engine is built from: the options, resolved. */
    record Parts(Rules rules, BucketStore store, int maxKeyBytes, Sleeper sleeper,
                 Executor asyncExecutor, ExecutorService ownedExecutor, CheckListener listener,
                 FailurePolicy failurePolicy, int failureThreshold, Duration openDuration,
                 Ticker ticker) {
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
