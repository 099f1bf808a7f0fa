/**
 * The Redis backend: {@link dev.ratelimiter.redis.RedisStore} keeps bucket state in Redis or
 * Redis Cluster so that every JVM pointing at the same server enforces one limit together;
 * {@link dev.ratelimiter.redis.RedisStoreConfig} reads its {@code ratelimiter.redis.*} settings;
 * {@link dev.ratelimiter.redis.RedisStrategy} chooses how a check reaches Redis (one
 * {@code EVALSHA} by default, pipelined over two connections per node shared by every thread, or
 * Bucket4j's compare-and-swap). A check this JVM cannot send in time is
 * {@link dev.ratelimiter.spi.StoreOverloadedException}, not a store failure.
 * Choose what happens when Redis is down with
 * {@code RateLimiter.builder().onStoreFailure(FailurePolicy...)}.
 */
package dev.ratelimiter.redis;
