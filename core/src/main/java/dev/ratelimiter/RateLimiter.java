package dev.ratelimiter;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Answers one question: may this key spend these tokens now?
 *
 * <p>Each key has token buckets described by the {@link Policy} that {@link Rules} choose for it.
 * A request is allowed when every limit of the policy has the tokens, and then takes them from
 * every limit; a denied request takes nothing. With the default policy (capacity 10, 2 tokens
 * per second):
 *
 * <pre>{@code
 * RateLimiter limiter = RateLimiter.builder().build();     // in-memory, capacity 10, 2/s
 * limiter.tryAcquire("user:42", 10).allowed();             // true: the bucket starts full
 * limiter.tryAcquire("user:42").allowed();                 // false, retryAfter() = 500 ms
 * }</pre>
 *
 * <p>The surprising rule: a request for more tokens than the policy's smallest capacity can never
 * succeed, so it is denied at once, consumes nothing, and reports
 * {@link Decision#exceedsCapacity()} (its {@code retryAfter} is {@link Decision#NEVER}).
 *
 * <p>Every answer says why in {@link Decision#outcome()}: the limit allowed or denied; the store was
 * unavailable and the failure policy set with {@link RateLimiterBuilder#onStoreFailure} answered;
 * or the request was refused for a reason that is not the limit (a full bounded store, or this JVM
 * too busy to reach a remote store in time), in which case nothing was consumed.
 *
 * <p>Implementations are thread-safe. Arguments are validated before anything is consumed:
 * a null key throws {@link NullPointerException}; a blank key, a key longer than the configured
 * maximum (default 256 UTF-8 bytes) or {@code tokens < 1} throws {@link IllegalArgumentException}
 * naming the argument and its value. This is an interface so that tests can mock it.
 */
public interface RateLimiter extends AutoCloseable {

    /**
     * Takes {@code tokens} from {@code key}'s buckets if they all have them; never waits.
     *
     * @param key the key, not blank, at most the configured length in UTF-8 bytes
     * @param tokens tokens to take, at least 1
     * @return the decision, never null
     * @throws IllegalArgumentException if the key or token count is invalid
     * @throws dev.ratelimiter.spi.StoreUnavailableException if the store cannot be reached and
     *     no failure policy answers instead
     * @throws IllegalStateException if the limiter is closed
     */
    Decision tryAcquire(String key, long tokens);

    /**
     * {@code tryAcquire(key, 1)}.
     *
     * @param key the key
     * @return the decision, never null
     */
    default Decision tryAcquire(String key) {
        return tryAcquire(key, 1);
    }

    /**
     * {@link #tryAcquire(String, long)} without blocking the caller on a remote store. For
     * in-process stores the future is already complete. Validation errors are thrown, not put in
     * the future.
     *
     * @param key the key
     * @param tokens tokens to take, at least 1
     * @return the decision, completed exceptionally if the store fails
     */
    CompletableFuture<Decision> tryAcquireAsync(String key, long tokens);

    /**
     * Takes {@code tokens}, waiting up to {@code maxWait} for them to refill. If the wait needed
     * is longer than {@code maxWait}, returns a denial at once without waiting or consuming;
     * otherwise reserves the tokens (later callers queue behind them) and waits until they are
     * due.
     *
     * @param key the key
     * @param tokens tokens to take, at least 1
     * @param maxWait the longest acceptable wait, not negative
     * @return the decision: allowed after the wait, or denied without waiting
     * @throws InterruptedException if interrupted while waiting; the reserved tokens stay taken
     * @throws IllegalArgumentException if an argument is invalid
     */
    Decision acquire(String key, long tokens, Duration maxWait) throws InterruptedException;

    /**
     * The key's state without consuming: {@code allowed} says whether one token is available now,
     * {@code tokensRequested} is 0.
     *
     * @param key the key
     * @return the state as a decision, never null
     */
    Decision peek(String key);

    /**
     * Forgets the key's state: its next request finds full buckets.
     *
     * @param key the key
     */
    void reset(String key);

    /**
     * The store-failure handling's state and counters: the circuit breaker, the failure policy,
     * degraded and overloaded counts. For metrics and health checks; cheap (a few volatile reads).
     *
     * @return a snapshot; {@link dev.ratelimiter.failure.FailSafeStats#NONE} for a limiter without
     *     a failure policy (the default, so mocks need not stub it)
     */
    default dev.ratelimiter.failure.FailSafeStats stats() {
        return dev.ratelimiter.failure.FailSafeStats.NONE;
    }

    /** Closes the store; later calls fail. Idempotent. */
    @Override
    void close();

    /**
     * Starts a limiter; by default it is in-memory with capacity 10 refilled at 2 tokens per
     * second.
     *
     * @return a new builder
     */
    static RateLimiterBuilder builder() {
        return new RateLimiterBuilder();
    }

    /**
     * An in-memory limiter on a manual clock: the stub for unit tests. Step the clock to refill.
     *
     * @param rules the rules
     * @param clock the clock the buckets read and {@code acquire} waits on
     * @return the limiter
     */
    static RateLimiter inMemory(Rules rules, ManualClock clock) {
        return builder()
                .rules(rules)
                .store(dev.ratelimiter.memory.InMemoryStore.builder().ticker(clock).build())
                .sleeper(clock)
                .build();
    }
}
