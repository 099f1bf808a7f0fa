package dev.ratelimiter.redis;

import dev.ratelimiter.spi.StoreUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
 * One connection to one Redis node, shared by every thread of the store: automatic pipelining
 * by "the leader sends what is queued".
 *
 * <p>The node has {@code connections} connections ("lanes", 2 by default) and one bounded queue.
 * A caller puts its command on the queue and then tries to become the leader of an idle lane
 * (one compare-and-set per lane; no lock). The leader takes everything queued (up to
 * {@link #MAX_BATCH} commands), writes it in one flush, reads the replies in order (Redis answers
 * a connection's commands in the order they arrived) and completes each command, waking its
 * caller; then it gives up the lead and, if more commands queued meanwhile, wakes one of their
 * callers to lead the next round trip. So at most one round trip per lane is in flight, and every
 * command that queues during one goes out together in the next write (on the other lane while
 * this one waits: Redis and the JVM work at the same time); a lone caller writes and reads its
 * own command with no thread hand-off at all. While commands keep queueing, a leader serves up
 * to {@link #MAX_ROUNDS} round trips before handing over, so that the connection does not sit
 * idle while a woken thread waits to be scheduled. Callers that are not leading park, with no
 * timer, until their command completes or the store's {@link DeadlineSweeper} wakes them at its
 * deadline ({@link #wakeOverdue}); nothing spins, and the only thing held across I/O
 * is the lead itself, which no one waits for (a caller that cannot lead parks on its own
 * command).
 *
 * <p>Replies that say a command did not run are handled here, and the command is sent again:
 * {@code NOSCRIPT} (the node lost its script cache: restart, failover, {@code SCRIPT FLUSH}) puts
 * the command back, and the round trip that re-sends it starts with {@code SCRIPT LOAD} on the
 * same connection (the script did not run, so sending it again cannot count it twice);
 * {@code MOVED} and {@code ASK} go to the cluster router ({@link Redirects}). A command that was
 * written and then lost its connection is never re-sent: it may have run.
 *
 * <p>Deadlines: a command not yet written when its deadline passes is never written (local
 * overload). The leader reads each reply for at most the read timeout, and never past the
 * latest deadline in its batch; a read that times out or a connection that breaks fails every
 * unanswered command of the round trip with {@link StoreUnavailableException} and closes the
 * connection; the next leader opens a new one.
 *
 * <p>Thread-safe.
 */
final class NodePipeline implements AutoCloseable {

    /** The most commands one write carries. */
    static final int MAX_BATCH = 512;
    /**
     * The most round trips one leader makes in a row while commands keep queueing: handing the
     * lead to a parked thread costs a wake-up and leaves the connection idle until that thread
     * runs (on a busy machine, a scheduling delay), so a leader serves a few rounds first. It
     * bounds how long the leading caller waits beyond its own reply.
     */
    static final int MAX_ROUNDS = 4;
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
    private final int readTimeoutMs;
    private final StoreErrors errors;
    private final Redirects redirects;

    private final ConcurrentLinkedQueue<PipelinedCommand> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    /** Commands to send again (after NOSCRIPT or a redirect): not counted against the bound. */
    private final ConcurrentLinkedQueue<PipelinedCommand> retries = new ConcurrentLinkedQueue<>();
    private final Lane[] lanes;
    private volatile boolean closed;

    /** One connection and the right to lead round trips on it. */
    private static final class Lane {
        final AtomicBoolean leading = new AtomicBoolean();
        /** Only the lane's leader touches it. */
        PipeConnection conn;
        /** The round trip's commands, for {@link DeadlineSweeper}; not modified once set. */
        volatile List<PipelinedCommand> inFlight;
    }

    NodePipeline(HostAndPort node, JedisClientConfig config, int connections, int maxQueued,
                 StoreErrors errors, Redirects redirects) {
        this.node = node;
        this.lanes = new Lane[connections];
        for (int i = 0; i < connections; i++) {
            lanes[i] = new Lane();
        }
        this.config = config;
        this.maxQueued = maxQueued;
        this.readTimeoutMs = config.getSocketTimeoutMillis();
        this.errors = errors;
        this.redirects = redirects;
    }

    HostAndPort node() {
        return node;
    }

    /** Commands queued and not yet written. */
    int queued() {
        return queued.get();
    }

    /**
     * Queues a command and leads a round trip if no one is.
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
        command.pipeline = this;
        queue.add(command);
        lead(command.deadline);
    }

    /**
     * Queues a command again, ahead of new ones (it was counted when first queued), and wakes
     * its caller to lead here: this runs on another round trip's leader, which must not block.
     */
    void resubmit(PipelinedCommand command) {
        command.pipeline = this;
        if (closed) {
            command.complete(closedError());
            return;
        }
        retries.add(command);
        command.wake();
    }

    /**
     * Round trips on an idle lane if there is one (returns at once if every lane has a leader):
     * one, then more while commands keep queueing, up to {@link #MAX_ROUNDS} and only while the
     * leading caller's own deadline has not passed; then, if commands are waiting, wakes one of
     * their callers to lead the next.
     *
     * @param callerDeadline the leading caller's deadline ({@link System#nanoTime()})
     */
    void lead(long callerDeadline) {
        for (Lane lane : lanes) {
            if (!lane.leading.compareAndSet(false, true)) {
                continue;
            }
            try {
                if (closed) {
                    failPending(closedError());
                    closeConnection(lane);
                    return;
                }
                for (int round = 0; round < MAX_ROUNDS; round++) {
                    roundTrip(lane);
                    if ((queue.isEmpty() && retries.isEmpty())
                            || System.nanoTime() - callerDeadline >= 0) {
                        break;
                    }
                }
                if (closed) {
                    closeConnection(lane); // the store closed during this round trip
                }
            } finally {
                lane.leading.set(false);
            }
            if (!retries.isEmpty() || !queue.isEmpty()) {
                wakeOne();
            }
            return;
        }
    }

    /** Wakes the caller of the first live waiting command, so that it leads. */
    private void wakeOne() {
        for (PipelinedCommand c : retries) {
            if (c.wake()) {
                return;
            }
        }
        for (PipelinedCommand c : queue) {
            if (c.state() == PipelinedCommand.QUEUED && c.wake()) {
                return;
            }
        }
    }

    private void roundTrip(Lane lane) {
        List<PipelinedCommand> batch = drain();
        if (batch.isEmpty()) {
            return;
        }
        lane.inFlight = batch;
        try {
            roundTrip(lane, batch);
        } finally {
            lane.inFlight = null;
        }
    }

    /**
     * Wakes the caller of every command here whose deadline has passed (queued, to be retried,
     * or in a round trip), so that it gives up: see {@link DeadlineSweeper}.
     *
     * @param now {@link System#nanoTime()}
     * @return whether any command is pending here (queued, to be retried, or a lane leading)
     */
    boolean wakeOverdue(long now) {
        boolean pending = false;
        for (PipelinedCommand c : retries) {
            pending = true;
            if (now - c.deadline >= 0) {
                c.wake();
            }
        }
        for (PipelinedCommand c : queue) {
            pending = true;
            if (now - c.deadline >= 0) {
                c.wake();
            }
        }
        for (Lane lane : lanes) {
            List<PipelinedCommand> batch = lane.inFlight;
            if (batch != null) {
                pending = true;
                for (PipelinedCommand c : batch) {
                    if (now - c.deadline >= 0) {
                        c.wake();
                    }
                }
            } else if (lane.leading.get()) {
                pending = true; // between taking its batch and publishing it
            }
        }
        return pending;
    }

    private void roundTrip(Lane lane, List<PipelinedCommand> batch) {
        long latest = Long.MIN_VALUE;
        for (PipelinedCommand c : batch) {
            latest = latest == Long.MIN_VALUE || c.deadline - latest > 0 ? c.deadline : latest;
        }
        if (lane.conn == null || lane.conn.isBroken() || !lane.conn.isConnected()) {
            closeConnection(lane);
            try {
                lane.conn = new PipeConnection(node, config);
            } catch (RuntimeException e) {
                lane.conn = null;
                fail(batch, 0, errors.unavailable(e));
                redirects.connectionFailed(node);
                return;
            }
        }
        PipeConnection conn = lane.conn;
        List<PipelinedCommand> sent = new ArrayList<>(batch.size() + 2);
        int answered = 0;
        try {
            // A command retried after NOSCRIPT goes behind a SCRIPT LOAD on its own connection.
            for (PipelinedCommand c : batch) {
                if (c.reloadScript) {
                    send(conn, sent, internal(new CommandArguments(Protocol.Command.SCRIPT)
                            .add(Protocol.Keyword.LOAD).add(c.scriptSource)));
                    break;
                }
            }
            for (PipelinedCommand c : batch) {
                if (c.askingNode != null) {
                    send(conn, sent, internal(new CommandArguments(Protocol.Command.ASKING)));
                }
                send(conn, sent, c);
            }
            conn.flushOut();
            int soTimeout = readTimeoutMs;
            for (; answered < sent.size(); answered++) {
                int left = (int) Math.max(1, Math.min(readTimeoutMs,
                        TimeUnit.NANOSECONDS.toMillis(latest - System.nanoTime())));
                if (left != soTimeout) {
                    conn.setSoTimeout(left); // never read past the batch's latest deadline
                    soTimeout = left;
                }
                Object reply;
                try {
                    reply = conn.readReply();
                } catch (JedisDataException e) {
                    reply = e; // an error reply, read whole: the stream is still in step
                }
                onReply(sent.get(answered), reply);
            }
            if (soTimeout != readTimeoutMs) {
                conn.setSoTimeout(readTimeoutMs);
            }
        } catch (RuntimeException e) {
            StoreUnavailableException failure = errors.unavailable(e);
            closeConnection(lane);
            fail(sent, answered, failure);
            for (PipelinedCommand c : batch) {
                if (!c.isDone() && !sent.contains(c)) {
                    c.complete(failure);
                }
            }
            redirects.connectionFailed(node);
        }
    }

    private static void send(PipeConnection conn, List<PipelinedCommand> sent,
                             PipelinedCommand c) {
        sent.add(c);
        conn.sendCommand(c.args);
    }

    /** Takes retries first, then queued commands, skipping any whose time is up unsent. */
    private List<PipelinedCommand> drain() {
        List<PipelinedCommand> batch = new ArrayList<>();
        long now = System.nanoTime();
        for (PipelinedCommand c; batch.size() < MAX_BATCH && (c = retries.poll()) != null; ) {
            if (c.isDone()) {
                continue;
            }
            if (now - c.deadline >= 0) {
                // Its caller has given up on it (Redis redirected or reloaded until too late):
                // sending it now would spend tokens for a check that was answered otherwise.
                c.complete(new StoreUnavailableException("Redis store " + errors.store()
                        + " did not answer a redirected or reloaded command within its timeout",
                        null));
                continue;
            }
            batch.add(c);
        }
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
        return batch;
    }

    private static PipelinedCommand internal(CommandArguments args) {
        return new PipelinedCommand(args, null, null, Long.MAX_VALUE, true);
    }

    private static void fail(List<PipelinedCommand> commands, int from, RuntimeException failure) {
        for (int i = from; i < commands.size(); i++) {
            commands.get(i).complete(failure);
        }
    }

    /** Handles one reply, in order, on the leader's thread. */
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
            c.reloadScript = true;
            resubmit(c);
        } else if (reply instanceof JedisDataException e) {
            c.complete(errors.unavailable(e));
        } else {
            c.complete(reply);
        }
    }

    private static void closeConnection(Lane lane) {
        PipeConnection c = lane.conn;
        lane.conn = null;
        if (c != null) {
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // already broken
            }
        }
    }

    private RuntimeException closedError() {
        return new IllegalStateException("RedisStore " + errors.store() + " is closed");
    }

    private void failPending(RuntimeException failure) {
        for (PipelinedCommand c; (c = retries.poll()) != null; ) {
            c.complete(failure);
        }
        for (PipelinedCommand c; (c = queue.poll()) != null; ) {
            queued.decrementAndGet();
            c.complete(failure);
        }
    }

    /** Fails what is queued and closes the connection (now, or when the leader is done). */
    @Override
    public void close() {
        closed = true;
        for (Lane lane : lanes) {
            if (lane.leading.compareAndSet(false, true)) {
                try {
                    failPending(closedError());
                    closeConnection(lane);
                } finally {
                    lane.leading.set(false);
                }
            }
        }
        // Otherwise the current leader finishes its round trip; the next lead() closes.
        wakeOne();
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
}
