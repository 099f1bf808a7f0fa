/**
 * The limiter's Micrometer meters as a {@link io.micrometer.core.instrument.binder.MeterBinder}
 * ({@link dev.ratelimiter.micrometer.RateLimiterMetrics}) that any application binds to its own
 * registry; core itself does not depend on Micrometer.
 */
package dev.ratelimiter.micrometer;
