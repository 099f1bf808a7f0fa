/**
 * The Spring Boot starter: auto-configuration of a {@link dev.ratelimiter.RateLimiter} from
 * {@code ratelimiter.*} ({@link dev.ratelimiter.spring.RateLimiterProperties}), a servlet filter
 * ({@code ratelimiter.web.*}), {@link dev.ratelimiter.spring.RateLimited} on bean methods,
 * Micrometer meters and the {@code ratelimiter} health indicator. Every bean backs off when the
 * application defines its own.
 */
package dev.ratelimiter.spring;
