package dev.ratelimiter.http;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the JDK server's exchanges. The JDK {@code HttpServer} reads a request's line and
 * headers on the executor's thread, so a client that sends slowly holds that thread until the
 * request deadline; and it submits one task per connection at a time, so the tasks waiting at
 * once never exceed the open connections.
 *
 * <ul>
 *   <li><b>Virtual</b> (Java 21+, found at run time through {@link MethodHandles}: the code is
 *       compiled for Java 17): a virtual thread per exchange. A slow client holds a few
 *       kilobytes, not a thread; the tasks are bounded by the connections.</li>
 *   <li><b>Platform</b>: {@code threads} threads serve a FIFO queue (a small pool keeps the
 *       JDK's one dispatcher thread, which accepts and reads for every connection, from
 *       waiting for a core: see {@link ServerSettings#cpuThreads()}). A thread whose
 *       client has sent nothing for a while is held by it: {@link PoolSizer} adds one thread
 *       for each, up to {@code maxThreads}, so slow senders cannot starve the others, and
 *       takes them away when they are gone. Extra threads have 256 KiB stacks. The queue
 *       holds up to {@code maxConnections} + 64 tasks, which the JDK server cannot exceed, so
 *       no exchange is refused by the executor (a refusal would close the connection without
 *       a response).</li>
 * </ul>
 *
 * <p>Each task records when it was submitted, so the first filter can answer 503 to an exchange
 * that waited too long ({@link #queuedNanos()}). {@link #pending()} counts tasks submitted and
 * not yet finished, for shutdown. Thread-safe.
 */
final class ExchangeExecutor implements Executor {

    private static final MethodHandle NEW_VIRTUAL = findVirtual();
    /**
     * Per thread: [0] nanoseconds the current task waited, [1] 1 while it reads its request,
     * [2] the platform worker's {@link PoolSizer} slot (-1 for other threads).
     */
    private static final ThreadLocal<long[]> CURRENT =
            ThreadLocal.withInitial(() -> new long[] {0, 0, -1});

    private final ExecutorService delegate;
    private final PoolSizer sizer;
    private final AtomicInteger pending;
    private final AtomicInteger reading = new AtomicInteger();

    private ExchangeExecutor(ExecutorService delegate, PoolSizer sizer, AtomicInteger pending) {
        this.delegate = delegate;
        this.sizer = sizer;
        this.pending = pending;
    }

    /** @return whether this JVM has virtual threads (Java 21+) */
    static boolean virtualThreadsAvailable() {
        return NEW_VIRTUAL != null;
    }

    /**
     * The executor the settings ask for.
     *
     * @throws IllegalStateException if virtual threads are asked for and the JVM has none
     */
    static ExchangeExecutor create(ServerSettings s) {
        boolean virtual = usesVirtualThreads(s);
        if (virtual) {
            try {
                return new ExchangeExecutor((ExecutorService) NEW_VIRTUAL.invoke(), null,
                        new AtomicInteger());
            } catch (Throwable e) {
                throw new IllegalStateException("cannot create the virtual-thread executor", e);
            }
        }
        AtomicInteger n = new AtomicInteger();
        AtomicInteger pending = new AtomicInteger();
        PoolSizer[] sizer = new PoolSizer[1];
        ThreadPoolExecutor pool = new ThreadPoolExecutor(s.threads(), s.threads(), 30,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(s.maxConnections() + 64), r -> {
                    int i = n.incrementAndGet();
                    // The kept threads get the default stack; extra ones, mostly parked in a
                    // socket read, a small one.
                    Runnable worker = () -> sizer[0].runWorker(r, slot -> CURRENT.get()[2] = slot);
                    Thread t = new Thread(null, worker, "ratelimiter-http-" + i,
                            i <= s.threads() ? 0 : 256 * 1024);
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        pool.allowCoreThreadTimeOut(true);
        sizer[0] = new PoolSizer(pool, s.threads(), s.maxThreads(), pending);
        return new ExchangeExecutor(pool, sizer[0], pending);
    }

    /**
     * @param s the settings
     * @return whether exchanges will run on virtual threads
     * @throws IllegalStateException if virtual threads are asked for and the JVM has none
     */
    static boolean usesVirtualThreads(ServerSettings s) {
        return switch (s.executor()) {
            case VIRTUAL -> {
                if (NEW_VIRTUAL == null) {
                    throw new IllegalStateException("ratelimiter.server.executor"
                            + " (RATE_LIMITER_EXECUTOR) is virtual but this JVM (Java "
                            + Runtime.version().feature() + ") has no virtual threads; use auto"
                            + " or platform, or run on Java 21+");
                }
                yield true;
            }
            case PLATFORM -> false;
            case AUTO -> NEW_VIRTUAL != null;
        };
    }

    /** @return "virtual" or "platform" */
    String kind() {
        return sizer == null ? "virtual" : "platform";
    }

    @Override
    public void execute(Runnable task) {
        long submitted = System.nanoTime();
        pending.incrementAndGet();
        if (sizer != null) {
            sizer.taskSubmitted();
        }
        try {
            delegate.execute(() -> run(task, submitted));
        } catch (RuntimeException e) {
            pending.decrementAndGet();
            throw e;
        }
    }

    private void run(Runnable task, long submitted) {
        long[] current = CURRENT.get();
        long now = System.nanoTime();
        current[0] = now - submitted;
        current[1] = 1;
        reading.incrementAndGet();
        if (sizer != null) {
            sizer.reading((int) current[2], now); // this thread may now wait on its client
        }
        try {
            task.run();
        } finally {
            requestRead();
            pending.decrementAndGet();
        }
    }

    /**
     * Called by the first filter: the current exchange has its request line and headers, so
     * its thread no longer waits on the client. Idempotent per task.
     */
    void requestRead() {
        long[] current = CURRENT.get();
        if (current[1] != 0) {
            current[1] = 0;
            reading.decrementAndGet();
            if (sizer != null) {
                sizer.read((int) current[2]);
            }
        }
    }

    /** @return nanoseconds the current exchange waited for a thread */
    static long queuedNanos() {
        return CURRENT.get()[0];
    }

    /** @return tasks submitted and not yet finished (queued or running) */
    int pending() {
        return pending.get();
    }

    /** @return tasks still reading their request line and headers (or in a filterless context) */
    int reading() {
        return reading.get();
    }

    /** @return platform threads now allowed (0 for virtual threads) */
    int threadsAllowed() {
        return sizer == null ? 0 : sizer.threadsAllowed();
    }

    /** @return the platform pool's sizer, null for virtual threads */
    PoolSizer sizer() {
        return sizer;
    }

    /** Stops taking tasks; running ones finish. */
    void shutdown() {
        if (sizer != null) {
            sizer.close();
        }
        delegate.shutdown();
    }

    /** Waits for running tasks, then interrupts what is left. */
    void awaitTermination(long millis) throws InterruptedException {
        if (!delegate.awaitTermination(Math.max(1, millis), TimeUnit.MILLISECONDS)) {
            delegate.shutdownNow();
        }
    }

    private static MethodHandle findVirtual() {
        try {
            return MethodHandles.publicLookup().findStatic(
                    java.util.concurrent.Executors.class, "newVirtualThreadPerTaskExecutor",
                    MethodType.methodType(ExecutorService.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }
}
