package dev.ratelimiter.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.Limit;
import dev.ratelimiter.ManualClock;
import dev.ratelimiter.Policy;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.Rules;
import dev.ratelimiter.failure.FailurePolicy;
import dev.ratelimiter.memory.InMemoryStore;
import dev.ratelimiter.testing.FakeStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimiterMetricsTest {

    private final ManualClock clock = new ManualClock();
    private final RateLimiterMetrics metrics = new RateLimiterMetrics("memory");
    private final RateLimiter limiter = RateLimiter.builder()
            .rules(Rules.builder(Policy.of("default", Limit.capacity(2)
                            .refillGreedy(1, Duration.ofSeconds(1))))
                    .pattern("vip:*", Policy.of("vip:*", Limit.capacity(5)
                            .refillGreedy(1, Duration.ofSeconds(1))))
                    .build())
            .store(InMemoryStore.builder().ticker(clock).build())
            .listener(metrics)
            .build();

    @Test
    void decisionsAreCountedByPolicyAndOutcomeNeverByKey() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics.watch(limiter).bindTo(registry);

        limiter.tryAcquire("a", 1);
        limiter.tryAcquire("a", 2);
        limiter.tryAcquire("vip:1", 1);
        metrics.checkError();

        assertEquals(1, registry.get("ratelimiter.checks").tag("policy", "default")
                .tag("outcome", "allowed").counter().count());
        assertEquals(1, registry.get("ratelimiter.checks").tag("policy", "default")
                .tag("outcome", "denied").counter().count());
        assertEquals(1, registry.get("ratelimiter.checks").tag("policy", "vip:*")
                .tag("outcome", "allowed").counter().count());
        assertEquals(1, registry.get("ratelimiter.checks").tag("policy", "none")
                .tag("outcome", "error").counter().count());
        assertEquals(3, registry.get("ratelimiter.check.latency").timer().count());

        String scrape = registry.scrape();
        // The standalone server's /metrics series names.
        assertTrue(scrape.contains("ratelimiter_checks_total{outcome=\"allowed\",policy=\"default\"} 1.0"),
                scrape);
        assertTrue(scrape.contains("ratelimiter_check_latency_seconds_bucket"), scrape);
        assertTrue(scrape.contains("ratelimiter_checks_degraded_total 0.0"), scrape);
        assertTrue(scrape.contains("ratelimiter_store_circuit_state{backend=\"memory\"} 0.0"),
                scrape);
        assertTrue(!scrape.contains("\"a\"") && !scrape.contains("vip:1"), scrape);
    }

    @Test
    void aStoreFailureIsCountedByItsOutcomeAndTheOpenBreakerShowsInTheGauge() {
        FakeStore store = FakeStore.remote(clock);
        RateLimiterMetrics m = new RateLimiterMetrics("redis");
        RateLimiter remote = RateLimiter.builder().store(store).ticker(clock)
                .onStoreFailure(FailurePolicy.FAIL_CLOSED).circuitBreaker(1, Duration.ofHours(1))
                .listener(m).build();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        m.watch(remote).bindTo(registry);

        store.mode(FakeStore.Mode.DOWN);
        remote.tryAcquire("k", 1);

        assertEquals(1, registry.get("ratelimiter.checks").tag("policy", "default")
                .tag("outcome", "failed_closed").counter().count());
        assertEquals(1, registry.get("ratelimiter.checks.degraded").counter().count());
        assertEquals(1, registry.get("ratelimiter.store.circuit.state").tag("backend", "redis")
                .gauge().value());
    }

    @Test
    void decisionsBeforeBindingAreNotCounted() {
        limiter.tryAcquire("a", 1);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics.bindTo(registry);
        assertEquals(0, registry.get("ratelimiter.check.latency").timer().count());
    }
}
