/**
 * The rate limiter API: {@link dev.ratelimiter.RateLimiter} answers whether a key may spend
 * tokens now, as a {@link dev.ratelimiter.Decision}; {@link dev.ratelimiter.Rules} choose each
 * key's {@link dev.ratelimiter.Policy} of one or more {@link dev.ratelimiter.Limit}s. Time comes
 * from a {@link dev.ratelimiter.Ticker}, which tests replace with a
 * {@link dev.ratelimiter.ManualClock}.
 */
package dev.ratelimiter;
