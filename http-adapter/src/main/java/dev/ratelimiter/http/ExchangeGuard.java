package dev.ratelimiter.http;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outermost filter of every route: it closes the exchange whatever happens, counts the
 * response status and the exchanges in progress (for graceful shutdown), and turns an unexpected exception (a bug, never client input) into a
 * generic 500 without a stack trace, logged once at WARN. A client that disconnects is not an
 * error. Thread-safe.
 */
final class ExchangeGuard extends Filter {

    private static final Logger LOG = LoggerFactory.getLogger(ExchangeGuard.class);

    private final HttpMetrics metrics;
    private final AtomicInteger inProgress = new AtomicInteger();
    private final Object idle = new Object();
    private volatile boolean draining;

    ExchangeGuard(HttpMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) {
        inProgress.incrementAndGet();
        try {
            chain.doFilter(exchange);
        } catch (IOException e) {
            // The client went away or sent a broken stream; there is no one to answer.
            LOG.debug("I/O error on {}", exchange.getRemoteAddress(), e);
        } catch (RuntimeException e) {
            LOG.warn("unexpected error handling {} {}", exchange.getRequestMethod(),
                    exchange.getHttpContext().getPath(), e);
            if (exchange.getResponseCode() == -1) {
                try {
                    Responses.error(exchange, 500, "internal error");
                } catch (IOException | RuntimeException ignored) {
                    // nothing more to do: the exchange is closed below
                }
            }
        } finally {
            metrics.status(exchange.getResponseCode());
            exchange.close();
            // A counter, not a lock, on the hot path; only a draining server is woken.
            if (inProgress.decrementAndGet() == 0 && draining) {
                synchronized (idle) {
                    idle.notifyAll();
                }
            }
        }
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
        return "closes every exchange, counts statuses, answers 500 for bugs";
    }
}
