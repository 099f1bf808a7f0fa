package dev.ratelimiter.http;

import dev.ratelimiter.memory.InMemoryStore;
import dev.ratelimiter.spi.BucketSpec;
import dev.ratelimiter.spi.BucketStore;
import dev.ratelimiter.spi.TokenBucket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** An in-memory store that holds calls for the key "slow" until the test lets them go. */
final class SlowKeyStore implements BucketStore {

    private final InMemoryStore delegate = InMemoryStore.builder().build();
    final Semaphore entered = new Semaphore(0);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public TokenBucket bucket(String key, BucketSpec spec) {
        calls.incrementAndGet();
        if (key.equals("slow")) {
            entered.release();
            try {
                if (!release.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("test never released the store");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
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
        return "slow-key";
    }

    @Override
    public void close() {
        release.countDown();
        delegate.close();
    }
}
