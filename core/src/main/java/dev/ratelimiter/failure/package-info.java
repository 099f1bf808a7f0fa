/**
 * The vocabulary of store-failure handling: {@link dev.ratelimiter.failure.FailurePolicy} (what
 * to answer while the store is unavailable), {@link dev.ratelimiter.failure.BreakerState} and
 * {@link dev.ratelimiter.failure.FailSafeStats}. The handling itself is part of the engine,
 * configured with {@code RateLimiter.builder().onStoreFailure(...)}; this package only names its
 * options and reports its state, and depends on nothing else in the library.
 */
package dev.ratelimiter.failure;
