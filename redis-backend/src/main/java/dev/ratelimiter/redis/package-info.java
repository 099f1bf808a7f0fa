/**
 * The Redis backend: {@link dev.ratelimiter.redis.RedisStore} keeps bucket state in Redis or
 * Redis Cluster so that every JVM pointing at the same server enforces one limit together;
 * {@link dev.ratelimiter.redis.RedisStoreConfig} reads its {@code ratelimiter.redis.*} settings.
 * Pair it with {@link dev.ratelimiter.failure.FailSafeRateLimiter} to decide what happens when
 * Redis is down.
 */
package dev.ratelimiter.redis;
