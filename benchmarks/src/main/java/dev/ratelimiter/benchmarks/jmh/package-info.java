/**
 * JMH benchmarks of the in-process hot path, each against a raw Bucket4j bucket in the same run.
 * Every class's javadoc says what it measures and the command that runs it;
 * {@code benchmarks/scripts/jmh.sh} runs them all.
 */
package dev.ratelimiter.benchmarks.jmh;
