package dev.ratelimiter.http;

import dev.ratelimiter.CheckListener;
import dev.ratelimiter.Decision;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.micrometer.RateLimiterMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The server's meters, on Micrometer's Prometheus registry. The limiter's own series come from
 * the library's {@link RateLimiterMetrics} binder, the same one a plain or Spring app binds to its
 * registry, so the server shows exactly the series an app does:
 * <ul>
 *   <li>{@code ratelimiter_checks_total{policy, outcome}}: {@code outcome} is the decision's
 *       {@link Decision.Outcome#tag()} ({@code allowed}, {@code denied}, {@code failed_open},
 *       {@code failed_closed}, {@code fallback_allowed}, {@code fallback_denied},
 *       {@code store_full}, {@code overloaded}, {@code shadow_denied}: a shadow policy would
 *       have denied, counted under that policy), or {@code error} for a check that ended
 *       without a decision;</li>
 *   <li>{@code ratelimiter_checks_degraded_total}: decisions taken without the store;</li>
 *   <li>{@code ratelimiter_check_latency_seconds}: histogram of the limiter call;</li>
 *   <li>{@code ratelimiter_store_circuit_state{backend}}: 0 closed, 1 open, 2 half-open.</li>
 * </ul>
 * and the server's own:
 * <ul>
 *   <li>{@code http_server_responses_total{status}}: our responses and, through
 *       {@link JdkReplies}, the ones the JDK server sends itself;</li>
 *   <li>{@code ratelimiter_http_queue_shed_total}: 503s for waiting too long for a thread;</li>
 *   <li>{@code ratelimiter_config_reloads_total{result}}: {@code applied}, {@code unchanged},
 *       {@code failed} (see {@link ConfigReloader}).</li>
 * </ul>
 * Tag values are bounded: policies come from configuration (past
 * {@link RateLimiterMetrics#MAX_POLICIES} they count as {@code "other"}), statuses are the
 * server's own. Meters are looked up once and cached, so recording costs no registry lookup.
 * Thread-safe.
 */
final class HttpMetrics implements CheckListener {

    private final PrometheusMeterRegistry registry =
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final RateLimiterMetrics limiter;
    private final AtomicReferenceArray<Counter> statuses = new AtomicReferenceArray<>(600);
    private final Counter queueShed;

    HttpMetrics(String backend, RateLimiter watched) {
        limiter = new RateLimiterMetrics(backend).watch(watched);
        limiter.bindTo(registry);
        queueShed = Counter.builder("ratelimiter.http.queue.shed")
                .description("requests answered 503 because they waited too long for a thread")
                .register(registry);
    }

    /** Records a decision and the time the limiter took. */
    @Override
    public void onDecision(Decision d, long nanos) {
        limiter.onDecision(d, nanos);
    }

    /** Records a check that ended without a decision (store unavailable). */
    void checkError() {
        limiter.checkError();
    }

    /** Records a request answered 503 because it waited longer than maxQueueWait. */
    void queueShed() {
        queueShed.increment();
    }

    /**
     * Registers a gauge read from {@code value} at each scrape.
     *
     * @param name the meter name, such as {@code ratelimiter.http.threads}
     * @param description what it measures
     * @param value read on the scraping thread
     */
    void gauge(String name, String description, java.util.function.IntSupplier value) {
        Gauge.builder(name, value, v -> v.getAsInt()).description(description)
                .register(registry);
    }

    /** Records a response status; -1 (no response sent) is not recorded. */
    void status(int status) {
        if (status < 100 || status >= 600) {
            return;
        }
        Counter c = statuses.get(status);
        if (c == null) {
            // Idempotent: the registry returns the meter already registered under the tags.
            c = Counter.builder("http.server.responses").tag("status", Integer.toString(status))
                    .description("HTTP responses by status").register(registry);
            statuses.set(status, c);
        }
        c.increment();
    }

    /**
     * The counter of configuration reloads with this result: {@code
     * ratelimiter_config_reloads_total{result="applied"|"unchanged"|"failed"}}.
     *
     * @param result the result tag
     * @return the counter
     */
    Counter reloads(String result) {
        return Counter.builder("ratelimiter.config.reloads").tag("result", result)
                .description("configuration reloads by result").register(registry);
    }

    /** @return the Prometheus text exposition of every meter */
    String scrape() {
        return registry.scrape();
    }

    PrometheusMeterRegistry registry() {
        return registry;
    }
}
