package dev.ratelimiter.redis;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.HostAndPort;

/**
 * One command on its way through a {@link NodePipeline}: its arguments, the one deadline it has
 * (measured from when it was queued, on {@link System#nanoTime()}), its state and, once known,
 * its reply. Created by the caller's thread; written and completed by whichever caller leads its
 * pipeline's round trip (or by whoever finds its deadline passed). Thread-safe.
 *
 * <p>States: {@code QUEUED} until a writer takes it; then {@code SENT} (it may have run in
 * Redis, so it is never re-sent except after a reply saying it did not run: {@code MOVED},
 * {@code ASK}, {@code NOSCRIPT}); or {@code ABANDONED} if its deadline passed while it was still
 * queued, in which case it is never written. The caller tells the two failures apart this way:
 * abandoned unsent is local overload, sent without a reply in time is Redis not answering.
 */
final class PipelinedCommand {

    static final int QUEUED = 0;
    static final int SENT = 1;
    static final int ABANDONED = 2;

    /** What the writer sends for this command; replaced once by EVAL-free retries only. */
    final CommandArguments args;
    /** The key the command touches (slot routing), or null for a keyless command. */
    final byte[] key;
    /** The script an {@code EVALSHA} names, to load after {@code NOSCRIPT}; null otherwise. */
    final byte[] scriptSource;
    /** {@link System#nanoTime()} after which the caller stops waiting. */
    final long deadline;
    /** Internal commands ({@code ASKING}, {@code SCRIPT LOAD}) have no caller. */
    final boolean internal;
    /** For an {@code ASK} redirect: send {@code ASKING} first, to this node only. */
    volatile HostAndPort askingNode;
    /** Redirects and reloads so far: bounded, so a confused cluster cannot loop a command. */
    int retries;
    /** Set after {@code NOSCRIPT}: send {@code SCRIPT LOAD} ahead of it. */
    volatile boolean reloadScript;
    /** The pipeline the command is queued on now (a redirect moves it). */
    volatile NodePipeline pipeline;

    private final AtomicInteger state = new AtomicInteger(QUEUED);
    private final AtomicReference<Object> outcome = new AtomicReference<>();
    private final Thread waiter;

    PipelinedCommand(CommandArguments args, byte[] key, byte[] scriptSource, long deadline,
                     boolean internal) {
        this.args = args;
        this.key = key;
        this.scriptSource = scriptSource;
        this.deadline = deadline;
        this.internal = internal;
        this.waiter = internal ? null : Thread.currentThread();
    }

    /** The writer's claim: true if this command may be written now (it was not abandoned). */
    boolean markSent() {
        return state.get() == SENT || state.compareAndSet(QUEUED, SENT);
    }

    /** The caller's (or writer's) claim at the deadline: true if it was never written. */
    boolean abandonIfQueued() {
        return state.compareAndSet(QUEUED, ABANDONED);
    }

    int state() {
        return state.get();
    }

    /**
     * Sets the reply (any object, or a {@link RuntimeException} to throw) once, and wakes the
     * caller. Later completions are ignored.
     */
    void complete(Object replyOrFailure) {
        if (outcome.compareAndSet(null, replyOrFailure == null ? NULL : replyOrFailure)
                && waiter != null) {
            LockSupport.unpark(waiter);
        }
    }

    /**
     * The caller's own completion when it stops waiting: sets {@code failure} as the outcome
     * unless there is one already, without waking anyone (the caller is awake). Once done, the
     * command is not woken again ({@link #wake()}).
     */
    void giveUp(RuntimeException failure) {
        outcome.compareAndSet(null, failure);
    }

    /**
     * Wakes the caller, so that it leads its pipeline or, past its deadline, gives up.
     *
     * @return false if there is no caller to wake (internal, done or abandoned)
     */
    boolean wake() {
        if (waiter == null || isDone() || state.get() == ABANDONED) {
            return false;
        }
        LockSupport.unpark(waiter);
        return true;
    }

    boolean isDone() {
        return outcome.get() != null;
    }

    /** The outcome, or null while there is none. */
    Object outcome() {
        Object o = outcome.get();
        return o == NULL ? null : o;
    }

    /** Stands for a null reply, so that null can mean "no outcome yet". */
    private static final Object NULL = new Object();
}
