package dev.ratelimiter.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** The small handlers: {@code /health}, {@code /metrics} and 404 for everything else. */
final class StatusHandlers {

    private StatusHandlers() {
    }

    /**
     * {@code GET /health}: {@code {"status":"UP"|"DEGRADED"|"DOWN","backend":name}}, 503 only when
     * the store is down and checks fail closed.
     */
    static HttpHandler health(StoreHealth health, String backend) {
        return exchange -> {
            StoreHealth.Status status = health.status();
            int code = status == StoreHealth.Status.DOWN && health.failClosed() ? 503 : 200;
            Responses.json(exchange, code, JsonCodec.object("status", status.name(), "backend",
                    backend.toLowerCase(Locale.ROOT)));
        };
    }

    /** {@code GET /metrics}: Prometheus text format. */
    static HttpHandler metrics(HttpMetrics metrics) {
        return (HttpExchange exchange) -> {
            byte[] body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type",
                    "text/plain; version=0.0.4; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        };
    }

    /** Every path no route serves. */
    static HttpHandler notFound() {
        return exchange -> Responses.error(exchange, 404,
                "no such path; try POST /api/ratelimit/check");
    }
}
