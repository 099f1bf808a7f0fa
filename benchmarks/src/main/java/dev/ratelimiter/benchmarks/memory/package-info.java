/**
 * Heap cost of stored keys, measured by a plain main class ({@link
 * dev.ratelimiter.benchmarks.memory.BytesPerKey}) rather than JMH: it needs one big population and
 * full collections, not repeated timed calls.
 */
package dev.ratelimiter.benchmarks.memory;
