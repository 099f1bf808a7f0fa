/**
 * The Spring Boot starter in an app: {@link dev.ratelimiter.examples.spring.SpringExampleApp},
 * configured by six properties, limited by the servlet filter and {@code @RateLimited}.
 */
package dev.ratelimiter.examples.spring;
