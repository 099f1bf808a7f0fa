package dev.ratelimiter.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.ratelimiter.Decision;
import dev.ratelimiter.RateLimiter;
import java.io.IOException;

/**
 * {@code POST /api/ratelimit/check}: JSON in, {@link RateLimiter#tryAcquire}, JSON out. In order:
 * 415 unless the body is JSON; 413 if it is over the limit; 503 if too many checks are in
 * progress; 400 if it is not a valid request; 401 if the API key is missing or wrong; then the
 * limiter's answer, translated by {@link RateLimitResponse} (the same translation
 * {@link RateLimitFilter} uses). Nothing is consumed unless the limiter is called. Thread-safe.
 */
final class CheckHandler implements HttpHandler {

    private final RateLimiter limiter;
    private final ApiKeyAuth auth;
    private final InFlightGate gate;
    private final HttpMetrics metrics;
    private final int maxBodyBytes;

    CheckHandler(RateLimiter limiter, ApiKeyAuth auth, InFlightGate gate, HttpMetrics metrics,
                 int maxBodyBytes) {
        this.limiter = limiter;
        this.auth = auth;
        this.gate = gate;
        this.metrics = metrics;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        if (!BodyReader.isJson(exchange.getRequestHeaders().getFirst("Content-Type"))) {
            Responses.error(exchange, 415, "Content-Type must be application/json");
            return;
        }
        BodyReader.Body body;
        try {
            body = BodyReader.read(exchange, maxBodyBytes);
        } catch (BodyReader.TooLargeException e) {
            Responses.error(exchange, 413, "request body must be at most " + maxBodyBytes
                    + " bytes");
            return;
        }
        if (!gate.tryEnter()) {
            Responses.send(exchange, RateLimitResponse.overloaded());
            return;
        }
        try {
            check(exchange, body);
        } finally {
            gate.exit();
        }
    }

    private void check(HttpExchange exchange, BodyReader.Body body) throws IOException {
        JsonCodec.CheckRequest request;
        try {
            request = JsonCodec.parseCheck(body.bytes(), body.length());
        } catch (JsonCodec.BadRequestException e) {
            Responses.error(exchange, 400, e.getMessage());
            return;
        }
        String authError = auth.reject(request.apiKey(), exchange.getRequestHeaders());
        if (authError != null) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
            Responses.error(exchange, 401, authError);
            return;
        }
        RateLimitResponse response;
        long start = System.nanoTime();
        try {
            Decision d = limiter.tryAcquire(request.key(), request.tokens());
            metrics.onDecision(d, System.nanoTime() - start);
            response = RateLimitResponse.of(d);
        } catch (RuntimeException e) {
            response = RateLimitResponse.rejected(e);
            if (response.status() >= 500) {
                metrics.checkError();
            }
        }
        Responses.send(exchange, response);
    }
}
