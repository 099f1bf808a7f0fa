package dev.ratelimiter.spring;

import dev.ratelimiter.http.RateLimitResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;

/**
 * Answers an unhandled {@link RateLimitExceededException} from a controller with the same
 * response as the servlet filter (429, rate-limit headers, the contract's JSON). It runs last
 * ({@link Ordered#LOWEST_PRECEDENCE}), so an application's own {@code @ExceptionHandler} or
 * {@code @ControllerAdvice} for the exception wins. Thread-safe.
 */
final class RateLimitExceededResolver implements HandlerExceptionResolver, Ordered {

    @Override
    public ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response,
                                         Object handler, Exception ex) {
        if (!(ex instanceof RateLimitExceededException denied) || response.isCommitted()) {
            return null;
        }
        try {
            Responders.write(RateLimitResponse.of(denied.decision()), response);
        } catch (IOException e) {
            return null;
        }
        return new ModelAndView();
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
