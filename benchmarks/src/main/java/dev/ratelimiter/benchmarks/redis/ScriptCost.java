package dev.ratelimiter.benchmarks.redis;

import dev.ratelimiter.Limit;
import dev.ratelimiter.Policy;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.Rules;
import dev.ratelimiter.redis.RedisStore;
import java.time.Duration;

/**
 * Drives {@code n} sequential script-strategy checks over 1,000 keys with a policy of
 * {@code limits} greedy limits, so that Redis's {@code INFO commandstats} ({@code
 * cmdstat_evalsha usec_per_call}) gives the script's cost per check inside Redis. One thread, so
 * no batching: one {@code EVALSHA} per check. {@code benchmarks/scripts/script-cost.sh} runs it
 * against a throw-away Redis on 127.0.0.1, optionally also with another build's jars first on the
 * class path (the baseline in the same run).
 *
 * <p>Arguments: Redis URL, checks, key prefix, number of limits.
 */
public final class ScriptCost {

    private ScriptCost() {
    }

    public static void main(String[] args) {
        int limits = Integer.parseInt(args[3]);
        Limit[] l = new Limit[limits];
        for (int i = 0; i < limits; i++) {
            l[i] = Limit.capacity(1_000_000L * (i + 1)).refillGreedy(10, Duration.ofSeconds(1 + i));
        }
        try (RateLimiter limiter = RateLimiter.builder().rules(Rules.of(Policy.of("p", l)))
                .store(RedisStore.builder().url(args[0]).keyPrefix(args[2]).build()).build()) {
            int n = Integer.parseInt(args[1]);
            for (int i = 0; i < n; i++) {
                limiter.tryAcquire("k" + (i % 1000));
            }
        }
    }
}
