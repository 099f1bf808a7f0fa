package dev.ratelimiter.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.Limit;
import dev.ratelimiter.Policy;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.Rules;
import dev.ratelimiter.caffeine.CaffeineStore;
import dev.ratelimiter.failure.FailurePolicy;
import dev.ratelimiter.redis.RedisStore;
import dev.ratelimiter.spi.BucketStore;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.MapPropertySource;

/** What the auto-configuration builds from the properties, and that it backs off. */
class ConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(RateLimiterAutoConfiguration.class));

    @Test
    void propertiesMeanWhatTheStandaloneServersMean() {
        with("ratelimiter.capacity", "5", "ratelimiter.refillRate", "2.5",
                "ratelimiter.max-key-length", "16",
                "ratelimiter.keys.[user:42].limits", "100/1s burst 200, 1000/1h",
                "ratelimiter.patterns.[vip:*].capacity", "50").run(context -> {
                    Rules rules = context.getBean(Rules.class);
                    Policy defaults = rules.resolve("anyone");
                    assertEquals(new Limit(5, 5, Duration.ofSeconds(2),
                            dev.ratelimiter.Refill.GREEDY), defaults.limits().get(0));
                    assertEquals("user:42", rules.resolve("user:42").name());
                    assertEquals(2, rules.resolve("user:42").limits().size());
                    assertEquals(50, rules.resolve("vip:7").tightestLimit().capacity());
                    assertThat(context.getBean(BucketStore.class)).isInstanceOf(CaffeineStore.class);
                    RateLimiter limiter = context.getBean(RateLimiter.class);
                    IllegalArgumentException tooLong = org.junit.jupiter.api.Assertions.assertThrows(
                            IllegalArgumentException.class,
                            () -> limiter.tryAcquire("x".repeat(17), 1));
                    assertTrue(tooLong.getMessage().contains("16"), tooLong.getMessage());
                });
    }

    @Test
    void aRedisUrlSelectsTheRedisStoreBehindTheFailurePolicy() {
        runner.withPropertyValues("ratelimiter.redis.url=redis://127.0.0.1:1",
                "ratelimiter.redis.connect-timeout-ms=100",
                "ratelimiter.store.failure-policy=local-fallback").run(context -> {
                    assertThat(context.getBean(BucketStore.class)).isInstanceOf(RedisStore.class);
                    RateLimiter limiter = context.getBean(RateLimiter.class);
                    assertEquals(FailurePolicy.LOCAL_FALLBACK, limiter.stats().failurePolicy());
                });
    }

    @Test
    void anApplicationsOwnRulesAreUsedByTheAutoConfiguredLimiter() {
        Rules own = Rules.of(Policy.of("own", Limit.capacity(1).refillGreedy(1,
                Duration.ofHours(1))));
        runner.withBean(Rules.class, () -> own).run(context -> {
            assertSame(own, context.getBean(Rules.class));
            RateLimiter limiter = context.getBean(RateLimiter.class);
            assertTrue(limiter.tryAcquire("k", 1).allowed());
            assertEquals("own", limiter.tryAcquire("k", 1).policyName());
        });
    }

    @Test
    void anApplicationsOwnLimiterReplacesTheAutoConfiguredOne() {
        RateLimiter own = RateLimiter.builder().build();
        runner.withBean(RateLimiter.class, () -> own).run(context ->
                assertSame(own, context.getBean(RateLimiter.class)));
    }

    @Test
    void anApplicationsOwnStoreIsUsed() {
        runner.withBean(BucketStore.class, () -> CaffeineStore.builder().maximumKeys(5).build())
                .run(context -> assertEquals(1, context.getBeansOfType(BucketStore.class).size()));
    }

    @Test
    void aBadValueFailsStartUpNamingTheSpringProperty() {
        runner.withPropertyValues("ratelimiter.refill-rate=fast").run(context -> {
            assertThat(context).hasFailed();
            RateLimiterConfigException e = findCause(context.getStartupFailure());
            assertEquals("ratelimiter.refill-rate", e.property());
            assertEquals("ratelimiter.refill-rate must be a positive number of tokens per second,"
                    + " was 'fast'", e.getMessage());
        });
    }

    @Test
    void aBadRedisValueIsNamedTheSpringWayWithoutTheServersEnvironmentVariable() {
        runner.withPropertyValues("ratelimiter.redis.url=redis://127.0.0.1:1",
                "ratelimiter.redis.pool-max-total=0").run(context -> {
                    RateLimiterConfigException e = findCause(context.getStartupFailure());
                    assertEquals("ratelimiter.redis.pool-max-total", e.property());
                    assertEquals("ratelimiter.redis.pool-max-total must be a whole number from 1"
                            + " to 2147483647, was '0'", e.getMessage());
                });
    }

    @Test
    void aBadPatternPolicyIsNamedWithItsBrackets() {
        with("ratelimiter.patterns.[vip:*].limits", "10/1 fortnight")
                .run(context -> {
                    RateLimiterConfigException e = findCause(context.getStartupFailure());
                    assertEquals("ratelimiter.patterns.[vip:*].limits", e.property());
                });
    }

    /** Properties whose names hold ':' (which withPropertyValues would split on). */
    private ApplicationContextRunner with(String... namesAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return runner.withInitializer(c -> c.getEnvironment().getPropertySources()
                .addFirst(new MapPropertySource("test", map)));
    }

    static RateLimiterConfigException findCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof RateLimiterConfigException e) {
                return e;
            }
        }
        throw new AssertionError("no RateLimiterConfigException in " + t, t);
    }
}
