package dev.ratelimiter.micrometer;

import dev.ratelimiter.CheckListener;
import dev.ratelimiter.Decision;
import dev.ratelimiter.Decision.Outcome;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.failure.BreakerState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The limiter's meters for any Micrometer {@link MeterRegistry}; the same series the standalone
 * server exposes on {@code /metrics}:
 * <ul>
 *   <li>{@code ratelimiter.checks{policy, outcome}} (Prometheus
 *       {@code ratelimiter_checks_total}): one per decision, {@code outcome} the decision's
 *       {@link Outcome#tag()} ({@code allowed}, {@code denied}, {@code failed_closed}...);
 *       {@link #checkError()} counts {@code policy=none, outcome=error};</li>
 *   <li>{@code ratelimiter.checks.degraded}: decisions taken without the store;</li>
 *   <li>{@code ratelimiter.check.latency}: timer (percentile histogram) of each call;</li>
 *   <li>{@code ratelimiter.store.circuit.state{backend}}: the store's circuit breaker, 0 closed,
 *       1 open, 2 half-open (0 for stores without one).</li>
 * </ul>
 *
 * <p>Use it as the limiter's {@link CheckListener} and bind it to a registry:
 *
 * <pre>{@code
 * RateLimiterMetrics metrics = new RateLimiterMetrics("redis");
 * RateLimiter limiter = RateLimiter.builder().store(redis).listener(metrics).build();
 * metrics.watch(limiter);          // the breaker gauge reads this limiter
 * metrics.bindTo(registry);        // or let Spring Boot bind it as a MeterBinder bean
 * }</pre>
 *
 * <p>Tags are low-cardinality: never the key; a policy name is a tag value for the first
 * {@value #MAX_POLICIES} policies seen, then {@code other}. Decisions made before
 * {@link #bindTo} are not counted. It may be bound to several registries. Meters are looked up
 * once per policy and cached, so recording a decision costs no registry lookup. Thread-safe.
 */
public final class RateLimiterMetrics implements MeterBinder, CheckListener {

    /** How many distinct policy tag values are kept before the rest count as {@code other}. */
    public static final int MAX_POLICIES = 1000;

    private static final Outcome[] OUTCOMES = Outcome.values();

    private final String backend;
    private final List<Meters> bound = new CopyOnWriteArrayList<>();
    private volatile RateLimiter watched;

    /**
     * Meters for a limiter on the named store.
     *
     * @param backend the store's name, the {@code backend} tag of the circuit gauge, such as
     *     {@code caffeine} or {@code redis}
     * @throws NullPointerException if {@code backend} is null
     */
    public RateLimiterMetrics(String backend) {
        this.backend = Objects.requireNonNull(backend, "backend");
    }

    /**
     * The limiter whose circuit breaker the gauge reads.
     *
     * @param limiter the limiter
     * @return this
     */
    public RateLimiterMetrics watch(RateLimiter limiter) {
        this.watched = Objects.requireNonNull(limiter, "limiter");
        return this;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        bound.add(new Meters(registry));
    }

    @Override
    public void onDecision(Decision decision, long nanos) {
        for (Meters m : bound) {
            m.decision(decision, nanos);
        }
    }

    /** Counts a check that ended without a decision, such as an unavailable store. */
    public void checkError() {
        for (Meters m : bound) {
            m.errors.increment();
        }
    }

    /**
     * The breaker's state as the gauge shows it.
     *
     * @return 0 closed, 1 open, 2 half-open
     */
    public int circuitState() {
        RateLimiter l = watched;
        if (l == null) {
            return 0;
        }
        BreakerState state = l.stats().state();
        return state == BreakerState.OPEN ? 1 : state == BreakerState.HALF_OPEN ? 2 : 0;
    }

    /** The meters on one registry. */
    private final class Meters {
        private final MeterRegistry registry;
        /** Per policy name, its counters. */
        private final ConcurrentHashMap<String, PolicyCounters> checks = new ConcurrentHashMap<>();
        private final Counter errors;
        private final Counter degraded;
        private final Timer latency;

        Meters(MeterRegistry registry) {
            this.registry = registry;
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
            Gauge.builder("ratelimiter.store.circuit.state", RateLimiterMetrics.this,
                            RateLimiterMetrics::circuitState)
                    .description("store circuit breaker: 0 closed, 1 open, 2 half-open")
                    .tag("backend", backend).register(registry);
        }

        void decision(Decision d, long nanos) {
            latency.record(nanos, TimeUnit.NANOSECONDS);
            PolicyCounters counters = checks.get(d.policyName());
            if (counters == null) {
                counters = policyCounters(d.policyName());
            }
            counters.get(d.outcome()).increment();
            if (d.degraded()) {
                degraded.increment();
            }
        }

        /** The counters of a policy; past MAX_POLICIES policies, those of "other". */
        private PolicyCounters policyCounters(String policy) {
            if (checks.size() >= MAX_POLICIES) {
                return checks.computeIfAbsent("other", PolicyCounters::new);
            }
            return checks.computeIfAbsent(policy, PolicyCounters::new);
        }

        /**
         * One policy's counters, one per outcome, all registered at once so that a scrape shows
         * every series (at 0) from the policy's first check, as the server's does.
         */
        private final class PolicyCounters {
            private final Counter[] byOutcome = new Counter[OUTCOMES.length];

            PolicyCounters(String tag) {
                for (Outcome o : OUTCOMES) {
                    byOutcome[o.ordinal()] = Counter.builder("ratelimiter.checks")
                            .tag("policy", tag).tag("outcome", o.tag())
                            .description("rate-limit checks").register(registry);
                }
            }

            Counter get(Outcome outcome) {
                return byOutcome[outcome.ordinal()];
            }
        }
    }
}
