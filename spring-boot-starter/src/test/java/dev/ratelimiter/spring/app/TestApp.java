package dev.ratelimiter.spring.app;

import dev.ratelimiter.spring.RateLimitExceededException;
import dev.ratelimiter.spring.RateLimited;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.security.Principal;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Service;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** The application the starter's tests start on a random port. */
@SpringBootApplication
public class TestApp {

    public static void main(String[] args) {
        SpringApplication.run(TestApp.class, args);
    }

    /**
     * Stands in for Spring Security: {@code X-Test-User} becomes the request's principal.
     * Ordered like Security's chain (-100), before the limiter's principal mode (-99).
     */
    @Bean
    FilterRegistrationBean<Filter> testAuthentication() {
        Filter auth = (request, response, chain) -> {
            HttpServletRequest http = (HttpServletRequest) request;
            String user = http.getHeader("X-Test-User");
            if (user == null) {
                chain.doFilter(request, response);
                return;
            }
            Principal principal = () -> user;
            chain.doFilter(new HttpServletRequestWrapper(http) {
                @Override
                public Principal getUserPrincipal() {
                    return principal;
                }
            }, response);
        };
        FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(auth);
        registration.setOrder(-100);
        return registration;
    }

    /** Plain endpoints, limited or not by the filter's paths. */
    @RestController
    public static class Api {
        private final Reports reports;

        public Api(Reports reports) {
            this.reports = reports;
        }

        @GetMapping("/api/hello")
        public String hello() {
            return "hello";
        }

        @GetMapping("/open/hello")
        public String open() {
            return "open";
        }

        @GetMapping("/reports/{user}")
        public String report(@PathVariable("user") String user) {
            return reports.build(user);
        }
    }

    /** A controller that answers the exception itself. */
    @RestController
    public static class MappedApi {
        private final Reports reports;

        public MappedApi(Reports reports) {
            this.reports = reports;
        }

        @GetMapping("/mapped/{user}")
        public String report(@PathVariable("user") String user) {
            return reports.build(user);
        }

        @ExceptionHandler(RateLimitExceededException.class)
        public ResponseEntity<String> denied(RateLimitExceededException e) {
            return ResponseEntity.status(HttpStatus.CONFLICT)
                    .body("mapped: " + e.decision().key());
        }
    }

    /** A bean whose method is limited per user. */
    @Service
    public static class Reports {
        @RateLimited(key = "'report:' + #user", tokens = 1)
        public String build(String user) {
            return "report for " + user;
        }

        @RateLimited(key = "shared-reports", tokens = 2)
        public String buildAll() {
            return "all reports";
        }
    }
}
