package dev.ratelimiter.spring;

import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.micrometer.RateLimiterMetrics;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * In a servlet web application: the {@link RateLimitServletFilter} when
 * {@code ratelimiter.web.enabled=true}, and, with Spring MVC, the 429 answer to an unhandled
 * {@link RateLimitExceededException}.
 */
@AutoConfiguration(after = RateLimiterAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(name = "jakarta.servlet.Filter")
public class RateLimiterWebAutoConfiguration {

    /** Early, but after request-wrapping filters such as character encoding (-2^31). */
    static final int EARLY_ORDER = Ordered.HIGHEST_PRECEDENCE + 100;
    /** Just after Spring Security's filter chain (-100), which sets the principal. */
    static final int AFTER_SECURITY_ORDER = -99;

    @Bean
    @ConditionalOnProperty(prefix = "ratelimiter.web", name = "enabled", havingValue = "true")
    @ConditionalOnBean(RateLimiter.class)
    @ConditionalOnMissingBean(name = "rateLimitFilterRegistration")
    FilterRegistrationBean<RateLimitServletFilter> rateLimitFilterRegistration(
            RateLimiter limiter, ObjectProvider<RateLimiterMetrics> metrics,
            RateLimiterProperties properties) {
        RateLimiterProperties.Web web = properties.getWeb();
        RateLimitServletFilter filter =
                new RateLimitServletFilter(limiter, metrics.getIfAvailable(), web);
        FilterRegistrationBean<RateLimitServletFilter> registration =
                new FilterRegistrationBean<>(filter);
        registration.setName("rateLimitFilter");
        registration.setOrder(web.getOrder() != null ? web.getOrder()
                : filter.mode() == RateLimitServletFilter.Mode.PRINCIPAL ? AFTER_SECURITY_ORDER
                : EARLY_ORDER);
        return registration;
    }

    /** Spring MVC's part: the exception answer. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.web.servlet.HandlerExceptionResolver")
    static class Mvc {

        @Bean
        @ConditionalOnMissingBean
        RateLimitExceededResolver rateLimitExceededResolver() {
            return new RateLimitExceededResolver();
        }
    }
}
