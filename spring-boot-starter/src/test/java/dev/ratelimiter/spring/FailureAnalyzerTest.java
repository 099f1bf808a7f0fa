package dev.ratelimiter.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ratelimiter.spring.app.TestApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** A bad value fails a real application's start-up with the analyzer's report, not a stack. */
@ExtendWith(OutputCaptureExtension.class)
class FailureAnalyzerTest {

    private static void start(String... properties) {
        new SpringApplicationBuilder(TestApp.class).web(WebApplicationType.NONE)
                .properties(properties).run();
    }

    @Test
    void aBadCapacityIsReportedNamingThePropertyAndTheFix(CapturedOutput output) {
        assertThrows(Exception.class, () -> start("ratelimiter.capacity=0"));
        assertThat(output.getOut() + output.getErr())
                .contains("APPLICATION FAILED TO START")
                .contains("Invalid rate limiter configuration: ratelimiter.capacity: capacity must be"
                        + " >= 1, was 0")
                .contains("Fix the value of 'ratelimiter.capacity'");
    }

    @Test
    void aBadWebKeyModeIsReportedNamingTheProperty(CapturedOutput output) {
        assertThrows(Exception.class, () -> new SpringApplicationBuilder(TestApp.class)
                .properties("server.port=0", "ratelimiter.web.enabled=true",
                        "ratelimiter.web.key=cookie").run());
        assertThat(output.getOut() + output.getErr())
                .contains("Invalid rate limiter configuration: ratelimiter.web.key must be ip,"
                        + " header:NAME or principal, was 'cookie'")
                .contains("Fix the value of 'ratelimiter.web.key'");
    }

    @Test
    void anUnknownPropertyFailsStartUp(CapturedOutput output) {
        assertThrows(Exception.class, () -> start("ratelimiter.capacitty=5"));
        assertThat(output.getOut() + output.getErr()).contains("ratelimiter.capacitty");
    }
}
