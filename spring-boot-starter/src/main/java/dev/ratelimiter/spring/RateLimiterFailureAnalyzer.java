package dev.ratelimiter.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a {@link RateLimiterConfigException} at start-up as a short description naming the
 * property and what is wrong, and the action to take, instead of a wall of stack trace.
 * Registered in {@code META-INF/spring.factories}. Stateless and thread-safe.
 */
public final class RateLimiterFailureAnalyzer
        extends AbstractFailureAnalyzer<RateLimiterConfigException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, RateLimiterConfigException cause) {
        String property = cause.property();
        String description = "Invalid rate limiter configuration: " + cause.getMessage();
        String action = property == null
                ? "Fix the ratelimiter.* properties in your application configuration."
                : "Fix the value of '" + property + "' in your application configuration"
                        + " (application.properties, application.yml or the environment).";
        return new FailureAnalysis(description, action, cause);
    }
}
