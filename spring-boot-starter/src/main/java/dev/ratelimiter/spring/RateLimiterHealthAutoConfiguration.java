package dev.ratelimiter.spring;

import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.spi.BucketStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code ratelimiter} health indicator, when Spring Boot's health support (actuator) is
 * present; {@code management.health.ratelimiter.enabled=false} turns it off.
 */
@AutoConfiguration(after = RateLimiterAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
@ConditionalOnEnabledHealthIndicator("ratelimiter")
public class RateLimiterHealthAutoConfiguration {

    @Bean
    @ConditionalOnBean(RateLimiter.class)
    @ConditionalOnMissingBean(name = "ratelimiterHealthIndicator")
    RateLimiterHealthIndicator ratelimiterHealthIndicator(RateLimiter limiter,
                                                          ObjectProvider<BucketStore> store) {
        return new RateLimiterHealthIndicator(limiter, store.getIfAvailable());
    }
}
