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
 * <p>Immutable and thread-safe; no component is null.
 *
 * @param name the name reported in decisions and response headers; not blank
 * @param limits the limits, at least one; copied
 */
public record Policy(String name, List<Limit> limits) {

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
        Limit tightest = limits.get(0);
        for (Limit limit : limits) {
            if (limit.capacity() < tightest.capacity()) {
                tightest = limit;
            }
        }
        return tightest;
    }
}
