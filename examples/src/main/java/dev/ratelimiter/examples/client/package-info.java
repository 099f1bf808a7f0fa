/**
 * Example 6: a Java client for the standalone server, with timeout, retries with backoff, a
 * circuit breaker and fail-open, configured like the contract's Python client.
 */
package dev.ratelimiter.examples.client;
