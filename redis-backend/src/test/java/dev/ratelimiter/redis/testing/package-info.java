/**
 * Test fixtures for Redis: real {@code redis-server} processes started from the embedded-redis
 * jar. Published in {@code ratelimiter-redis}'s test-jar for other modules' tests.
 */
package dev.ratelimiter.redis.testing;
