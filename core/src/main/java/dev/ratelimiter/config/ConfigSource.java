package dev.ratelimiter.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Settings from a properties file and environment variables, as one read-only view. Each module
 * reads its own section: core the rules ({@link RateLimiterConfig}), the backends and the server
 * theirs. An environment variable, when set, wins over the property it stands for.
 *
 * <p>Immutable and thread-safe. Values are trimmed; empty values count as unset.
 */
public final class ConfigSource {

    private final Map<String, String> properties;
    private final Map<String, String> environment;

    private ConfigSource(Map<String, String> properties, Map<String, String> environment) {
        this.properties = properties;
        this.environment = environment;
    }

    /**
     * A view of the given properties and environment.
     *
     * @param properties settings by property name, such as a loaded {@code .properties} file
     * @param environment environment variables, such as {@link System#getenv()}
     * @return the view; later changes to the arguments are not seen
     */
    public static ConfigSource of(Properties properties, Map<String, String> environment) {
        Objects.requireNonNull(properties, "properties");
        Objects.requireNonNull(environment, "environment");
        Map<String, String> props = new TreeMap<>();
        for (String name : properties.stringPropertyNames()) {
            props.put(name, properties.getProperty(name));
        }
        return new ConfigSource(Map.copyOf(props), Map.copyOf(environment));
    }

    /**
     * The properties in {@code file} (UTF-8) and this process's environment.
     *
     * @param file a {@code .properties} file
     * @return the view
     * @throws IllegalArgumentException if the file cannot be read, naming it
     */
    public static ConfigSource load(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "cannot read configuration file " + file + ": " + e.getMessage(), e);
        }
        return of(properties, System.getenv());
    }

    /** @return this process's environment and no properties */
    public static ConfigSource environment() {
        return of(new Properties(), System.getenv());
    }

    /**
     * A setting: the environment variable if it is set, else the property.
     *
     * @param property the property name
     * @param environmentVariable the variable that overrides it, or null for none
     * @return the trimmed value, empty if unset or blank
     */
    public Optional<String> get(String property, String environmentVariable) {
        if (environmentVariable != null) {
            String fromEnv = environment.get(environmentVariable);
            if (fromEnv != null && !fromEnv.isBlank()) {
                return Optional.of(fromEnv.trim());
            }
        }
        String value = properties.get(property);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    /**
     * Property names starting with {@code prefix}, sorted.
     *
     * @param prefix the prefix, such as {@code "ratelimiter.redis."}
     * @return the names
     */
    public Set<String> propertyNames(String prefix) {
        Set<String> names = new TreeSet<>();
        for (String name : properties.keySet()) {
            if (name.startsWith(prefix)) {
                names.add(name);
            }
        }
        return names;
    }

    /**
     * Rejects any property under {@code prefix} that no module claims: the check an assembler of
     * modules (the standalone server, the Spring starter) runs once, with every module's names.
     *
     * @param prefix such as {@code "ratelimiter."}
     * @param known exact names, and name prefixes ending in {@code .} that a module's section
     *     checks itself (such as {@code "ratelimiter.redis."})
     * @throws IllegalArgumentException naming the first unknown property and listing the known
     */
    public void requireKnown(String prefix, Collection<String> known) {
        for (String name : propertyNames(prefix)) {
            boolean claimed = false;
            for (String k : known) {
                if (k.endsWith(".") ? name.startsWith(k) : name.equals(k)) {
                    claimed = true;
                    break;
                }
            }
            if (!claimed) {
                Set<String> names = new TreeSet<>();
                for (String k : known) {
                    names.add(k.endsWith(".") ? k + "*" : k);
                }
                throw new IllegalArgumentException("unknown property '" + name + "'; known: "
                        + String.join(", ", names));
            }
        }
    }
}
