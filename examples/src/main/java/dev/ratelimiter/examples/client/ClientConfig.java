package dev.ratelimiter.examples.client;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of {@link RateLimiterClient}, named exactly as the Python contract's configuration
 * section names them.
 *
 * <table>
 *   <caption>Environment variables</caption>
 *   <tr><td>{@code RATE_LIMITER_URL}</td><td>server base URL; default {@code http://localhost:8080}</td></tr>
 *   <tr><td>{@code RATE_LIMITER_API_KEY}</td><td>API key, sent as {@code X-API-Key}; default none</td></tr>
 *   <tr><td>{@code RATE_LIMITER_TIMEOUT}</td><td>per-request timeout in whole seconds; default 10</td></tr>
 *   <tr><td>{@code RATE_LIMITER_FAIL_OPEN}</td><td>{@code true} to allow requests when the server
 *       cannot be reached; default {@code true}</td></tr>
 * </table>
 *
 * <p>Immutable. {@code apiKey} may be null; nothing else is.
 *
 * @param url the server's base URL
 * @param apiKey the API key, or null
 * @param timeout the per-request timeout
 * @param failOpen whether an unreachable server allows requests
 */
public record ClientConfig(URI url, String apiKey, Duration timeout, boolean failOpen) {

    /**
     * Validates.
     *
     * @throws IllegalArgumentException if the URL is not http(s) or the timeout is not positive
     */
    public ClientConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(timeout, "timeout");
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
            throw new IllegalArgumentException(
                    "RATE_LIMITER_URL must be an http or https URL, was '" + url + "'");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(
                    "RATE_LIMITER_TIMEOUT must be positive, was " + timeout.toSeconds());
        }
    }

    /**
     * Reads the settings from environment variables.
     *
     * @param env the environment, such as {@link System#getenv()}
     * @return the settings
     * @throws IllegalArgumentException naming the variable whose value is malformed
     */
    public static ClientConfig fromEnvironment(Map<String, String> env) {
        String url = env.getOrDefault("RATE_LIMITER_URL", "http://localhost:8080");
        String apiKey = env.get("RATE_LIMITER_API_KEY");
        String timeoutText = env.getOrDefault("RATE_LIMITER_TIMEOUT", "10");
        long timeoutSeconds;
        try {
            timeoutSeconds = Long.parseLong(timeoutText.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "RATE_LIMITER_TIMEOUT must be whole seconds, was '" + timeoutText + "'");
        }
        String failOpen = env.getOrDefault("RATE_LIMITER_FAIL_OPEN", "true");
        URI uri;
        try {
            uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("RATE_LIMITER_URL is not a URL: '" + url + "'");
        }
        return new ClientConfig(uri, apiKey == null || apiKey.isBlank() ? null : apiKey,
                Duration.ofSeconds(timeoutSeconds), "true".equalsIgnoreCase(failOpen.trim()));
    }
}
