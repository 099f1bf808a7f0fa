package dev.ratelimiter.examples.spring;

import dev.ratelimiter.spring.RateLimited;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.stereotype.Service;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring Boot app limited by the starter alone: its configuration is the six lines of
 * {@code spring-example.properties} (this module keeps it under that name; a real app writes
 * them in {@code application.properties}):
 *
 * <ul>
 *   <li>{@code /api/**} is limited per client IP by the servlet filter: 5 requests, then 1 per
 *       second; the sixth in a burst gets the contract's 429;</li>
 *   <li>{@code /reports/{user}} is limited per user by {@link RateLimited} on the service: 2 per
 *       minute each.</li>
 * </ul>
 *
 * <p>Run: {@code mvn -pl examples -am install -DskipTests}, then
 * {@code mvn -pl examples exec:java -Dexec.mainClass=dev.ratelimiter.examples.spring.SpringExampleApp
 * -Dexec.classpathScope=compile} and {@code curl -i localhost:8080/api/greeting}.
 */
@SpringBootApplication
public class SpringExampleApp {

    /**
     * Starts the app.
     *
     * @param args Spring Boot arguments, such as {@code --server.port=0}
     */
    public static void main(String[] args) {
        start(args);
    }

    /**
     * Starts the app with {@code spring-example.properties}.
     *
     * @param args Spring Boot arguments
     * @return the running context; close it to stop
     */
    public static ConfigurableApplicationContext start(String... args) {
        // Only because this examples module logs through slf4j-simple; a real app omits it.
        System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
        return new SpringApplicationBuilder(SpringExampleApp.class)
                .properties("spring.config.name=spring-example")
                .run(args);
    }

    /** The endpoints. */
    @RestController
    public static class Endpoints {
        private final Reports reports;

        Endpoints(Reports reports) {
            this.reports = reports;
        }

        /** @return a greeting; limited by the filter */
        @GetMapping("/api/greeting")
        public String greeting() {
            return "hello";
        }

        /**
         * @param user whose report
         * @return the report; limited per user by the annotation
         */
        @GetMapping("/reports/{user}")
        public String report(@PathVariable("user") String user) {
            return reports.build(user);
        }
    }

    /** An expensive service, limited per user. */
    @Service
    public static class Reports {

        /**
         * @param user whose report
         * @return the report
         */
        @RateLimited(key = "'report:' + #user")
        public String build(String user) {
            return "report for " + user;
        }
    }
}
