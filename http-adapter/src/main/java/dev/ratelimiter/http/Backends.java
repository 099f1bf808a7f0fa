package dev.ratelimiter.http;

import dev.ratelimiter.config.ConfigSource;
import dev.ratelimiter.memory.InMemoryStore;
import dev.ratelimiter.spi.BucketStore;

/**
 * Opens the store named by {@code ratelimiter.backend}. Each backend reads and checks its own
 * configuration section.
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
                // SEAM: the Caffeine backend is not on main yet; the bounded in-memory store
                // stands in until it is.
                return InMemoryStore.builder().build();
            case "redis":
                // SEAM: the Redis backend is not on main yet.
                throw new IllegalArgumentException("ratelimiter.backend=redis: the Redis backend"
                        + " is not part of this build yet");
            default:
                throw new IllegalArgumentException("unknown backend " + settings.backend());
        }
    }

    /** How the store reports health: local stores are always up. */
    static StoreHealth health(BucketStore store) {
        return StoreHealth.LOCAL;
    }
}
