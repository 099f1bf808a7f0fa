/**
 * The in-memory store: bucket state in a bounded map in this JVM. With a
 * {@link dev.ratelimiter.ManualClock} it is the stub for unit tests.
 */
package dev.ratelimiter.memory;
