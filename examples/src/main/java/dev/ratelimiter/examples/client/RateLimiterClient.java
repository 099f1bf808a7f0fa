package dev.ratelimiter.examples.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.ratelimiter.Sleeper;
import dev.ratelimiter.Ticker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Example 6 — call the standalone server from Java, with the resilience the Python contract's
 * {@code ResilientRateLimiterClient} shows: a timeout per request, retries with exponential
 * backoff, a circuit breaker, and fail-open (or fail-closed) when the server cannot be reached.
 *
 * <pre>{@code
 * RateLimiterClient client = RateLimiterClient.create(ClientConfig.fromEnvironment(System.getenv()));
 * if (!client.check("user:42", 1).allowed()) { ... return 429 ... }
 * }</pre>
 *
 * <p>What counts as "unreachable" (and so is retried, then counted by the breaker): an I/O error,
 * a timeout, or a 5xx response. A 400 is the caller's mistake and throws
 * {@link IllegalArgumentException} with the server's message; 401 and 403 throw
 * {@link IllegalStateException} ("Invalid API key", "IP address not allowed"), as in the
 * contract. The breaker opens after 5 consecutive unreachable checks and stays open for 60 s,
 * during which checks do not touch the network at all. Unlike the Python example, the first
 * backoff is 100 ms (doubling), so a dead server costs well under a second per check.
 *
 * <p>Thread-safe. Run against a server with:
 * {@code java -cp examples/target/ratelimiter-examples.jar dev.ratelimiter.examples.client.RateLimiterClient user:42}
 */
public final class RateLimiterClient {

    private static final JsonFactory JSON = new JsonFactory();
    private static final int FAILURES_TO_OPEN = 5;
    private static final long OPEN_NANOS = Duration.ofSeconds(60).toNanos();

    private final ClientConfig config;
    private final HttpClient http;
    private final URI checkUri;
    private final int maxRetries;
    private final long firstBackoffNanos;
    private final Ticker ticker;
    private final Sleeper sleeper;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    /** While the breaker is open, the ticker reading at which it closes; else in the past. */
    private final AtomicLong openUntil;
    private final AtomicLong requestsSent = new AtomicLong();

    RateLimiterClient(ClientConfig config, int maxRetries, Duration firstBackoff, Ticker ticker,
                      Sleeper sleeper) {
        this.config = Objects.requireNonNull(config, "config");
        this.maxRetries = maxRetries;
        this.firstBackoffNanos = firstBackoff.toNanos();
        this.ticker = ticker;
        this.sleeper = sleeper;
        this.checkUri = URI.create(config.url() + "/api/ratelimit/check");
        this.openUntil = new AtomicLong(ticker.read());
        this.http = HttpClient.newBuilder().connectTimeout(config.timeout()).build();
    }

    /**
     * A client with 3 retries, 100 ms first backoff, on the real clock.
     *
     * @param config the settings
     * @return the client
     */
    public static RateLimiterClient create(ClientConfig config) {
        return new RateLimiterClient(config, 3, Duration.ofMillis(100), Ticker.system(),
                Sleeper.system());
    }

    /**
     * Asks the server whether {@code key} may spend {@code tokens}.
     *
     * @param key the key
     * @param tokens tokens to spend, at least 1
     * @return the answer; {@code degraded} when the server was unreachable and fail-open is on
     * @throws RateLimiterUnavailableException when unreachable and fail-open is off
     * @throws IllegalArgumentException when the server rejects the request as malformed (400)
     * @throws IllegalStateException on 401 or 403
     * @throws InterruptedException if interrupted while backing off
     */
    public CheckResult check(String key, long tokens) throws InterruptedException {
        if (ticker.read() - openUntil.get() < 0) { // overflow-safe comparison of readings
            return unreachable(key, tokens, "circuit breaker open", null);
        }
        Exception last = null;
        for (int attempt = 0; attempt <= maxRetries; attempt++) {
            if (attempt > 0) {
                sleeper.sleep(firstBackoffNanos << (attempt - 1));
            }
            try {
                HttpResponse<byte[]> response = send(key, tokens);
                int status = response.statusCode();
                if (status == 200 || status == 429) {
                    consecutiveFailures.set(0);
                    return parse(response.body(), status == 200);
                }
                if (status == 400) {
                    throw new IllegalArgumentException(errorOf(response.body()));
                }
                if (status == 401) {
                    throw new IllegalStateException("Invalid API key");
                }
                if (status == 403) {
                    throw new IllegalStateException("IP address not allowed");
                }
                last = new IOException("rate limiter answered " + status + ": "
                        + errorOf(response.body()));
                if (status < 500) {
                    throw new IllegalStateException(last.getMessage());
                }
            } catch (IOException e) {
                last = e;
            }
        }
        if (consecutiveFailures.incrementAndGet() >= FAILURES_TO_OPEN) {
            openUntil.set(ticker.read() + OPEN_NANOS);
            consecutiveFailures.set(0);
        }
        return unreachable(key, tokens, "rate limiter unreachable after " + (maxRetries + 1)
                + " attempts", last);
    }

    /** @return HTTP requests sent so far (for tests and metrics) */
    public long requestsSent() {
        return requestsSent.get();
    }

    private CheckResult unreachable(String key, long tokens, String why, Exception cause) {
        if (config.failOpen()) {
            return new CheckResult(true, key, tokens, -1, -1, true);
        }
        throw new RateLimiterUnavailableException(why, cause);
    }

    private HttpResponse<byte[]> send(String key, long tokens) throws IOException,
            InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(checkUri)
                .timeout(config.timeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body(key, tokens)));
        if (config.apiKey() != null) {
            request.header("X-API-Key", config.apiKey());
        }
        requestsSent.incrementAndGet();
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] body(String key, long tokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("key", key);
            g.writeNumberField("tokens", tokens);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static CheckResult parse(byte[] body, boolean allowedStatus) throws IOException {
        String key = null;
        long tokensRequested = 0;
        long remaining = -1;
        long retryAfterMs = -1;
        boolean allowed = allowedStatus;
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("rate limiter answered with a body that is not an object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "key" -> key = p.getText();
                    case "tokensRequested" -> tokensRequested = p.getLongValue();
                    case "allowed" -> allowed = value == JsonToken.VALUE_TRUE;
                    case "remainingTokens" -> remaining = p.getLongValue();
                    case "retryAfterMs" -> retryAfterMs = value == JsonToken.VALUE_NULL
                            ? -1 : p.getLongValue();
                    default -> p.skipChildren();
                }
            }
        }
        if (key == null) {
            throw new IOException("rate limiter answered without a key");
        }
        return new CheckResult(allowed, key, tokensRequested, remaining, retryAfterMs, false);
    }

    private static String errorOf(byte[] body) {
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    p.nextToken();
                    if (field.equals("error")) {
                        return p.getText();
                    }
                    p.skipChildren();
                }
            }
        } catch (IOException ignored) {
            // not JSON: fall through
        }
        return "(no error message)";
    }

    /**
     * Checks one key against the server named by the environment and prints the answer.
     *
     * @param args the key, and optionally the token count
     * @throws InterruptedException if interrupted
     */
    public static void main(String[] args) throws InterruptedException {
        String key = args.length > 0 ? args[0] : "user:42";
        long tokens = args.length > 1 ? Long.parseLong(args[1]) : 1;
        CheckResult r = create(ClientConfig.fromEnvironment(System.getenv())).check(key, tokens);
        System.out.println(r);
    }
}
