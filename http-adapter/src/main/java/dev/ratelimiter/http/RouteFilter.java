package dev.ratelimiter.http;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;

/**
 * Admits only the exact path (the JDK matches contexts by prefix) with the one method the route
 * serves (and HEAD where it serves GET): other paths get 404, other methods 405 with
 * {@code Allow}. Immutable, thread-safe.
 */
final class RouteFilter extends Filter {

    private final String path;
    private final String method;

    RouteFilter(String path, String method) {
        this.path = path;
        this.method = method;
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        if (!path.equals(exchange.getRequestURI().getRawPath())) {
            Responses.error(exchange, 404, "no such path; try POST /api/ratelimit/check");
        } else if (!method.equals(exchange.getRequestMethod())
                && !("GET".equals(method) && "HEAD".equals(exchange.getRequestMethod()))) {
            exchange.getResponseHeaders().set("Allow", method);
            Responses.error(exchange, 405, path + " accepts only " + method);
        } else {
            chain.doFilter(exchange);
        }
    }

    @Override
    public String description() {
        return method + " " + path + " only";
    }
}
