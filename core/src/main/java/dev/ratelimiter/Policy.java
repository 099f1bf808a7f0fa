package dev.ratelimiter;

import java.util.List;
import java.util.Objects;

/**
 * A named set of limits applied together to one key: a request is allowed only if every limit
 * has the tokens, and then it takes them from every limit.
 *
 * <p>"100 per minute and 10 per second" is
 * {@code Policy.of("api", Limit.of(100, Duration.ofMinutes(1)), Limit.of(10, Duration.ofSeconds(1)))}.
 *
 * <p>A <b>shadow</b> policy ({@link #withShadow(boolean)}) is evaluated and keeps its state as
 * an enforced one would, but a request it would deny is allowed, with the outcome
 * {@link Decision.Outcome#SHADOW_DENIED}: the way to see what a new limit would reject before it
 * rejects anyone. Turning shadow off (by {@link RateLimiter#updateRules}) enforces the policy from
 * the next check on, with the state it has built up. Buckets depend only on the limits: the name
 * and the shadow flag can change without touching any key's state.
 *
 * <p>Immutable and thread-safe; no component is null.
 *
 * @param name the name reported in decisions and response headers; not blank
 * @param limits the limits, at least one; copied
 * @param shadow whether a denial is reported ({@code SHADOW_DENIED}) instead of enforced
 */
public record Policy(String name, List<Limit> limits, boolean shadow) {

    /**
     * Validates and copies.
     *
     * @throws NullPointerException if {@code name}, {@code limits} or any limit is null
     * @throws IllegalArgumentException if {@code name} is blank or {@code limits} is empty
     */
    public Policy {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(limits, "limits");
        if (name.isBlank()) {
            throw new IllegalArgumentException("policy name must not be blank");
        }
        if (limits.isEmpty()) {
            throw new IllegalArgumentException("policy '" + name + "' must have at least one limit");
        }
        limits = List.copyOf(limits);
    }

    /**
     * An enforced (not shadow) policy; source-compatible with the two-component record.
     *
     * @param name the policy name, not blank
     * @param limits at least one limit
     */
    public Policy(String name, List<Limit> limits) {
        this(name, limits, false);
    }

    /**
     * The same policy, in shadow mode or enforced.
     *
     * @param shadow true: denials are reported as {@code SHADOW_DENIED} and allowed
     * @return a policy with the same name and limits
     */
    public Policy withShadow(boolean shadow) {
        return shadow == this.shadow ? this : new Policy(name, limits, shadow);
    }

    /**
     * A policy of the given limits.
     *
     * @param name the policy name, not blank
     * @param limits at least one limit
     * @return the policy
     */
    public static Policy of(String name, Limit... limits) {
        return new Policy(name, List.of(limits));
    }

    /**
     * The smallest capacity among the limits: a request for more tokens than this can never
     * succeed.
     *
     * @return the smallest capacity
     */
    public long smallestCapacity() {
        long min = Long.MAX_VALUE;
        for (Limit limit : limits) {
            min = Math.min(min, limit.capacity());
        }
        return min;
    }

    /**
     * The limit with the smallest capacity (the first such one): the one reported as
     * {@link Decision#limit()} and in response headers.
     *
     * @return the tightest limit
     */
    public Limit tightestLimit() {
        return limits.get(tightestIndex());
    }

    /**
     * The position of {@link #tightestLimit()} in {@link #limits()}, for adapters that report
     * every limit and name the tightest first.
     *
     * @return the index of the first limit of the smallest capacity
     */
    public int tightestIndex() {
        int tightest = 0;
        for (int i = 1; i < limits.size(); i++) {
            if (limits.get(i).capacity() < limits.get(tightest).capacity()) {
                tightest = i;
            }
        }
        return tightest;
    }
}
