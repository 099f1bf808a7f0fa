package dev.ratelimiter.spi;

/**
 * Where bucket state lives: the one seam a backend implements.
 *
 * <p>A store holds state and runs the token-bucket arithmetic on it; the engine in core does the
 * rest. The engine validates, resolves the policy, calls the {@link TokenBucket} this store
 * returns, turns its {@link TokenBucket.Probe} into a decision, and answers by the failure policy
 * when the store fails. Where the arithmetic runs depends on the store: an in-process store returns
 * Bucket4j local buckets from a bounded map, so it runs in this JVM; the Redis store's default
 * strategy runs it inside Redis, in a script that reproduces Bucket4j's arithmetic exactly (its
 * CAS strategy runs Bucket4j in the JVM against remote state).
 *
 * <p>Implementations must be thread-safe. Methods never return null. A store signals trouble by
 * what it throws (from this method or from the returned bucket), each of which the engine turns
 * into its own outcome: {@link StoreUnavailableException} when the store itself failed (a failure
 * policy answers), {@link StoreOverloadedException} when this JVM could not send the command in
 * time (refused as back-pressure), {@link StoreFullException} when a bounded store cannot take a
 * new key.
 */
public interface BucketStore extends AutoCloseable {

    /**
     * The bucket for {@code key}, created from {@code spec} if the store holds none.
     *
     * <p>When the rules change ({@code RateLimiter.updateRules}), {@code spec} is a new object:
     * a store holding the key's bucket under another spec moves it to this one if
     * {@link BucketSpec#supersedes} says so (a spec of an older generation leaves the bucket
     * alone), keeps it exactly if {@link BucketSpec#sameLimits}, and otherwise carries the
     * consumption over by the rule of {@link LocalTokenBucket} (which in-process stores simply
     * use). Stores that ignore this keep the old limits for existing keys; the conformance suite's
     * {@code policyChange_*} tests catch that.
     *
     * <p>Called on every request: implementations keep the hit path free of allocation and
     * locking where they can.
     *
     * @param key the key, already validated
     * @param spec the policy's bucket specification
     * @return the bucket; operations on it act on the stored state
     * @throws StoreUnavailableException if the store cannot be reached
     */
    TokenBucket bucket(String key, BucketSpec spec);

    /**
     * Tells the store that {@code key}'s bucket may stay below zero for up to {@code nanos}: an
     * {@code acquire} has reserved tokens and is waiting for them. A store that forgets idle
     * buckets must keep this one for at least {@code nanos} plus
     * {@link BucketSpec#nanosToFillFromEmpty()} from now, or the reservation would be forgiven.
     * Stores whose expiry follows the bucket's state (such as Redis, where Bucket4j sets each
     * key's TTL from its state) need do nothing, which is the default.
     *
     * @param key the key, whose bucket was just returned by {@link #bucket}
     * @param nanos the longest the reservation may wait, in nanoseconds
     */
    default void retain(String key, long nanos) {
    }

    /**
     * Forgets the bucket for {@code key}; the next request finds a full one.
     *
     * @param key the key
     * @throws StoreUnavailableException if the store cannot be reached
     */
    void remove(String key);

    /**
     * Whether the state lives in this JVM, so calls never block on I/O. The limiter completes
     * async calls on the caller's thread for local stores.
     *
     * @return true for in-process stores
     */
    boolean isLocal();

    /**
     * A short name for logs, health and metrics, such as {@code "caffeine"} or {@code "redis"}.
     *
     * @return the store's name
     */
    String name();

    /** Releases the store's resources (connections, threads). Idempotent. */
    @Override
    void close();
}
