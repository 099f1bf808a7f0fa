package dev.ratelimiter.spring;

import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.RateLimiterBuilder;
import dev.ratelimiter.Rules;
import dev.ratelimiter.micrometer.RateLimiterMetrics;
import dev.ratelimiter.redis.RedisStore;
import dev.ratelimiter.spi.BucketStore;
import dev.ratelimiter.spi.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;

/**
 * The limiter from {@code ratelimiter.*}: the parsed configuration, the {@link Rules}, the store
 * (Caffeine, or Redis when {@code ratelimiter.redis.url} or {@code cluster-nodes} is set, behind
 * {@code ratelimiter.store.failure-policy}), the {@link RateLimiter}, its Micrometer binder and
 * the {@link RateLimited} advisor. Every bean backs off when the application defines its own of
 * the same type.
 */
@AutoConfiguration
@EnableConfigurationProperties(RateLimiterProperties.class)
public class RateLimiterAutoConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(RateLimiterAutoConfiguration.class);

    @Bean
    @ConditionalOnMissingBean
    ParsedConfig rateLimiterParsedConfig(RateLimiterProperties properties) {
        return ParsedConfig.parse(properties);
    }

    @Bean
    @ConditionalOnMissingBean
    Rules rateLimiterRules(ParsedConfig config) {
        return config.core.rules();
    }

    /** The limiter owns and closes the store, so Spring does not close it again. */
    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean
    BucketStore rateLimiterStore(ParsedConfig config) {
        if (!config.redis.isConfigured()) {
            return config.caffeine.toBuilder().build();
        }
        RedisStore redis = RedisStore.builder().config(config.redis).build();
        try {
            redis.verify();
        } catch (StoreUnavailableException e) {
            LOG.warn("Redis does not answer at start-up; checks follow {} until it does: {}",
                    config.failSafe.policy(), e.getMessage());
        }
        return redis;
    }

    @Bean
    @ConditionalOnMissingBean
    RateLimiter rateLimiter(ParsedConfig config, Rules rules, BucketStore store,
                            ObjectProvider<RateLimiterMetrics> metrics) {
        RateLimiterBuilder builder = RateLimiter.builder().rules(rules)
                .maxKeyBytes(config.core.maxKeyBytes()).store(store);
        RateLimiterMetrics m = metrics.getIfAvailable();
        if (m != null) {
            builder.listener(m);
        }
        if (!store.isLocal()) {
            config.failSafe.applyTo(builder);
        }
        RateLimiter limiter = builder.build();
        if (m != null) {
            m.watch(limiter);
        }
        return limiter;
    }

    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    @ConditionalOnMissingBean
    static RateLimitedAdvisor rateLimitedAdvisor(ObjectProvider<RateLimiter> limiter,
                                                 BeanFactory beanFactory) {
        return new RateLimitedAdvisor(limiter, beanFactory);
    }

    /** The meters, bound by Spring Boot to every {@code MeterRegistry} it has. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
    static class Metrics {

        @Bean
        @ConditionalOnMissingBean
        RateLimiterMetrics rateLimiterMetrics(ObjectProvider<BucketStore> store) {
            BucketStore s = store.getIfAvailable();
            return new RateLimiterMetrics(s == null ? "unknown" : s.name());
        }

        /**
         * The breaker gauge reads the application's limiter even when the application built it
         * (its decisions are counted only if it was built with {@code listener(metrics)}).
         */
        @Bean
        static SmartInitializingSingleton rateLimiterMetricsWatch(
                ObjectProvider<RateLimiterMetrics> metrics, ObjectProvider<RateLimiter> limiter) {
            return () -> {
                RateLimiterMetrics m = metrics.getIfAvailable();
                RateLimiter l = limiter.getIfUnique();
                if (m != null && l != null) {
                    m.watch(l);
                }
            };
        }
    }
}
