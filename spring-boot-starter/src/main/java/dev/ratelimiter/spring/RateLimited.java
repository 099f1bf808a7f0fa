package dev.ratelimiter.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Limits calls of a Spring bean's method through the application's {@code RateLimiter}: each call
 * takes {@link #tokens()} from the bucket of {@link #key()}; a denied call does not run and throws
 * {@link RateLimitExceededException} carrying the decision. In a Spring MVC application an
 * unhandled one is answered with the same 429 (headers and JSON body) as the servlet filter's.
 *
 * <pre>{@code
 * @RateLimited(key = "'user:' + #userId", tokens = 1)
 * public Report build(String userId) { ... }
 *
 * @RateLimited(key = "reports")          // one shared bucket
 * public Report buildAll() { ... }
 * }</pre>
 *
 * <p>The key is a SpEL expression over the method's arguments ({@code #name}, which needs the
 * {@code -parameters} compiler flag that Spring Boot's build plugins set, or {@code #p0},
 * {@code #a0}) and beans ({@code @bean}) when it contains {@code #}, {@code '} or {@code @};
 * otherwise it is the key as written. Empty: {@code ClassName.methodName}. An expression that
 * yields null, or a key the limiter rejects, throws {@link IllegalArgumentException} without
 * running the method. On a class, it applies to every public method. As with every Spring proxy,
 * calls from within the same bean are not intercepted.
 */
@Target({ElementType.METHOD, ElementType.TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface RateLimited {

    /**
     * The key: SpEL when it contains {@code #}, {@code '} or {@code @}, else as written.
     *
     * @return the key or its expression
     */
    String key() default "";

    /**
     * Tokens each call takes.
     *
     * @return at least 1
     */
    long tokens() default 1;
}
