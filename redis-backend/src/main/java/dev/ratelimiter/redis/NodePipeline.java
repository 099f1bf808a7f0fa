package dev.ratelimiter.redis;

import dev.ratelimiter.spi.StoreUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisAskDataException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisMovedDataException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * One connection to one Redis node, shared by every thread of the store: automatic pipelining.
 *
 * <p>Callers put commands on a bounded queue and park. A writer thread takes everything queued
 * (up to {@link #MAX_BATCH} commands), writes it in one flush and hands the commands, in order,
 * to the connection's reader thread, which reads the replies one by one (Redis answers a
 * connection's commands in the order they arrived) and completes each command, waking its
 * caller. While replies are outstanding the writer keeps writing: commands that queue during a
 * round trip go out together in the next write. No lock is held anywhere; threads park when
 * they have nothing to do (the writer when the queue is empty, the reader when nothing is in
 * flight) and are unparked by whoever gives them work.
 *
 * <p>Replies that say a command did not run are handled here, and the command is sent again:
 * {@code NOSCRIPT} (the node lost its script cache: restart, failover, {@code SCRIPT FLUSH}) makes
 * the writer send {@code SCRIPT LOAD} before the retried command on the same connection;
 * {@code MOVED} and {@code ASK} go to the {@link Redirects} of the cluster router. A command
 * that was written and then lost its connection is never re-sent: it may have run.
 *
 * <p>A broken connection (reset, or no reply within the read timeout while a command is in
 * flight) is closed and every command in flight on it fails with
 * {@link StoreUnavailableException}; the writer opens a new one for the next command.
 *
 * <p>Thread-safe. The writer thread starts on the first command; {@link #close()} stops both
 * threads and fails whatever is still pending.
 */
final class NodePipeline implements AutoCloseable {

    /** The most commands one write carries. */
    static final int MAX_BATCH = 512;
    /** The most times one command is redirected or reloaded before it fails. */
    static final int MAX_RETRIES = 5;

    /** Where {@code MOVED} and {@code ASK} replies go, and who hears of broken connections. */
    interface Redirects {
        /** Re-routes {@code command}, which did not run on this node. */
        void redirect(PipelinedCommand command, HostAndPort target, int slot, boolean ask);

        /** This node's connection failed: the cluster's slot map may be stale. */
        void connectionFailed(HostAndPort node);
    }

    private final HostAndPort node;
    private final JedisClientConfig config;
    private final int maxQueued;
    private final StoreErrors errors;
    private final Redirects redirects;
    private final String threadName;

    private final ConcurrentLinkedQueue<PipelinedCommand> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    /** Commands to send again (after NOSCRIPT or a redirect): not counted against the bound. */
    private final ConcurrentLinkedQueue<PipelinedCommand> retries = new ConcurrentLinkedQueue<>();
    /** A script source to load before the next write, after a NOSCRIPT reply. */
    private final AtomicReference<byte[]> scriptToLoad = new AtomicReference<>();

    private volatile Thread writer;
    private volatile boolean writerParked;
    private volatile boolean closed;
    private volatile Link link;

    NodePipeline(HostAndPort node, JedisClientConfig config, int maxQueued, StoreErrors errors,
                 Redirects redirects) {
        this.node = node;
        this.config = config;
        this.maxQueued = maxQueued;
        this.errors = errors;
        this.redirects = redirects;
        this.threadName = "ratelimiter-redis-" + node;
    }

    HostAndPort node() {
        return node;
    }

    /** Commands queued and not yet written. */
    int queued() {
        return queued.get();
    }

    /**
     * Queues a command for the writer.
     *
     * @throws dev.ratelimiter.spi.StoreOverloadedException if {@code maxQueued} commands are
     *     already waiting to be written
     */
    void enqueue(PipelinedCommand command) {
        if (closed) {
            throw new IllegalStateException("RedisStore " + errors.store() + " is closed");
        }
        if (queued.incrementAndGet() > maxQueued) {
            queued.decrementAndGet();
            throw errors.overloaded("has " + maxQueued + " commands queued for " + node
                    + " and none written yet (ratelimiter.redis.maxQueuedCommands)");
        }
        queue.add(command);
        wakeWriter();
    }

    /** Queues a command again, ahead of new ones; it was counted when first queued. */
    void resubmit(PipelinedCommand command) {
        if (closed) {
            command.complete(new IllegalStateException("RedisStore " + errors.store()
                    + " is closed"));
            return;
        }
        retries.add(command);
        wakeWriter();
    }

    private void wakeWriter() {
        Thread w = writer;
        if (w == null) {
            w = startWriter();
        }
        if (writerParked) {
            LockSupport.unpark(w);
        }
    }

    private synchronized Thread startWriter() {
        if (writer == null) {
            Thread t = new Thread(this::writeLoop, threadName + "-writer");
            t.setDaemon(true);
            writer = t;
            t.start();
        }
        return writer;
    }

    // ---------------------------------------------------------------- the writer thread

    private void writeLoop() {
        List<PipelinedCommand> batch = new ArrayList<>(64);
        while (!closed) {
            drain(batch);
            if (batch.isEmpty()) {
                writerParked = true;
                if (queue.isEmpty() && retries.isEmpty() && !closed) {
                    LockSupport.park(this);
                }
                writerParked = false;
                continue;
            }
            Link l = link;
            if (l == null || !l.alive) {
                try {
                    l = new Link(new PipeConnection(node, config));
                    link = l;
                    l.start();
                } catch (RuntimeException e) {
                    failAll(batch, errors.unavailable(e));
                    redirects.connectionFailed(node);
                    batch.clear();
                    continue;
                }
            }
            write(l, batch);
            batch.clear();
        }
        Link l = link;
        if (l != null) {
            l.fail(new IllegalStateException("closed"));
        }
        RuntimeException closedError = new IllegalStateException("RedisStore " + errors.store()
                + " is closed");
        for (PipelinedCommand c; (c = retries.poll()) != null; ) {
            c.complete(closedError);
        }
        for (PipelinedCommand c; (c = queue.poll()) != null; ) {
            c.complete(closedError);
        }
    }

    /** Takes retries first, then queued commands, skipping any whose time is up unsent. */
    private void drain(List<PipelinedCommand> batch) {
        for (PipelinedCommand c; batch.size() < MAX_BATCH && (c = retries.poll()) != null; ) {
            batch.add(c);
        }
        long now = System.nanoTime();
        for (PipelinedCommand c; batch.size() < MAX_BATCH && (c = queue.poll()) != null; ) {
            queued.decrementAndGet();
            if (now - c.deadline >= 0 && c.abandonIfQueued()) {
                c.complete(errors.overloaded("could not send a command within its timeout"
                        + " (ratelimiter.redis.timeoutMs): it waited in this JVM's queue"));
                continue;
            }
            if (c.markSent()) {
                batch.add(c);
            }
        }
    }

    private void write(Link l, List<PipelinedCommand> batch) {
        int added = 0;
        try {
            byte[] source = scriptToLoad.getAndSet(null);
            if (source != null) {
                PipelinedCommand load = internal(new CommandArguments(Protocol.Command.SCRIPT)
                        .add(Protocol.Keyword.LOAD).add(source));
                l.inflight.add(load);
                l.conn.sendCommand(load.args);
            }
            for (PipelinedCommand c : batch) {
                if (c.askingNode != null) {
                    PipelinedCommand asking = internal(
                            new CommandArguments(Protocol.Command.ASKING));
                    l.inflight.add(asking);
                    l.conn.sendCommand(asking.args);
                }
                l.inflight.add(c);
                added++;
                l.conn.sendCommand(c.args);
            }
            l.conn.flushOut();
        } catch (RuntimeException e) {
            StoreUnavailableException failure = errors.unavailable(e);
            l.fail(failure);
            failAll(batch.subList(added, batch.size()), failure);
            redirects.connectionFailed(node);
        }
        l.wakeReader();
        if (!l.alive) {
            l.failInflight();
        }
    }

    private static PipelinedCommand internal(CommandArguments args) {
        return new PipelinedCommand(args, null, null, Long.MAX_VALUE, true);
    }

    private static void failAll(List<PipelinedCommand> commands, RuntimeException failure) {
        for (PipelinedCommand c : commands) {
            c.complete(failure);
        }
    }

    // ---------------------------------------------------------------- replies

    /** Runs on a reader thread for each reply, in order. */
    private void onReply(PipelinedCommand c, Object reply) {
        if (c.internal) {
            return;
        }
        if (reply instanceof JedisMovedDataException m) {
            redirects.redirect(c, m.getTargetNode(), m.getSlot(), false);
        } else if (reply instanceof JedisAskDataException a) {
            redirects.redirect(c, a.getTargetNode(), a.getSlot(), true);
        } else if (reply instanceof JedisNoScriptException e && c.scriptSource != null) {
            // The script did not run: load it, then send this command again, behind the load.
            if (++c.retries > MAX_RETRIES) {
                c.complete(errors.unavailable(e));
                return;
            }
            scriptToLoad.set(c.scriptSource);
            resubmit(c);
        } else if (reply instanceof JedisDataException e) {
            c.complete(errors.unavailable(e));
        } else {
            c.complete(reply);
        }
    }

    @Override
    public void close() {
        closed = true;
        Thread w = writer;
        if (w != null) {
            LockSupport.unpark(w);
        } else {
            Link l = link;
            if (l != null) {
                l.fail(new IllegalStateException("closed"));
            }
        }
    }

    /** Jedis' connection, with its buffered write and single-reply read opened to this class. */
    private static final class PipeConnection extends Connection {
        PipeConnection(HostAndPort node, JedisClientConfig config) {
            super(node, config);
        }

        void flushOut() {
            flush();
        }

        Object readReply() {
            return readProtocolWithCheckingBroken();
        }
    }

    /** One open connection, its commands in flight (in write order) and its reader thread. */
    private final class Link {
        final PipeConnection conn;
        final ConcurrentLinkedQueue<PipelinedCommand> inflight = new ConcurrentLinkedQueue<>();
        volatile boolean alive = true;
        volatile boolean readerParked;
        private volatile RuntimeException failure;
        private Thread reader;

        Link(PipeConnection conn) {
            this.conn = conn;
        }

        void start() {
            reader = new Thread(this::readLoop, threadName + "-reader");
            reader.setDaemon(true);
            reader.start();
        }

        void wakeReader() {
            if (readerParked) {
                LockSupport.unpark(reader);
            }
        }

        private void readLoop() {
            while (alive) {
                PipelinedCommand c = inflight.peek();
                if (c == null) {
                    readerParked = true;
                    if (inflight.isEmpty() && alive) {
                        LockSupport.park(this);
                    }
                    readerParked = false;
                    continue;
                }
                Object reply;
                try {
                    reply = conn.readReply();
                } catch (JedisDataException e) {
                    reply = e; // an error reply: read whole, the stream is still in step
                } catch (RuntimeException e) {
                    fail(errors.unavailable(e));
                    redirects.connectionFailed(node);
                    break;
                }
                inflight.poll();
                try {
                    onReply(c, reply);
                } catch (RuntimeException e) {
                    c.complete(e);
                }
            }
            failInflight();
        }

        /** Closes the connection; every command in flight fails with {@code cause}. */
        void fail(RuntimeException cause) {
            if (failure == null) {
                failure = cause;
            }
            alive = false;
            try {
                conn.close();
            } catch (RuntimeException ignored) {
                // already broken
            }
            if (reader != null) {
                LockSupport.unpark(reader);
            }
            failInflight();
        }

        void failInflight() {
            RuntimeException cause = failure != null ? failure
                    : new IllegalStateException("connection closed");
            for (PipelinedCommand c; (c = inflight.poll()) != null; ) {
                c.complete(cause);
            }
        }
    }
}
