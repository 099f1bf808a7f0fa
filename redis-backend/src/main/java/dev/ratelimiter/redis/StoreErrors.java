package dev.ratelimiter.redis;

import dev.ratelimiter.spi.StoreUnavailableException;
import io.github.bucket4j.TimeoutException;
import java.net.SocketTimeoutException;
import io.github.bucket4j.distributed.proxy.AsyncCommandExecutor;
import io.github.bucket4j.distributed.proxy.CommandExecutor;
import io.github.bucket4j.distributed.proxy.optimization.Optimization;
import io.github.bucket4j.distributed.proxy.optimization.OptimizationListener;
import io.github.bucket4j.distributed.remote.CommandResult;
import io.github.bucket4j.distributed.remote.RemoteCommand;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Turns what Jedis and Bucket4j throw when Redis cannot be reached into
 * {@link StoreUnavailableException}, with a message that names the store and the cause, so the
 * failure policy in core sees one exception type.
 *
 * <p>It is applied as the outermost Bucket4j {@link Optimization}, so it also sees the
 * {@code BatchFailedException} that batching wraps around a failure shared by a whole batch.
 * Errors that are not about reaching Redis (bugs) pass through unchanged. Thread-safe.
 */
final class StoreErrors {

    private final String store;
    private final Runnable onConnectionError;

    /**
     * @param store what the messages call the store, such as {@code redis://127.0.0.1:6379}
     * @param onConnectionError run when a connection broke, to drop pooled connections that
     *     point at a server that is gone (after a restart every idle one is dead)
     */
    StoreErrors(String store, Runnable onConnectionError) {
        this.store = store;
        this.onConnectionError = onConnectionError;
    }

    /** The exception to throw for {@code e}: a {@link StoreUnavailableException} or {@code e}. */
    RuntimeException translate(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StoreUnavailableException sue) {
                return sue;
            }
            if (t instanceof JedisException || t instanceof TimeoutException) {
                if (t instanceof JedisConnectionException) {
                    onConnectionError.run();
                }
                return new StoreUnavailableException(message(t), e);
            }
        }
        return e;
    }

    String message(Throwable t) {
        String prefix = "Redis store " + store + " ";
        if (t instanceof TimeoutException) {
            return prefix + "did not answer within the request timeout"
                    + " (ratelimiter.redis.requestTimeoutMs): " + t.getMessage();
        }
        String detail = t.getClass().getSimpleName() + ": " + t.getMessage() + rootCause(t);
        if (t instanceof JedisAccessControlException || isAuthError(t)) {
            return prefix + "rejected the credentials (check the user and password in"
                    + " ratelimiter.redis.url or ratelimiter.redis.password): " + detail;
        }
        if (t instanceof JedisConnectionException && hasCause(t, SocketTimeoutException.class)) {
            return prefix + "did not answer within the read timeout"
                    + " (ratelimiter.redis.readTimeoutMs): " + detail;
        }
        if (t instanceof JedisConnectionException) {
            return prefix + "is unreachable: " + detail;
        }
        return prefix + "failed: " + detail;
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    private static boolean isAuthError(Throwable t) {
        String m = t.getMessage();
        return t instanceof JedisDataException && m != null
                && (m.startsWith("WRONGPASS") || m.startsWith("NOAUTH") || m.contains(" AUTH "));
    }

    private static String rootCause(Throwable t) {
        Throwable root = t;
        for (int depth = 0; depth < 10; depth++) {
            if (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            } else if (root.getSuppressed().length > 0) {
                // Jedis tries each address of a host and keeps the failures as suppressed.
                root = root.getSuppressed()[0];
            } else {
                break;
            }
        }
        return root == t ? "" : " (caused by " + root.getClass().getSimpleName() + ": "
                + root.getMessage() + ")";
    }

    /**
     * Wraps another optimization (or none) so that every command's failure is translated.
     *
     * @param inner the optimization to apply inside, such as batching
     * @return the optimization to hand to Bucket4j
     */
    Optimization around(Optimization inner) {
        return new Translating(inner);
    }

    private final class Translating implements Optimization {
        private final Optimization inner;

        Translating(Optimization inner) {
            this.inner = inner;
        }

        @Override
        public Optimization withListener(OptimizationListener listener) {
            return new Translating(inner.withListener(listener));
        }

        @Override
        public CommandExecutor apply(CommandExecutor original) {
            CommandExecutor optimized = inner.apply(original);
            return new CommandExecutor() {
                @Override
                public <T> CommandResult<T> execute(RemoteCommand<T> command) {
                    try {
                        return optimized.execute(command);
                    } catch (RuntimeException e) {
                        throw translate(e);
                    }
                }
            };
        }

        @Override
        public AsyncCommandExecutor apply(AsyncCommandExecutor original) {
            // The Jedis proxy manager has no async mode; nothing builds async buckets here.
            return inner.apply(original);
        }
    }
}
