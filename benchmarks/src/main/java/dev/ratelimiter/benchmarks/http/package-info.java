/**
 * Load drivers for the HTTP server: {@link dev.ratelimiter.benchmarks.http.TrivialJsonServer}, the
 * transport ceiling that {@code benchmarks/scripts/http-bench.sh} measures next to the real
 * server with {@code wrk}.
 */
package dev.ratelimiter.benchmarks.http;
