package dev.ratelimiter.spring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/** The filter is there only when asked for; the exception answer always in a web app. */
class WebConfigurationTest {

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RateLimiterAutoConfiguration.class,
                    RateLimiterWebAutoConfiguration.class));

    @Test
    void withoutWebEnabledThereIsNoFilter() {
        runner.run(context -> {
            assertThat(context).doesNotHaveBean("rateLimitFilterRegistration");
            assertThat(context).hasSingleBean(RateLimitExceededResolver.class);
        });
    }

    @Test
    void webEnabledRegistersTheFilterEarlyOrAfterSecurityForPrincipals() {
        runner.withPropertyValues("ratelimiter.web.enabled=true").run(context ->
                assertThat(context.getBean("rateLimitFilterRegistration",
                        org.springframework.boot.web.servlet.FilterRegistrationBean.class)
                        .getOrder()).isEqualTo(RateLimiterWebAutoConfiguration.EARLY_ORDER));
        runner.withPropertyValues("ratelimiter.web.enabled=true", "ratelimiter.web.key=principal")
                .run(context -> assertThat(context.getBean("rateLimitFilterRegistration",
                        org.springframework.boot.web.servlet.FilterRegistrationBean.class)
                        .getOrder()).isEqualTo(-99));
    }

    @Test
    void aBadTrustedProxyFailsStartUpNamingTheProperty() {
        runner.withPropertyValues("ratelimiter.web.enabled=true",
                "ratelimiter.web.trusted-proxies=10.0.0.0/33").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(ConfigurationTest.findCause(context.getStartupFailure()).property())
                            .isEqualTo("ratelimiter.web.trusted-proxies");
                });
    }
}
