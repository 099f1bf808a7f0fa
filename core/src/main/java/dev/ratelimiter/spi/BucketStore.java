package dev.ratelimiter.spi;

/**
 * Where bucket state lives: the one seam a backend implements.
 *
 * <p>A store only keeps state. It never decides: the limiter in core resolves the policy, calls
 * the Bucket4j {@link Bucket} this store returns, and turns the result into a decision. An
 * in-process store returns local buckets from a bounded map; a remote store returns Bucket4j
 * proxies whose state lives in the remote system.
 *
 * <p>Implementations must be thread-safe. Methods never return null. A remote store signals that
 * it cannot be reached by throwing {@link StoreUnavailableException} (from this method or from the
 * returned bucket), so that a failure policy can answer instead.
 */
public interface BucketStore extends AutoCloseable {

    /**
     * The bucket for {@code key}, created from {@code spec} if the store holds none.
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
