/**
 * The rate limiter API: {@link dev.ratelimiter.RateLimiter} answers whether a key may spend
 * tokens now, as a {@link dev.ratelimiter.Decision} whose {@link dev.ratelimiter.Decision.Outcome}
 * says why; {@link dev.ratelimiter.Rules} choose each key's {@link dev.ratelimiter.Policy} of one
 * or more {@link dev.ratelimiter.Limit}s. Time comes from a {@link dev.ratelimiter.Ticker}, which
 * tests replace with a {@link dev.ratelimiter.ManualClock}.
 *
 * <p>One engine (package-private) makes every decision: it validates once, resolves the policy
 * once, asks the store's bucket (see {@code dev.ratelimiter.spi}) and, when the store fails,
 * answers by the failure policy with its circuit breaker and optional in-process fallback, all
 * configured on {@link dev.ratelimiter.RateLimiterBuilder}. The arithmetic is Bucket4j's, run by
 * the store: in this JVM, or inside Redis by a script that reproduces it exactly.
 */
package dev.ratelimiter;
