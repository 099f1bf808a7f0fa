package dev.ratelimiter.redis;

import dev.ratelimiter.spi.StoreOverloadedException;
import dev.ratelimiter.spi.StoreUnavailableException;
import io.github.bucket4j.TimeoutException;
import java.net.SocketTimeoutException;
import java.util.NoSuchElementException;
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
 * Turns what Jedis and Bucket4j throw into the two exceptions core tells apart, with a message
 * that names the store and the cause:
 *
 * <ul>
 *   <li>{@link StoreUnavailableException} for what Redis did: refused or reset a connection,
 *       did not answer a command that was sent, answered with an error, rejected credentials.
 *       The circuit breaker counts these.
 *   <li>{@link StoreOverloadedException} for what this JVM could not do in time: a full local
 *       queue, a command whose deadline passed before it was written, a wait for a pooled
 *       connection that timed out, a compare-and-swap loop out of time under contention. The
 *       breaker never counts these: Redis may be perfectly healthy.
 * </ul>
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

    /** @return what messages call the store */
    String store() {
        return store;
    }

    /**
     * @param what what was full or late, completing "Redis store X ..."
     * @return the overload exception, naming the store
     */
    StoreOverloadedException overloaded(String what) {
        return new StoreOverloadedException("Redis store " + store + " " + what);
    }

    /** A sent command got no reply before its deadline: Redis did not answer. */
    StoreUnavailableException notAnswered(long timeoutMs) {
        return new StoreUnavailableException("Redis store " + store + " did not answer a sent"
                + " command within its timeout (ratelimiter.redis.timeoutMs = " + timeoutMs + ")",
                null);
    }

    /** As {@link #translate}, for failures that are always Redis's: never an overload. */
    StoreUnavailableException unavailable(RuntimeException e) {
        RuntimeException t = translate(e);
        if (t instanceof StoreUnavailableException sue) {
            return sue;
        }
        return new StoreUnavailableException("Redis store " + store + " failed: " + e, e);
    }

    /**
     * The exception to throw for {@code e}: a {@link StoreUnavailableException}, a
     * {@link StoreOverloadedException} (pool wait or CAS loop out of time), or {@code e}.
     */
    RuntimeException translate(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StoreUnavailableException sue) {
                return sue;
            }
            if (t instanceof StoreOverloadedException soe) {
                return soe;
            }
            if (isPoolWait(t)) {
                return overloaded("had no free pooled connection within poolMaxWait"
                        + " (ratelimiter.redis.poolMaxWaitMs): " + t.getMessage());
            }
            if (t instanceof TimeoutException) {
                return overloaded("ran out of requestTimeout (ratelimiter.redis.requestTimeoutMs)"
                        + " in the compare-and-swap loop, losing races to other checks: "
                        + t.getMessage());
            }
        }
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof JedisException) {
                if (t instanceof JedisConnectionException) {
                    onConnectionError.run();
                }
                return new StoreUnavailableException(message(t), e);
            }
        }
        return e;
    }

    /**
     * A pool that gave no connection in time: Jedis wraps commons-pool's "Timeout waiting for
     * idle object" {@link NoSuchElementException}. A pool that could not <em>create</em> one
     * fails with the connection's own error instead, which is Redis's.
     */
    private static boolean isPoolWait(Throwable t) {
        return t instanceof NoSuchElementException && t.getMessage() != null
                && (t.getMessage().contains("Timeout waiting")
                || t.getMessage().contains("Pool exhausted"));
    }

    String message(Throwable t) {
        String prefix = "Redis store " + store + " ";
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
                && (m.startsWith("WRONGPASS") || m.startsWith("NOAUTH") || m.contains(" AUTH ")
                // Redis refuses a long command (such as the script strategy's EVALSHA) from an
                // unauthenticated client with this instead of NOAUTH.
                || m.contains("unauthenticated multibulk"));
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
