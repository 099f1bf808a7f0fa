/**
 * The limiter over HTTP, on the JDK's {@code com.sun.net.httpserver}.
 *
 * <ul>
 *   <li>{@link dev.ratelimiter.http.Main}: the standalone server ({@code java -jar
 *       ratelimiter-http-*-all.jar --config FILE}), configured by {@link
 *       dev.ratelimiter.http.ServerSettings} and the core configuration.</li>
 *   <li>{@link dev.ratelimiter.http.RateLimitServer}: the same server, embeddable: it serves
 *       {@code POST /api/ratelimit/check}, {@code GET /health} and {@code GET /metrics}.</li>
 *   <li>{@link dev.ratelimiter.http.RateLimitFilter}: a {@code Filter} that applications on
 *       {@code HttpServer} add to their own routes.</li>
 * </ul>
 *
 * <p>The adapter only translates: JSON in, {@link dev.ratelimiter.RateLimiter#tryAcquire} and
 * JSON and headers out. Every rejection of client input is a 4xx response with a JSON body
 * {@code {"error": "..."}} naming the offending field; nothing a client sends produces a 5xx.
 */
package dev.ratelimiter.http;
