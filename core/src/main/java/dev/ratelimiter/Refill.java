package dev.ratelimiter;

/**
 * How a {@link Limit} puts tokens back.
 *
 * <p>With "10 tokens per second" and a bucket drained at t = 0:
 * <ul>
 *   <li>{@link #GREEDY} adds them as time passes: 1 token at t = 100 ms, 5 at t = 500 ms.</li>
 *   <li>{@link #INTERVAL} adds all 10 at once, at t = 1 s, and none before.</li>
 * </ul>
 */
public enum Refill {
    /** Tokens come back continuously, as soon as each one is due. */
    GREEDY,
    /** The whole refill amount comes back at once, at the end of each period. */
    INTERVAL
}
