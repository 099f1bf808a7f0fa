package dev.ratelimiter.redis;

import java.util.Locale;
import java.util.Objects;

/**
 * How a {@link RedisStore} turns a check into Redis commands. Both strategies give the same
 * decisions (the conformance suite runs on each); they differ in round trips under contention.
 *
 * <ul>
 *   <li>{@link #SCRIPT} (the default): one {@code EVALSHA} per check. The whole decision (refill,
 *       check every limit of the policy, consume, set the TTL) runs atomically inside Redis, so a
 *       check costs one round trip however many JVMs hit the same key at once.
 *   <li>{@link #CAS}: Bucket4j's compare-and-swap ({@code GET}, decide in the JVM, then an
 *       {@code EVAL} that writes only if the value is unchanged). Two round trips per check, and
 *       under contention every loser retries both; checks on one key in one JVM are merged by
 *       Bucket4j batching, which does not help across JVMs.
 * </ul>
 *
 * <p>Every JVM sharing a key prefix must use the same strategy: the two store a bucket in
 * different formats (the script's packed state, Bucket4j's serialized state). The script treats a
 * value it did not write as an absent (full) bucket and overwrites it; Bucket4j fails to read the
 * script's. Switch strategies with a new {@link RedisStoreBuilder#keyPrefix keyPrefix}, or after
 * the keys have expired.
 *
 * <p>Immutable and thread-safe.
 */
public enum RedisStrategy {

    /** One server-side script per check ({@code EVALSHA}): one round trip, no retries. */
    SCRIPT,

    /** Bucket4j's compare-and-swap: {@code GET} + {@code EVAL}, retried on a lost race. */
    CAS;

    /**
     * Reads a strategy name as written in configuration: {@code script} or {@code cas}, in any
     * case.
     *
     * @param name the name, not null
     * @return the strategy
     * @throws IllegalArgumentException if the name is neither, naming it
     */
    public static RedisStrategy parse(String name) {
        Objects.requireNonNull(name, "strategy");
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "script" -> SCRIPT;
            case "cas" -> CAS;
            default -> throw new IllegalArgumentException(
                    "strategy must be script or cas, was '" + name + "'");
        };
    }
}
