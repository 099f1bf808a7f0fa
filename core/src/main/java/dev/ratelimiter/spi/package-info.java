/**
 * The storage seam for backends: {@link dev.ratelimiter.spi.BucketStore} says where bucket state
 * lives; {@link dev.ratelimiter.spi.BucketSpec} is a policy translated for the store. Users of the
 * limiter do not need this package unless they write a backend.
 */
package dev.ratelimiter.spi;
