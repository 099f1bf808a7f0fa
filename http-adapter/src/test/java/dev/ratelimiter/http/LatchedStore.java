package dev.ratelimiter.http;

import dev.ratelimiter.memory.InMemoryStore;
import dev.ratelimiter.spi.BucketSpec;
import dev.ratelimiter.spi.BucketStore;
import dev.ratelimiter.spi.TokenBucket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** A store that holds every call until the test lets it go: a slow store without sleeping. */
final class LatchedStore implements BucketStore {

    private final InMemoryStore delegate = InMemoryStore.builder().build();
    /** Released once per call that has entered {@link #bucket}. */
    final Semaphore entered = new Semaphore(0);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public TokenBucket bucket(String key, BucketSpec spec) {
        entered.release();
        try {
            if (!release.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test never released the store");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return delegate.bucket(key, spec);
    }

    @Override
    public void remove(String key) {
        delegate.remove(key);
    }

    @Override
    public boolean isLocal() {
        return true;
    }

    @Override
    public String name() {
        return "latched";
    }

    @Override
    public void close() {
        release.countDown();
        delegate.close();
    }
}
