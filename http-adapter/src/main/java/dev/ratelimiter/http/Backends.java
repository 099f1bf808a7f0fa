package dev.ratelimiter.http;

import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.caffeine.CaffeineStore;
import dev.ratelimiter.caffeine.CaffeineStoreConfig;
import dev.ratelimiter.config.ConfigSource;
import dev.ratelimiter.config.RateLimiterConfig;
import dev.ratelimiter.failure.BreakerState;
import dev.ratelimiter.failure.FailSafeConfig;
import dev.ratelimiter.failure.FailSafeRateLimiter;
import dev.ratelimiter.failure.FailSafeStats;
import dev.ratelimiter.failure.FailurePolicy;
import dev.ratelimiter.memory.InMemoryStore;
import dev.ratelimiter.redis.RedisStore;
import dev.ratelimiter.redis.RedisStoreConfig;
import dev.ratelimiter.spi.BucketStore;
import dev.ratelimiter.spi.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the store named by {@code ratelimiter.backend} and builds the limiter on it.
 *
 * <ul>
 *   <li>{@code caffeine} (default): {@link CaffeineStore}; {@code ratelimiter.caffeine.maximumKeys}
 *       [RATE_LIMITER_CAFFEINE_MAXIMUM_KEYS] bounds it (default 1,000,000).</li>
 *   <li>{@code memory}: core's {@link InMemoryStore} (100,000 keys).</li>
 *   <li>{@code redis}: {@link RedisStore} from the {@code ratelimiter.redis.*} section (the Redis
 *       module reads and checks it), wrapped in a {@link FailSafeRateLimiter} configured by
 *       {@code ratelimiter.store.failurePolicy} [RATE_LIMITER_FAILURE_POLICY]
 *       ({@code fail-open} (default), {@code fail-closed}, {@code local-fallback}),
 *       {@code ratelimiter.store.failureThreshold} (default 3) and
 *       {@code ratelimiter.store.openDurationMs} (default 1000).</li>
 * </ul>
 * The backends' own modules read and check their sections ({@link CaffeineStoreConfig},
 * {@link RedisStoreConfig}, {@link FailSafeConfig}); this class only chooses and assembles.
 */
final class Backends {

    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);

    private Backends() {
    }

    /** A limiter on the configured store, and how its store's health is read. */
    record Opened(RateLimiter limiter, String backend, StoreHealth health) {
    }

    /**
     * Opens the store and builds the limiter. A Redis that does not answer at start-up is
     * reported (WARN) but not fatal: the failure policy answers until it is back.
     *
     * @param settings the server settings, naming the backend
     * @param core the rules
     * @param source all settings, for the backends' own sections
     * @return the limiter, owned by the caller
     * @throws IllegalArgumentException if a backend setting is unknown or malformed
     * @throws IllegalStateException if settings contradict each other
     */
    static Opened open(ServerSettings settings, RateLimiterConfig core, ConfigSource source) {
        FailSafeConfig failSafe = FailSafeConfig.from(source);
        BucketStore store = store(settings.backend(), source);
        if (store.isLocal()) {
            return new Opened(RateLimiter.builder().config(core).store(store).build(),
                    store.name(), StoreHealth.LOCAL);
        }
        if (store instanceof RedisStore redis) {
            try {
                redis.verify();
            } catch (StoreUnavailableException e) {
                LOG.warn("Redis does not answer at start-up; checks follow {} until it does: {}",
                        failSafe.policy(), e.getMessage());
            }
        }
        RateLimiter limiter = failSafe.applyTo(RateLimiter.builder().config(core).store(store))
                .build();
        return new Opened(limiter, store.name(), health((FailSafeRateLimiter) limiter));
    }

    static BucketStore store(String backend, ConfigSource source) {
        switch (backend) {
            case "memory":
                return InMemoryStore.builder().build();
            case "caffeine":
                return caffeine(source);
            case "redis": {
                RedisStoreConfig config = RedisStoreConfig.from(source);
                if (!config.isConfigured()) {
                    throw new IllegalArgumentException("ratelimiter.backend=redis needs"
                            + " ratelimiter.redis.url (RATE_LIMITER_REDIS_URL) or"
                            + " ratelimiter.redis.clusterNodes");
                }
                return RedisStore.builder().config(config).build();
            }
            default:
                throw new IllegalArgumentException("unknown backend " + backend);
        }
    }

    private static BucketStore caffeine(ConfigSource source) {
        return CaffeineStoreConfig.from(source).toBuilder().build();
    }

    /** {@code /health} and the circuit gauge read the fail-safe limiter's breaker. */
    static StoreHealth health(FailSafeRateLimiter limiter) {
        return new StoreHealth() {
            @Override
            public Status status() {
                FailSafeStats stats = limiter.stats();
                switch (stats.state()) {
                    case OPEN:
                        return Status.DOWN;
                    case HALF_OPEN:
                        return Status.DEGRADED;
                    default:
                        return stats.consecutiveFailures() > 0 ? Status.DEGRADED : Status.UP;
                }
            }

            @Override
            public Circuit circuit() {
                BreakerState state = limiter.state();
                return state == BreakerState.OPEN ? Circuit.OPEN
                        : state == BreakerState.HALF_OPEN ? Circuit.HALF_OPEN : Circuit.CLOSED;
            }

            @Override
            public boolean failClosed() {
                return limiter.policy() == FailurePolicy.FAIL_CLOSED;
            }
        };
    }
}
