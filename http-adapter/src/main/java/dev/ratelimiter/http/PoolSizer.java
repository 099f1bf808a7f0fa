package dev.ratelimiter.http;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * Sizes the platform pool of {@link ExchangeExecutor}: {@code base} threads, plus one for each
 * thread that has been reading its request line and headers for longer than
 * {@link #HELD_NANOS} (a client that sends slowly holds it), plus, while tasks are queued, up
 * to as many again (the queued may be slow senders too: measured on Java 17, 500 slow clients
 * arriving at once held 2 threads for 3.5 s when the pool grew only by the held), up to
 * {@code max}.
 *
 * <p>Why time and not a count of readers: on two busy cores a thread that is reading a request
 * already in its socket buffer is mostly waiting for a core, not for its client; counting it
 * as held grew the pool under plain overload, and more threads only made the wait for a core
 * longer (measured on Java 17 at 5,000 connections: the pool ran to its ceiling, 1024 threads,
 * and recovery took 5 s). A request whose bytes are there is read within microseconds of CPU,
 * so a read that lasts {@value #HELD_MILLIS} ms is a client that has not sent.
 *
 * <p>Each worker thread owns a slot holding when its current read began ({@link #reading} and
 * {@link #read}: one ordered write each, no lock). One daemon thread, started by the first
 * submission, looks every {@value #TICK_MILLIS} ms while exchanges are pending and parks with no
 * timer when none are;
 * it grows the pool at once (threads start for queued tasks) and shrinks it when the held
 * threads are gone (the extra threads exit as they finish their task). Thread-safe.
 */
final class PoolSizer {

    static final long HELD_MILLIS = 20;
    static final long HELD_NANOS = TimeUnit.MILLISECONDS.toNanos(HELD_MILLIS);
    static final long TICK_MILLIS = 5;
    private static final long NOT_READING = Long.MIN_VALUE;

    private final ThreadPoolExecutor pool;
    private final int base;
    private final int max;
    private final AtomicInteger pending;
    private final AtomicLongArray readingSince;
    private final ConcurrentLinkedQueue<Integer> freeSlots = new ConcurrentLinkedQueue<>();
    private final AtomicInteger slotsUsed = new AtomicInteger();
    private final Thread monitor;
    private final AtomicBoolean started = new AtomicBoolean();
    /** True until the first submission (the monitor starts then) and while it sleeps. */
    private volatile boolean parked = true;
    private volatile boolean closed;
    private volatile long ticks;

    /**
     * @param pool the pool to size (its core and maximum sizes are set here from now on)
     * @param base threads kept
     * @param max the most threads
     * @param pending tasks submitted and not finished: the monitor sleeps while it is 0
     */
    PoolSizer(ThreadPoolExecutor pool, int base, int max, AtomicInteger pending) {
        this.pool = pool;
        this.base = base;
        this.max = max;
        this.pending = pending;
        this.readingSince = new AtomicLongArray(max);
        for (int i = 0; i < max; i++) {
            readingSince.set(i, NOT_READING);
        }
        monitor = new Thread(this::watch, "ratelimiter-http-pool-sizer");
        monitor.setDaemon(true);
    }

    /**
     * Runs a worker thread's loop with a slot of its own.
     *
     * @param worker the pool's runnable for this thread
     * @param slotOut told the thread's slot, for {@link #reading} (-1: none)
     */
    void runWorker(Runnable worker, IntConsumer slotOut) {
        Integer free = freeSlots.poll();
        int slot = free != null ? free : slotsUsed.getAndIncrement();
        if (slot >= max) {
            // More threads than slots cannot happen (the pool's maximum is max); run unwatched.
            slotOut.accept(-1);
            worker.run();
            return;
        }
        slotOut.accept(slot);
        try {
            worker.run();
        } finally {
            readingSince.set(slot, NOT_READING);
            freeSlots.add(slot);
        }
    }

    /** The thread owning {@code slot} starts reading a request, at {@code now} (nanoTime). */
    void reading(int slot, long now) {
        if (slot >= 0) {
            readingSince.lazySet(slot, now);
        }
    }

    /** The thread owning {@code slot} has its request (or its task ended). */
    void read(int slot) {
        if (slot >= 0) {
            readingSince.lazySet(slot, NOT_READING);
        }
    }

    /** Called on each submission: starts the monitor, or wakes it if it sleeps. */
    void taskSubmitted() {
        if (parked) {
            parked = false;
            if (!started.get() && started.compareAndSet(false, true)) {
                monitor.start(); // not before: a server that never starts leaves no thread
            } else {
                LockSupport.unpark(monitor);
            }
        }
    }

    /** @return threads reading for longer than {@link #HELD_NANOS} at {@code now} */
    int held(long now) {
        int n = 0;
        int used = Math.min(max, slotsUsed.get());
        for (int i = 0; i < used; i++) {
            long since = readingSince.get(i);
            if (since != NOT_READING && now - since > HELD_NANOS) {
                n++;
            }
        }
        return n;
    }

    private void watch() {
        while (!closed) {
            if (pending.get() == 0) {
                parked = true;
                if (pending.get() == 0 && !closed) {
                    LockSupport.park(this);
                }
                parked = false;
                continue;
            }
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS));
            int held = held(System.nanoTime());
            // While requests queue behind held threads, they may be slow senders too: grow by
            // up to as many again, so a burst of them is absorbed in a few ticks (doubling),
            // not one hold time per thread.
            int extra = held == 0 ? 0 : Math.min(held, pool.getQueue().size());
            resize((int) Math.min(max, (long) base + held + extra));
            ticks++; // only this thread writes it
        }
    }

    private void resize(int want) {
        int now = pool.getCorePoolSize();
        if (want > now) {
            pool.setMaximumPoolSize(want);
            pool.setCorePoolSize(want); // starts threads for queued tasks at once
        } else if (want < now) {
            pool.setCorePoolSize(want);
            pool.setMaximumPoolSize(want); // extra threads exit when they next look for a task
        }
    }

    /** @return the pool's size now */
    int threadsAllowed() {
        return pool.getCorePoolSize();
    }

    /** @return how many times the monitor has looked (for tests) */
    long ticks() {
        return ticks;
    }

    /** @return the monitor thread (for tests) */
    Thread monitor() {
        return monitor;
    }

    /** Stops the monitor thread. */
    void close() {
        closed = true;
        LockSupport.unpark(monitor);
    }
}
