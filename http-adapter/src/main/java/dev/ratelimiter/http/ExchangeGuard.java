package dev.ratelimiter.http;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outermost filter of every route. In order, before any route sees the exchange:
 * <ul>
 *   <li>tells the executor the request has been read (its thread no longer waits on the
 *       client);</li>
 *   <li>wraps the exchange in {@link GuardedExchange}: while the server drains for shutdown
 *       every response carries {@code Connection: close}, so a kept-alive client learns the
 *       connection ends instead of finding it closed; {@code HEAD} is answered without a
 *       body or a JDK warning;</li>
 *   <li>answers 431 to more than {@value #MAX_HEADER_FIELDS} header fields or more than
 *       {@value #MAX_HEADER_BYTES} bytes of them;</li>
 *   <li>answers 503 with {@code Retry-After: 1} to a request that waited longer than
 *       {@code maxQueueWait} for a thread (nothing is decided, so no token is taken);</li>
 * </ul>
 * Whatever happens it closes the exchange, counts the exchanges in progress (for shutdown),
 * and turns an unexpected exception (a bug, never client input) into a generic 500 without a
 * stack trace, logged once at WARN. Each response's status is counted as it is sent
 * ({@link GuardedExchange}). A client that disconnects is not an error. Thread-safe.
 */
final class ExchangeGuard extends Filter {

    /** Header fields accepted; more are answered 431. */
    static final int MAX_HEADER_FIELDS = 100;
    /**
     * Header bytes accepted, counted as the JDK counts them: each field's "name: value" plus 32
     * (the HTTP/2 overhead rule, RFC 9113 section 6.5.2). More are answered 431.
     */
    static final int MAX_HEADER_BYTES = 16 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(ExchangeGuard.class);

    private final HttpMetrics metrics;
    private final ExchangeExecutor executor;
    private final long maxQueueWaitNanos;
    private final AtomicInteger inProgress = new AtomicInteger();
    private final Object idle = new Object();
    private volatile boolean draining;

    ExchangeGuard(HttpMetrics metrics, ExchangeExecutor executor, long maxQueueWaitNanos) {
        this.metrics = metrics;
        this.executor = executor;
        this.maxQueueWaitNanos = maxQueueWaitNanos;
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) {
        inProgress.incrementAndGet();
        executor.requestRead();
        try {
            HttpExchange ex = new GuardedExchange(exchange, this);
            String tooLarge = headerProblem(exchange);
            if (tooLarge != null) {
                Responses.error(ex, 431, tooLarge);
            } else if (ExchangeExecutor.queuedNanos() > maxQueueWaitNanos) {
                metrics.queueShed();
                Responses.send(ex, RateLimitResponse.overloaded());
            } else {
                chain.doFilter(ex);
            }
        } catch (IOException e) {
            // A broken stream: most often a body shorter than its Content-Length or a bad
            // chunk, sent by a client that is still reading; or a client that went away, in
            // which case this answer fails quietly too.
            LOG.debug("I/O error on {}", exchange.getRemoteAddress(), e);
            if (exchange.getResponseCode() == -1) {
                try {
                    exchange.getResponseHeaders().set("Connection", "close");
                    Responses.error(new GuardedExchange(exchange, this), 400,
                            "request body could not be read (shorter than its Content-Length,"
                                    + " or a malformed chunk)");
                } catch (IOException | RuntimeException ignored) {
                    // the client is gone: the exchange is closed below
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("unexpected error handling {} {}", exchange.getRequestMethod(),
                    exchange.getHttpContext().getPath(), e);
            if (exchange.getResponseCode() == -1) {
                try {
                    Responses.error(new GuardedExchange(exchange, this), 500, "internal error");
                } catch (IOException | RuntimeException ignored) {
                    // nothing more to do: the exchange is closed below
                }
            }
        } finally {
            exchange.close();
            // A counter, not a lock, on the hot path; only a draining server is woken.
            if (inProgress.decrementAndGet() == 0 && draining) {
                synchronized (idle) {
                    idle.notifyAll();
                }
            }
        }
    }

    private static String headerProblem(HttpExchange exchange) {
        int fields = 0;
        long bytes = 0;
        for (Map.Entry<String, List<String>> e : exchange.getRequestHeaders().entrySet()) {
            for (String v : e.getValue()) {
                fields++;
                bytes += e.getKey().length() + 2 + (v == null ? 0 : v.length()) + 32;
            }
        }
        if (fields > MAX_HEADER_FIELDS) {
            return "too many request header fields: at most " + MAX_HEADER_FIELDS;
        }
        if (bytes > MAX_HEADER_BYTES) {
            return "request header fields too large: at most " + MAX_HEADER_BYTES + " bytes";
        }
        return null;
    }

    /** Counts a response status; called by {@link GuardedExchange} as it sends the headers. */
    void sent(int status) {
        metrics.status(status);
    }

    /** From now on every response carries {@code Connection: close}. */
    void startDraining() {
        draining = true;
    }

    /** @return whether the server is draining for shutdown */
    boolean draining() {
        return draining;
    }

    /** @return exchanges inside the filter chain now */
    int inProgress() {
        return inProgress.get();
    }

    /**
     * Waits until no exchange is in progress, or the timeout passes.
     *
     * @param timeoutNanos the longest wait
     * @return true if none is in progress
     * @throws InterruptedException if interrupted while waiting
     */
    boolean awaitIdle(long timeoutNanos) throws InterruptedException {
        draining = true;
        long deadline = System.nanoTime() + timeoutNanos;
        synchronized (idle) {
            while (inProgress.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                // Bounded wait: a decrement racing with the flag above may not notify.
                idle.wait(Math.max(1, Math.min(50, left / 1_000_000)));
            }
            return true;
        }
    }

    @Override
    public String description() {
        return "closes every exchange, counts statuses, answers 431, 503 when queued too long"
                + " and 500 for bugs";
    }
}
