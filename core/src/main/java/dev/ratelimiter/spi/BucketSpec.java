package dev.ratelimiter.spi;

import dev.ratelimiter.Limit;
import dev.ratelimiter.Policy;
import io.github.bucket4j.BandwidthBuilder;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConfigurationBuilder;
import java.util.Objects;

/**
 * A {@link Policy} translated once into what a store needs to create a bucket: the Bucket4j
 * configuration and the idle time after which a bucket is certainly full again.
 *
 * <p>Core makes one per policy each time it compiles rules (when a limiter is built and at every
 * {@link dev.ratelimiter.RateLimiter#updateRules}); stores receive it on every call. A store that
 * finds a key's bucket made from another spec moves it to this one only if this one's
 * {@link #generation()} is not older ({@link #supersedes}), and keeps the bucket exactly when
 * the limits are the same ({@link #sameLimits}); otherwise it carries the consumption over by
 * the rule in {@link dev.ratelimiter.RateLimiter#updateRules}. Immutable and thread-safe.
 */
public final class BucketSpec {

    private final Policy policy;
    private final BucketConfiguration configuration;
    private final long nanosToFillFromEmpty;
    private final long smallestCapacity;
    private final long generation;

    private BucketSpec(Policy policy, long generation) {
        this.policy = policy;
        this.generation = generation;
        ConfigurationBuilder builder = BucketConfiguration.builder();
        long fill = 0;
        for (int i = 0; i < policy.limits().size(); i++) {
            Limit limit = policy.limits().get(i);
            builder.addLimit(bandwidth(limit, limit.capacity(), i));
            fill = Math.max(fill, limit.nanosToFillFromEmpty());
        }
        this.configuration = builder.build();
        this.nanosToFillFromEmpty = fill;
        this.smallestCapacity = policy.smallestCapacity();
    }

    /**
     * One limit as a Bucket4j bandwidth of the given capacity. Each bandwidth is identified by
     * its position ({@code "0"}, {@code "1"}, ...): Bucket4j matches bandwidths by identifier when
     * a configuration is replaced, and without identifiers it matches none once there are two
     * or more, so a policy move (see {@link LocalTokenBucket}) relies on these.
     *
     * @param limit the limit
     * @param capacity the capacity to give it
     * @param position its index in the policy
     * @return the bandwidth
     */
    static io.github.bucket4j.Bandwidth bandwidth(Limit limit, long capacity, int position) {
        var stage = BandwidthBuilder.builder().capacity(capacity);
        var built = switch (limit.refill()) {
            case GREEDY -> stage.refillGreedy(limit.refillTokens(), limit.refillPeriod());
            case INTERVAL -> stage.refillIntervally(limit.refillTokens(), limit.refillPeriod());
        };
        return built.id(Integer.toString(position)).build();
    }

    /**
     * Translates a policy.
     *
     * @param policy the policy, not null
     * @return its bucket specification
     */
    public static BucketSpec of(Policy policy) {
        return of(policy, 0);
    }

    /**
     * Translates a policy for one version of the rules.
     *
     * @param policy the policy, not null
     * @param generation the rules' generation: larger for rules installed later in this JVM
     * @return its bucket specification
     */
    public static BucketSpec of(Policy policy, long generation) {
        return new BucketSpec(Objects.requireNonNull(policy, "policy"), generation);
    }

    /**
     * The generation of the rules this spec was compiled from. Generations only grow within a JVM,
     * so a check that resolved its spec just before a swap (an older generation) never moves a key
     * back to the old policy after a newer check has moved it forward.
     *
     * @return the generation, 0 for specs made outside a limiter
     */
    public long generation() {
        return generation;
    }

    /**
     * Whether a bucket now held for {@code held} should move to this spec: this one is not of an
     * older generation.
     *
     * @param held the spec the key's bucket was made from or last moved to
     * @return true if a store should move the bucket to this spec
     */
    public boolean supersedes(BucketSpec held) {
        return generation >= held.generation;
    }

    /**
     * Whether {@code other} has the same limits in the same order, so a bucket made from one is
     * exactly a bucket of the other (the policy's name and shadow flag do not matter).
     *
     * @param other another spec
     * @return true if the limits are equal
     */
    public boolean sameLimits(BucketSpec other) {
        return other == this || policy.limits().equals(other.policy.limits());
    }

    /** @return the policy this was made from */
    public Policy policy() {
        return policy;
    }

    /** @return the Bucket4j configuration: one bandwidth per limit, in the policy's order */
    public BucketConfiguration configuration() {
        return configuration;
    }

    /**
     * Nanoseconds an empty bucket takes to be full again under every limit: a bucket unused for
     * this long is full, so a store may forget it without changing any later decision (as long as
     * it was not driven below zero by a reservation that is still waiting).
     *
     * @return nanoseconds, saturated at {@link Long#MAX_VALUE}
     */
    public long nanosToFillFromEmpty() {
        return nanosToFillFromEmpty;
    }

    /** @return the policy's smallest capacity */
    public long smallestCapacity() {
        return smallestCapacity;
    }
}
