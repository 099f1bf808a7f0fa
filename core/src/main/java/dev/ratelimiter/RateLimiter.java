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

    /**
     * Replaces the rules while checks run. The swap is atomic: each check reads the rules once,
     * so it is decided wholly by the old rules or wholly by the new ones, and no check fails
     * because of the swap.
     *
     * <p>What happens to each key's bucket, on the key's next check:
     * <ul>
     *   <li>its policy's limits did not change (even if its name or shadow flag did): the bucket
     *       is kept exactly;</li>
     *   <li>they changed: tokens used so far stay used. Limits are matched by position; for a
     *       limit that still exists, {@code available = newCapacity - (oldCapacity - available)}
     *       (after refilling to now under the old limit; at most the new capacity, and below zero,
     *       a debt the refill pays first, when the limit was cut below what the key has used), and
     *       refill continues at the new rate from that moment; a new limit starts full.</li>
     * </ul>
     * Every store applies the same rule (in-memory, Caffeine, Redis under both strategies). Within
     * one JVM a key only ever moves forward to newer rules. When several JVMs share a store and
     * reload at different moments, each check is decided by one JVM's policy on the one shared
     * state, and a move keeps the tokens used, so a key moved back and forth cannot gain tokens:
     * while both policies are live, a key is admitted at most what the looser of them allows
     * (the larger capacity as a burst, the faster refill after).
     *
     * <p>Shadow mode ({@link Policy#shadow()}) is turned on and off the same way; turning it off
     * enforces the policy from the next check on, with the state it built up.
     *
     * @param rules the new rules, not null
     * @throws UnsupportedOperationException if this limiter cannot change rules (the default, for
     *     mocks and decorators)
     * @throws IllegalStateException if the limiter is closed
     */
    default void updateRules(Rules rules) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot change rules");
    }

    /**
     * The rules in force now.
     *
     * @return the rules
     * @throws UnsupportedOperationException if this limiter does not expose them (the default)
     */
    default Rules rules() {
        throw new UnsupportedOperationException(getClass().getName() + " does not expose rules");
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
