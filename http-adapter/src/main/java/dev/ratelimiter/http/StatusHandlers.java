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
     * the store is down and checks fail closed; with a {@link ConfigReloader}, also
     * {@code "configVersion"} and {@code "configLoadedAt"} (ISO-8601 UTC) of the rules in force.
     */
    static HttpHandler health(StoreHealth health, String backend, ConfigReloader reloader) {
        return exchange -> {
            StoreHealth.Status status = health.status();
            int code = status == StoreHealth.Status.DOWN && health.failClosed() ? 503 : 200;
            ConfigReloader.Version config = reloader == null ? null : reloader.active();
            Responses.json(exchange, code, JsonCodec.objectOf("status", status.name(), "backend",
                    backend.toLowerCase(Locale.ROOT),
                    "configVersion", config == null ? null : config.version(),
                    "configLoadedAt", config == null ? null : config.loadedAt().toString()));
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
