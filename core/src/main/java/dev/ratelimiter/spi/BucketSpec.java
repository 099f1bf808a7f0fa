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
 * <p>Core makes one per policy when a limiter is built; stores receive it on every call and read
 * it only when they create a bucket. Immutable and thread-safe.
 */
public final class BucketSpec {

    private final Policy policy;
    private final BucketConfiguration configuration;
    private final long nanosToFillFromEmpty;
    private final long smallestCapacity;

    private BucketSpec(Policy policy) {
        this.policy = policy;
        ConfigurationBuilder builder = BucketConfiguration.builder();
        long fill = 0;
        for (Limit limit : policy.limits()) {
            var capacity = BandwidthBuilder.builder().capacity(limit.capacity());
            builder.addLimit(switch (limit.refill()) {
                case GREEDY -> capacity.refillGreedy(limit.refillTokens(), limit.refillPeriod()).build();
                case INTERVAL -> capacity.refillIntervally(limit.refillTokens(), limit.refillPeriod())
                        .build();
            });
            fill = Math.max(fill, limit.nanosToFillFromEmpty());
        }
        this.configuration = builder.build();
        this.nanosToFillFromEmpty = fill;
        this.smallestCapacity = policy.smallestCapacity();
    }

    /**
     * Translates a policy.
     *
     * @param policy the policy, not null
     * @return its bucket specification
     */
    public static BucketSpec of(Policy policy) {
        return new BucketSpec(Objects.requireNonNull(policy, "policy"));
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
