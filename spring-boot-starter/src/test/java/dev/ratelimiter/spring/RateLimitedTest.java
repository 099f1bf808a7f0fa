package dev.ratelimiter.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** {@link RateLimited} outside a web app: keys, tokens, class-level use. */
class RateLimitedTest {

    /** Annotated on the class: every public method limited, one bucket per first argument. */
    @RateLimited(key = "'tenant:' + #p0", tokens = 2)
    public static class Exports {
        public String export(String tenant) {
            return "export " + tenant;
        }
    }

    /** A method-level fixed key and one without a key. */
    public static class Jobs {
        @RateLimited(key = "nightly")
        public String nightly() {
            return "ran";
        }

        @RateLimited
        public String unnamed() {
            return "ran";
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(AopAutoConfiguration.class,
                    RateLimiterAutoConfiguration.class))
            .withPropertyValues("ratelimiter.capacity=4", "ratelimiter.refill-rate=0.001")
            .withBean(Exports.class).withBean(Jobs.class);

    @Test
    void aClassLevelAnnotationLimitsEachTenantByItsPositionalArgument() {
        runner.run(context -> {
            Exports exports = context.getBean(Exports.class);
            assertEquals("export acme", exports.export("acme"));
            assertEquals("export acme", exports.export("acme"));
            RateLimitExceededException e =
                    assertThrows(RateLimitExceededException.class, () -> exports.export("acme"));
            assertEquals("tenant:acme", e.decision().key());
            assertEquals(2, e.decision().tokensRequested());
            assertEquals("export globex", exports.export("globex"));
        });
    }

    @Test
    void aFixedKeyIsOneBucketAndNoKeyMeansClassDotMethod() {
        runner.run(context -> {
            Jobs jobs = context.getBean(Jobs.class);
            for (int i = 0; i < 4; i++) {
                jobs.nightly();
            }
            assertEquals("nightly", assertThrows(RateLimitExceededException.class,
                    jobs::nightly).decision().key());
            for (int i = 0; i < 4; i++) {
                jobs.unnamed();
            }
            assertEquals("Jobs.unnamed", assertThrows(RateLimitExceededException.class,
                    jobs::unnamed).decision().key());
        });
    }
}
