package dev.ratelimiter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The platform pool grows for threads held by clients that have not sent their request, never
 * for threads busy after reading it, never past {@code maxThreads}, and shrinks back; its
 * monitor sleeps with no timer when nothing is pending. Tasks stand in for exchanges: one that
 * has not called {@link ExchangeExecutor#requestRead()} is still reading its request.
 */
class PoolSizerTest {

    private static final int BASE = 2;
    private static final int MAX = 6;

    private final ExchangeExecutor executor = ExchangeExecutor.create(ServerSettings.builder()
            .executor(ServerSettings.ExecutorKind.PLATFORM).threads(BASE).maxThreads(MAX)
            .build());
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() throws InterruptedException {
        release.countDown();
        executor.shutdown();
        executor.awaitTermination(5_000);
    }

    @Test
    void threadsHeldBySlowSendersAreReplacedAndGivenBackWhenTheyAreGone() throws Exception {
        for (int i = 0; i < BASE; i++) {
            executor.execute(this::awaitRelease); // a client that sends nothing more
        }
        CountDownLatch ran = new CountDownLatch(1);
        executor.execute(ran::countDown);
        assertTrue(ran.await(5, TimeUnit.SECONDS),
                "a request behind " + BASE + " slow senders waited for ever");
        awaitTrue(() -> executor.threadsAllowed() == BASE + BASE, "pool grown by the held");

        release.countDown();
        awaitTrue(() -> executor.pending() == 0, "tasks done");
        awaitTrue(() -> executor.threadsAllowed() == BASE, "pool back to " + BASE);
    }

    @Test
    void threadsBusyAfterReadingTheirRequestDoNotGrowThePool() throws Exception {
        int busy = MAX;
        CountDownLatch started = new CountDownLatch(BASE);
        for (int i = 0; i < busy; i++) {
            executor.execute(() -> {
                executor.requestRead(); // the request is in: what follows is the server's work
                started.countDown();
                awaitRelease();
            });
        }
        assertTrue(started.await(5, TimeUnit.SECONDS));
        // Long past the hold time, by the monitor's own clock.
        long ticks = executor.sizer().ticks();
        long heldTicks = 3 * PoolSizer.HELD_MILLIS / PoolSizer.TICK_MILLIS;
        awaitTrue(() -> executor.sizer().ticks() - ticks > heldTicks, "monitor ticking");
        assertEquals(BASE, executor.threadsAllowed());
        assertEquals(busy, executor.pending(), "the others wait in the queue");

        release.countDown();
        awaitTrue(() -> executor.pending() == 0, "queued tasks run once threads free up");
    }

    @Test
    void thePoolNeverGrowsPastMaxThreads() throws Exception {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        for (int i = 0; i < 3 * MAX; i++) {
            executor.execute(() -> {
                most.accumulateAndGet(running.incrementAndGet(), Math::max);
                awaitRelease();
                running.decrementAndGet();
            });
        }
        awaitTrue(() -> running.get() == MAX, MAX + " running");
        long ticks = executor.sizer().ticks();
        awaitTrue(() -> executor.sizer().ticks() - ticks > 10, "monitor ticking");
        assertEquals(MAX, most.get());
        assertEquals(MAX, executor.threadsAllowed());
    }

    @Test
    void theMonitorStartsWithTheFirstTaskAndSleepsWithoutATimerWhenNothingIsPending()
            throws Exception {
        assertEquals(Thread.State.NEW, executor.sizer().monitor().getState(),
                "no thread before the first exchange (a server that fails to start leaks none)");
        CountDownLatch ran = new CountDownLatch(1);
        executor.execute(ran::countDown);
        assertTrue(ran.await(5, TimeUnit.SECONDS));
        Thread monitor = executor.sizer().monitor();
        awaitTrue(() -> monitor.getState() == Thread.State.WAITING, "monitor parked untimed");
        long ticks = executor.sizer().ticks();

        executor.execute(this::awaitRelease); // wakes it
        awaitTrue(() -> executor.sizer().ticks() > ticks, "monitor woken by a submission");
    }

    private void awaitRelease() {
        try {
            release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitTrue(BooleanSupplier condition, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting: " + what);
            Thread.sleep(1);
        }
    }
}
