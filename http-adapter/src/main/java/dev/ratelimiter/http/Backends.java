package dev.ratelimiter.http;

import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.RateLimiterBuilder;
import dev.ratelimiter.caffeine.CaffeineStore;
import dev.ratelimiter.caffeine.CaffeineStoreConfig;
import dev.ratelimiter.config.ConfigSource;
import dev.ratelimiter.config.FailSafeConfig;
import dev.ratelimiter.config.RateLimiterConfig;
import dev.ratelimiter.memory.InMemoryStore;
import dev.ratelimiter.redis.RedisStore;
import dev.ratelimiter.redis.RedisStoreConfig;
import dev.ratelimiter.spi.BucketStore;
import dev.ratelimiter.spi.StoreUnavailableException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the store named by {@code ratelimiter.backend} and builds the limiter on it.
 *
 * <ul>
 *   <li>{@code caffeine} (default): {@link CaffeineStore}; {@code ratelimiter.caffeine.maximumKeys}
 *       [RATE_LIMITER_CAFFEINE_MAXIMUM_KEYS] bounds it (default: what half the heap holds, see
 *       {@link #heapSizedMaximumKeys}).</li>
 *   <li>{@code memory}: core's {@link InMemoryStore} (100,000 keys).</li>
 *   <li>{@code redis}: {@link RedisStore} from the {@code ratelimiter.redis.*} section (the Redis
 *       module reads and checks it), with the engine's failure handling configured by
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

    /**
     * Every name and section the standalone server reads: core's names, the store, Caffeine and
     * Redis sections, and the server's own. Any other {@code ratelimiter.*} name is an error.
     */
    static final List<String> KNOWN_NAMES = known();

    private Backends() {
    }

    private static List<String> known() {
        List<String> names = new ArrayList<>(RateLimiterConfig.NAMES);
        names.addAll(List.of(FailSafeConfig.SECTION, CaffeineStoreConfig.SECTION,
                RedisStoreConfig.SECTION, "ratelimiter.server.", "ratelimiter.security.",
                "ratelimiter.backend"));
        return List.copyOf(names);
    }

    /**
     * A limiter on the configured store, the store's name, and whether it is in-process.
     *
     * @param limiter the limiter, owned by the caller
     * @param backend the store's name
     * @param localStore whether the store keeps its state in this JVM (no round trips)
     */
    record Opened(RateLimiter limiter, String backend, boolean localStore) {
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
        RateLimiterBuilder builder = core.applyTo(RateLimiter.builder()).store(store);
        if (!store.isLocal()) {
            if (store instanceof RedisStore redis) {
                try {
                    redis.verify();
                } catch (StoreUnavailableException e) {
                    LOG.warn("Redis does not answer at start-up; checks follow {} until it does:"
                            + " {}", failSafe.policy(), e.getMessage());
                }
            }
            failSafe.applyTo(builder);
        }
        return new Opened(builder.build(), store.name(), store.isLocal());
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
        CaffeineStoreConfig config = CaffeineStoreConfig.from(source);
        CaffeineStore.Builder builder = config.toBuilder();
        if (!config.maximumKeysSet()) {
            builder.maximumKeys(heapSizedMaximumKeys(Runtime.getRuntime().maxMemory()));
        }
        return builder.build();
    }

    /**
     * The Caffeine store's bound when none is configured: what half the heap holds at
     * {@value #BYTES_PER_KEY} bytes a key (measured: 393), between 10,000 and the store's own
     * default of 1,000,000. With the README's {@code -Xmx192m}: 196,608 keys. Without it, a
     * million live keys (~390 MB) would not fit the heap the size bound is meant to protect.
     *
     * @param maxHeapBytes the JVM's maximum heap
     * @return the bound
     */
    static long heapSizedMaximumKeys(long maxHeapBytes) {
        long keys = maxHeapBytes / 2 / BYTES_PER_KEY;
        return Math.max(10_000, Math.min(CaffeineStore.DEFAULT_MAXIMUM_KEYS, keys));
    }

    /** Heap per live key in the Caffeine store, rounded up from the measured 393 bytes. */
    static final long BYTES_PER_KEY = 512;
}
