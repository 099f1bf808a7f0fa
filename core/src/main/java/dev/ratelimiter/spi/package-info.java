/**
 * The storage seam for backends: {@link dev.ratelimiter.spi.BucketStore} says where bucket state
 * lives, {@link dev.ratelimiter.spi.TokenBucket} is one key's bucket with three atomic operations
 * that answer in the SPI's own {@link dev.ratelimiter.spi.TokenBucket.Probe}, and
 * {@link dev.ratelimiter.spi.BucketSpec} is a policy translated for the store. Bucket4j appears
 * here only in the helpers for Bucket4j-backed stores ({@link dev.ratelimiter.spi.Bucket4jTokenBucket},
 * {@link dev.ratelimiter.spi.TimeMeters}); a store may compute the same arithmetic elsewhere (the
 * Redis script does) and must pass core's conformance suite. The exceptions say how a store failed.
 * Users of the limiter do not need this package unless they write a backend.
 */
package dev.ratelimiter.spi;
