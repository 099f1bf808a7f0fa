package dev.ratelimiter.caffeine;

import dev.ratelimiter.config.ConfigSource;
import java.util.Set;

/**
 * The {@code ratelimiter.caffeine.*} settings.
 *
 * <table>
 *   <caption>Properties (environment variable in brackets)</caption>
 *   <tr><td>{@code ratelimiter.caffeine.maximumKeys} [RATE_LIMITER_CAFFEINE_MAXIMUM_KEYS]</td>
 *       <td>the most keys held at once; default 1,000,000</td></tr>
 * </table>
 *
 * <p>Any other {@code ratelimiter.caffeine.*} name, or a malformed value, is an error naming the
 * property. Immutable and thread-safe.
 *
 * @param maximumKeys the most keys held at once, at least 1
 */
public record CaffeineStoreConfig(long maximumKeys) {

    private static final String PREFIX = "ratelimiter.caffeine.";
    private static final Set<String> NAMES = Set.of("maximumKeys");

    /**
     * Reads the {@code ratelimiter.caffeine.*} section.
     *
     * @param source settings
     * @return the settings, defaults for what is unset
     * @throws IllegalArgumentException for an unknown name or a malformed value, naming it
     */
    public static CaffeineStoreConfig from(ConfigSource source) {
        for (String name : source.propertyNames(PREFIX)) {
            if (!NAMES.contains(name.substring(PREFIX.length()))) {
                throw new IllegalArgumentException("unknown property '" + name
                        + "'; known: " + PREFIX + "{maximumKeys}");
            }
        }
        long maximumKeys = source.get(PREFIX + "maximumKeys", "RATE_LIMITER_CAFFEINE_MAXIMUM_KEYS")
                .map(CaffeineStoreConfig::positive)
                .orElse(CaffeineStore.DEFAULT_MAXIMUM_KEYS);
        return new CaffeineStoreConfig(maximumKeys);
    }

    /** @return a store builder with these settings */
    public CaffeineStore.Builder toBuilder() {
        return CaffeineStore.builder().maximumKeys(maximumKeys);
    }

    private static long positive(String text) {
        try {
            long n = Long.parseLong(text);
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(PREFIX + "maximumKeys must be a whole number >= 1,"
                + " was '" + text + "'");
    }
}
