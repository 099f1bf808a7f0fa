package dev.ratelimiter.http;

import dev.ratelimiter.caffeine.CaffeineStore;
import dev.ratelimiter.config.ConfigSource;
import dev.ratelimiter.memory.InMemoryStore;
import dev.ratelimiter.spi.BucketStore;

/**
 * Opens the store named by {@code ratelimiter.backend}.
 *
 * <ul>
 *   <li>{@code caffeine} (default): {@link CaffeineStore}; {@code ratelimiter.caffeine.maximum-keys}
 *       [RATE_LIMITER_CAFFEINE_MAXIMUM_KEYS] bounds it (default 1,000,000). Other names under
 *       {@code ratelimiter.caffeine.} are errors.</li>
 *   <li>{@code memory}: core's {@link InMemoryStore} (100,000 keys).</li>
 *   <li>{@code redis}: not in this build yet.</li>
 * </ul>
 */
final class Backends {

    private Backends() {
    }

    /**
     * @param settings the server settings, naming the backend
     * @param source all settings, for the backend's own section
     * @return the store, owned by the caller
     * @throws IllegalArgumentException if the backend cannot be opened from its settings
     */
    static BucketStore open(ServerSettings settings, ConfigSource source) {
        switch (settings.backend()) {
            case "memory":
                return InMemoryStore.builder().build();
            case "caffeine":
                return caffeine(source);
            case "redis":
                // SEAM: the Redis backend is not on main yet.
                throw new IllegalArgumentException("ratelimiter.backend=redis: the Redis backend"
                        + " is not part of this build yet");
            default:
                throw new IllegalArgumentException("unknown backend " + settings.backend());
        }
    }

    private static BucketStore caffeine(ConfigSource source) {
        String prefix = "ratelimiter.caffeine.";
        for (String name : source.propertyNames(prefix)) {
            if (!name.equals(prefix + "maximum-keys")) {
                throw new IllegalArgumentException("unknown property '" + name + "'; known: "
                        + prefix + "maximum-keys");
            }
        }
        CaffeineStore.Builder builder = CaffeineStore.builder();
        source.get(prefix + "maximum-keys", "RATE_LIMITER_CAFFEINE_MAXIMUM_KEYS").ifPresent(t -> {
            long n;
            try {
                n = Long.parseLong(t);
            } catch (NumberFormatException e) {
                n = 0;
            }
            if (n < 1) {
                throw new IllegalArgumentException(prefix + "maximum-keys must be a whole number"
                        + " >= 1, was '" + t + "'");
            }
            builder.maximumKeys(n);
        });
        return builder.build();
    }

    /** How the store reports health: local stores are always up. */
    static StoreHealth health(BucketStore store) {
        return StoreHealth.LOCAL;
    }
}
