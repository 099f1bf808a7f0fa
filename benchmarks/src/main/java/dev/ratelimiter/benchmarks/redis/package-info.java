/**
 * Load drivers for the Redis backend: {@link dev.ratelimiter.benchmarks.redis.RedisLoadDriver}
 * measures checks per second and latency against a local Redis, with raw {@code GET} round trips
 * as the baseline in the same run.
 */
package dev.ratelimiter.benchmarks.redis;
