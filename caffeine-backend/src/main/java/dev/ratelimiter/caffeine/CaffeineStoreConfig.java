package dev.ratelimiter.caffeine;

import dev.ratelimiter.config.ConfigSection;
import dev.ratelimiter.config.ConfigSource;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code ratelimiter.caffeine.*} settings, applied to a {@link CaffeineStore.Builder}.
 *
 * <table>
 *   <caption>Properties (environment variable in brackets)</caption>
 *   <tr><td>{@code ratelimiter.caffeine.maximumKeys} [RATE_LIMITER_CAFFEINE_MAXIMUM_KEYS]</td>
 *       <td>the most keys held at once; default 1,000,000</td></tr>
 * </table>
 *
 * <p>Any other {@code ratelimiter.caffeine.*} name, or a malformed value, is an error naming the
 * property; bounds are the builder's. Immutable and thread-safe.
 */
public final class CaffeineStoreConfig {

    /** The section's prefix. */
    public static final String SECTION = "ratelimiter.caffeine.";
    private static final Set<String> NAMES = Set.of("maximumKeys");

    private final ConfigSection section;
    private final long maximumKeys;

    private CaffeineStoreConfig(ConfigSection section) {
        this.section = section;
        this.maximumKeys = toBuilder().maximumKeys();
    }

    /**
     * Reads and checks the {@code ratelimiter.caffeine.*} section.
     *
     * @param source settings
     * @return the settings, defaults for what is unset
     * @throws IllegalArgumentException for an unknown name or a bad value, naming it
     */
    public static CaffeineStoreConfig from(ConfigSource source) {
        Objects.requireNonNull(source, "source");
        return new CaffeineStoreConfig(ConfigSection.of(source, SECTION, NAMES));
    }

    /** @return the most keys held at once */
    public long maximumKeys() {
        return maximumKeys;
    }

    /** @return whether {@code maximumKeys} is set (otherwise the store's default applies) */
    public boolean maximumKeysSet() {
        return section.text("maximumKeys", "RATE_LIMITER_CAFFEINE_MAXIMUM_KEYS").isPresent();
    }

    /** @return a new store builder with these settings applied */
    public CaffeineStore.Builder toBuilder() {
        CaffeineStore.Builder b = CaffeineStore.builder();
        section.apply("maximumKeys", "RATE_LIMITER_CAFFEINE_MAXIMUM_KEYS",
                ConfigSection::wholeNumber, b::maximumKeys);
        return b;
    }
}
