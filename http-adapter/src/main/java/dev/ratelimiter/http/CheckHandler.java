package dev.ratelimiter.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.ratelimiter.Decision;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.spi.StoreUnavailableException;
import java.io.IOException;

/**
 * {@code POST /api/ratelimit/check}: JSON in, {@link RateLimiter#tryAcquire}, JSON out. In order:
 * 415 unless the body is JSON; 413 if it is over the limit; 503 if too many checks are in
 * progress; 400 if it is not a valid request; 401 if the API key is missing or wrong; then the
 * decision (200 or 429), or 400 if the limiter rejects the key, or 503 if the store is
 * unavailable (no failure policy, or FAIL_CLOSED refusing while the store is down). Nothing is consumed unless the limiter is called. Thread-safe.
 */
final class CheckHandler implements HttpHandler {

    private final RateLimiter limiter;
    private final ApiKeyAuth auth;
    private final InFlightGate gate;
    private final HttpMetrics metrics;
    private final int maxBodyBytes;
    private final StoreHealth health;

    CheckHandler(RateLimiter limiter, ApiKeyAuth auth, InFlightGate gate, HttpMetrics metrics,
                 int maxBodyBytes, StoreHealth health) {
        this.limiter = limiter;
        this.health = health;
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
            Responses.unavailable(exchange, "server is overloaded; retry later");
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
        Decision decision;
        long start = System.nanoTime();
        try {
            decision = limiter.tryAcquire(request.key(), request.tokens());
        } catch (IllegalArgumentException | NullPointerException e) {
            // The limiter validates the key (blank, too long) and names the field.
            Responses.error(exchange, 400, String.valueOf(e.getMessage()));
            return;
        } catch (StoreUnavailableException e) {
            metrics.checkError();
            Responses.unavailable(exchange, "rate-limit store unavailable");
            return;
        } catch (IllegalStateException e) {
            // A bounded store that is full, or a limiter closed by shutdown.
            metrics.checkError();
            Responses.unavailable(exchange, "rate limiter cannot take the request now");
            return;
        }
        metrics.decision(decision, System.nanoTime() - start);
        if (decision.degraded() && !decision.allowed() && health.failClosed()) {
            // FAIL_CLOSED refused this because the store is down, not because of the limit.
            exchange.getResponseHeaders().set("Retry-After", Long.toString(Math.max(1,
                    JsonCodec.ceilDiv(decision.retryAfterNanos(), 1_000_000_000L))));
            Responses.error(exchange, 503, "rate-limit store unavailable");
            return;
        }
        Responses.decision(exchange, decision);
    }
}
