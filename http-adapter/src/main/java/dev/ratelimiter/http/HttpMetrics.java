package dev.ratelimiter.http;

import dev.ratelimiter.CheckListener;
import dev.ratelimiter.Decision;
import dev.ratelimiter.failure.BreakerState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The server's meters, on Micrometer's Prometheus registry:
 * <ul>
 *   <li>{@code ratelimiter_checks_total{policy, outcome}}: {@code outcome} is the decision's
 *       {@link Decision.Outcome#tag()} ({@code allowed}, {@code denied}, {@code failed_open},
 *       {@code failed_closed}, {@code fallback_allowed}, {@code fallback_denied},
 *       {@code store_full}, {@code overloaded}, {@code shadow_denied}: a shadow policy would
 *       have denied, counted under that policy), or {@code error} for a check that ended
 *       without a decision;</li>
 *   <li>{@code ratelimiter_config_reloads_total{result}}: {@code applied}, {@code unchanged},
 *       {@code failed} (see {@link ConfigReloader});</li>
 *   <li>{@code ratelimiter_checks_degraded_total}: decisions taken without the store;</li>
 *   <li>{@code ratelimiter_check_latency_seconds}: histogram of the limiter call;</li>
 *   <li>{@code ratelimiter_store_circuit_state{backend}}: 0 closed, 1 open, 2 half-open;</li>
 *   <li>{@code http_server_responses_total{status}}: our responses and, through
 *       {@link JdkReplies}, the ones the JDK server sends itself;</li>
 *   <li>{@code ratelimiter_http_queue_shed_total}: 503s for waiting too long for a thread.</li>
 * </ul>
 * Tag values are bounded: policies come from configuration (past {@value #MAX_POLICIES} they
 * count as {@code "other"}), statuses are the server's own. Meters are looked up once and
 * cached, so recording costs no registry lookup. Thread-safe.
 */
final class HttpMetrics implements CheckListener {

    static final int MAX_POLICIES = 1000;

    private final PrometheusMeterRegistry registry =
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ConcurrentHashMap<String, Counter[]> checks = new ConcurrentHashMap<>();
    private final Counter errors;
    private final Counter degraded;
    private final Timer latency;
    private final AtomicReferenceArray<Counter> statuses = new AtomicReferenceArray<>(600);
    private final Counter queueShed;

    HttpMetrics(String backend, StoreHealth health) {
        errors = Counter.builder("ratelimiter.checks").tag("policy", "none")
                .tag("outcome", "error").description("rate-limit checks").register(registry);
        degraded = Counter.builder("ratelimiter.checks.degraded")
                .description("decisions taken without the store").register(registry);
        latency = Timer.builder("ratelimiter.check.latency")
                .description("time spent in RateLimiter.tryAcquire")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(1_000))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        queueShed = Counter.builder("ratelimiter.http.queue.shed")
                .description("requests answered 503 because they waited too long for a thread")
                .register(registry);
        Gauge.builder("ratelimiter.store.circuit.state", health, h -> circuitCode(h.circuit()))
                .description("store circuit breaker: 0 closed, 1 open, 2 half-open")
                .tag("backend", backend).register(registry);
    }

    /** Records a decision and the time the limiter took. */
    @Override
    public void onDecision(Decision d, long nanos) {
        latency.record(nanos, TimeUnit.NANOSECONDS);
        Counter[] byOutcome = checks.get(d.policyName());
        if (byOutcome == null) {
            byOutcome = policyCounters(d.policyName());
        }
        byOutcome[d.outcome().ordinal()].increment();
        if (d.degraded()) {
            degraded.increment();
        }
    }

    /** Records a check that ended without a decision (store unavailable). */
    void checkError() {
        errors.increment();
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

    private Counter[] policyCounters(String policy) {
        String tag = checks.size() >= MAX_POLICIES ? "other" : policy;
        Counter[] byOutcome = checks.computeIfAbsent(tag, p -> {
            Decision.Outcome[] outcomes = Decision.Outcome.values();
            Counter[] counters = new Counter[outcomes.length];
            for (Decision.Outcome o : outcomes) {
                counters[o.ordinal()] = counter(p, o.tag());
            }
            return counters;
        });
        if (!tag.equals(policy) && checks.size() < MAX_POLICIES) {
            checks.putIfAbsent(policy, byOutcome);
        }
        return byOutcome;
    }

    private Counter counter(String policy, String outcome) {
        return Counter.builder("ratelimiter.checks").tag("policy", policy).tag("outcome", outcome)
                .description("rate-limit checks").register(registry);
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

    /** The gauge's value: 0 closed, 1 open, 2 half-open. */
    private static int circuitCode(BreakerState state) {
        switch (state) {
            case OPEN:
                return 1;
            case HALF_OPEN:
                return 2;
            default:
                return 0;
        }
    }
}
