package dev.ratelimiter.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One module's section of a {@link ConfigSource}, such as {@code ratelimiter.redis.*}: the one
 * way every {@code *Config} class reads its settings.
 *
 * <p>It does two things. At creation it rejects any name in the section that the module does not
 * know, listing the known ones. Then {@link #apply} reads one setting (the environment variable
 * if set, else the property), parses it as a type ({@link #wholeNumber}, {@link #bool},
 * {@link #millis}, or any function) and hands it to the module's builder setter. Bounds are
 * checked only by that setter, so each bound and its message live in one place; this class puts
 * the property (and its environment variable) in front of whatever message the parse or the
 * setter throws:
 *
 * <pre>{@code
 * ConfigSection s = ConfigSection.of(source, "ratelimiter.server.", Set.of("threads"));
 * s.apply("threads", "RATE_LIMITER_THREADS", ConfigSection::intNumber, builder::threads);
 * // RATE_LIMITER_THREADS=0  ->  IllegalArgumentException:
 * //   "ratelimiter.server.threads (RATE_LIMITER_THREADS): threads must be from 1 to 10000, was 0"
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class ConfigSection {

    private final ConfigSource source;
    private final String prefix;

    private ConfigSection(ConfigSource source, String prefix) {
        this.source = source;
        this.prefix = prefix;
    }

    /**
     * The section of {@code source} under {@code prefix}, checked for unknown names.
     *
     * @param source the settings
     * @param prefix the section's prefix, ending in {@code .}, such as {@code "ratelimiter.redis."}
     * @param known the names the module reads, without the prefix
     * @return the section
     * @throws IllegalArgumentException if a property under {@code prefix} is not in {@code known},
     *     naming it and listing the known names
     */
    public static ConfigSection of(ConfigSource source, String prefix, Set<String> known) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(known, "known");
        for (String name : source.propertyNames(prefix)) {
            if (!known.contains(name.substring(prefix.length()))) {
                throw new IllegalArgumentException("unknown property '" + name + "'; known: "
                        + prefix + "{" + String.join(", ", new TreeSet<>(known)) + "}");
            }
        }
        return new ConfigSection(source, prefix);
    }

    /**
     * Settings under a prefix that several modules share (such as {@code "ratelimiter."} itself),
     * without the unknown-name check: whoever assembles the modules checks with
     * {@link ConfigSource#requireKnown}.
     *
     * @param source the settings
     * @param prefix the prefix, ending in {@code .}
     * @return the section
     */
    public static ConfigSection shared(ConfigSource source, String prefix) {
        return new ConfigSection(Objects.requireNonNull(source, "source"),
                Objects.requireNonNull(prefix, "prefix"));
    }

    /**
     * The raw text of a setting.
     *
     * @param name the name within the section
     * @param env the environment variable that overrides it, or null
     * @return the trimmed value, empty if unset or blank
     */
    public Optional<String> text(String name, String env) {
        return source.get(prefix + name, env);
    }

    /**
     * Reads, parses and applies one setting, if it is set.
     *
     * @param name the name within the section
     * @param env the environment variable that overrides it, or null
     * @param parse turns the text into a value; throws {@link IllegalArgumentException} with a
     *     message such as "must be a whole number"
     * @param setter the builder's setter, which checks bounds
     * @param <T> the value type
     * @return true if the setting was set
     * @throws IllegalArgumentException from the parse or the setter, prefixed by
     *     {@link #describe(String, String)}
     */
    public <T> boolean apply(String name, String env, Function<String, T> parse,
                             Consumer<? super T> setter) {
        Optional<String> text = text(name, env);
        if (text.isEmpty()) {
            return false;
        }
        T value;
        try {
            value = parse.apply(text.get());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(describe(name, env) + " " + e.getMessage()
                    + ", was '" + text.get() + "'", e);
        }
        try {
            setter.accept(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(describe(name, env) + ": " + e.getMessage(), e);
        }
        return true;
    }

    /**
     * How messages name a setting: the property, and the environment variable in brackets.
     *
     * @param name the name within the section
     * @param env the environment variable, or null
     * @return such as {@code "ratelimiter.server.threads (RATE_LIMITER_THREADS)"}
     */
    public String describe(String name, String env) {
        return prefix + name + (env == null ? "" : " (" + env + ")");
    }

    /**
     * Parses a whole number.
     *
     * @param text the text
     * @return the number
     * @throws IllegalArgumentException "must be a whole number"
     */
    public static long wholeNumber(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be a whole number");
        }
    }

    /**
     * Parses a whole number that fits an {@code int}.
     *
     * @param text the text
     * @return the number
     * @throws IllegalArgumentException "must be a whole number" (also when out of int range)
     */
    public static int intNumber(String text) {
        long n = wholeNumber(text);
        if (n != (int) n) {
            throw new IllegalArgumentException("must be a whole number from " + Integer.MIN_VALUE
                    + " to " + Integer.MAX_VALUE);
        }
        return (int) n;
    }

    /**
     * Parses {@code true} or {@code false}, in any case.
     *
     * @param text the text
     * @return the boolean
     * @throws IllegalArgumentException "must be true or false"
     */
    public static boolean bool(String text) {
        switch (text.toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw new IllegalArgumentException("must be true or false");
        }
    }

    /**
     * Parses a whole number of milliseconds.
     *
     * @param text the text
     * @return the duration
     * @throws IllegalArgumentException "must be a whole number of milliseconds"
     */
    public static Duration millis(String text) {
        try {
            return Duration.ofMillis(Long.parseLong(text));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be a whole number of milliseconds");
        }
    }

    /**
     * Parses a whole number of seconds.
     *
     * @param text the text
     * @return the duration
     * @throws IllegalArgumentException "must be a whole number of seconds"
     */
    public static Duration seconds(String text) {
        try {
            return Duration.ofSeconds(Long.parseLong(text));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be a whole number of seconds");
        }
    }
}
