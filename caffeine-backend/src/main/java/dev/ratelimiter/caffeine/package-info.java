/**
 * The Caffeine store: bucket state in a bounded, self-expiring cache in this JVM. The default
 * backend of the standalone server.
 */
package dev.ratelimiter.caffeine;
