package dev.ratelimiter.testing;

import dev.ratelimiter.Ticker;
import dev.ratelimiter.memory.InMemoryStore;
import dev.ratelimiter.spi.BucketSpec;
import dev.ratelimiter.spi.BucketStore;
import dev.ratelimiter.spi.StoreFullException;
import dev.ratelimiter.spi.StoreOverloadedException;
import dev.ratelimiter.spi.StoreUnavailableException;
import dev.ratelimiter.spi.TokenBucket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one fake store every module's tests use: an {@link InMemoryStore} on a test clock that the
 * test can switch into any way a real store fails, count, or hold until released (a slow store
 * without sleeping). Thread-safe.
 *
 * <pre>{@code
 * FakeStore store = FakeStore.remote(clock);
 * store.mode(FakeStore.Mode.DOWN);          // every call throws StoreUnavailableException
 * store.latch();                            // calls wait in bucket() until release()
 * }</pre>
 */
public final class FakeStore implements BucketStore {

    /** How calls to the store behave. */
    public enum Mode {
        /** Calls reach the in-memory state. */
        UP,
        /** Calls throw {@link StoreUnavailableException}, as a dead Redis does. */
        DOWN,
        /** Calls throw {@link StoreOverloadedException}, as a full local send queue does. */
        OVERLOADED,
        /** Calls throw {@link StoreFullException}, as a bounded store at its maximum does. */
        FULL
    }

    private final InMemoryStore inner;
    private final boolean local;
    private final AtomicInteger calls = new AtomicInteger();
    private final Semaphore entered = new Semaphore(0);
    private volatile Mode mode = Mode.UP;
    private volatile CountDownLatch gate;

    private FakeStore(Ticker ticker, boolean local) {
        this.inner = InMemoryStore.builder().ticker(ticker).build();
        this.local = local;
    }

    /**
     * A store that reports itself remote ({@code isLocal() == false}), as Redis does.
     *
     * @param ticker the buckets' clock
     * @return the store, {@link Mode#UP}
     */
    public static FakeStore remote(Ticker ticker) {
        return new FakeStore(ticker, false);
    }

    /**
     * A store that reports itself local, so async calls complete on the caller's thread.
     *
     * @param ticker the buckets' clock
     * @return the store, {@link Mode#UP}
     */
    public static FakeStore local(Ticker ticker) {
        return new FakeStore(ticker, true);
    }

    /**
     * Sets how the next calls behave.
     *
     * @param mode the mode
     * @return this store
     */
    public FakeStore mode(Mode mode) {
        this.mode = mode;
        return this;
    }

    /** From now on every {@link #bucket} call waits until {@link #release()}. */
    public void latch() {
        gate = new CountDownLatch(1);
    }

    /** Lets every waiting and later call through. */
    public void release() {
        CountDownLatch g = gate;
        gate = null;
        if (g != null) {
            g.countDown();
        }
    }

    /**
     * Waits until {@code n} calls have entered {@link #bucket} since the last wait.
     *
     * @param n the number of calls
     * @throws InterruptedException if interrupted
     * @throws AssertionError if they do not arrive within 10 s
     */
    public void awaitEntered(int n) throws InterruptedException {
        if (!entered.tryAcquire(n, 10, TimeUnit.SECONDS)) {
            throw new AssertionError(n + " calls did not reach the store within 10 s");
        }
    }

    /** @return calls that reached this store ({@link #bucket} and {@link #remove}) */
    public int calls() {
        return calls.get();
    }

    @Override
    public TokenBucket bucket(String key, BucketSpec spec) {
        enter();
        return inner.bucket(key, spec);
    }

    @Override
    public void remove(String key) {
        calls.incrementAndGet();
        fail();
        inner.remove(key);
    }

    private void enter() {
        calls.incrementAndGet();
        entered.release();
        CountDownLatch g = gate;
        if (g != null) {
            try {
                if (!g.await(30, TimeUnit.SECONDS)) {
                    throw new AssertionError("the test never released the store");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while latched", e);
            }
        }
        fail();
    }

    private void fail() {
        switch (mode) {
            case DOWN:
                throw new StoreUnavailableException("fake store is down: connection refused", null);
            case OVERLOADED:
                throw new StoreOverloadedException("fake store: send queue full");
            case FULL:
                throw new StoreFullException("fake store holds its maximum of keys");
            default:
                break;
        }
    }

    @Override
    public boolean isLocal() {
        return local;
    }

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public void close() {
        release();
        inner.close();
    }
}
