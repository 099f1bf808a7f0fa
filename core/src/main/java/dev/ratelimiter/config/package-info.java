/**
 * Configuration from properties files and environment variables:
 * {@link dev.ratelimiter.config.ConfigSource} is the merged view each module reads its section
 * from; {@link dev.ratelimiter.config.RateLimiterConfig} is core's section (rules, key length).
 */
package dev.ratelimiter.config;
