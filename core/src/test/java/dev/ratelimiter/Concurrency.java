package dev.ratelimiter;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The harness behind every exactness test: {@code threads} threads, released together by a
 * latch, each try {@code attemptsPerThread} single-token requests on one key, spread round-robin
 * over the given limiters (one limiter: one JVM; two with separate stores: two JVMs). Published in
 * core's test-jar for every backend's tests.
 */
public final class Concurrency {

    private Concurrency() {
    }

    /**
     * Runs the threads and counts admissions.
     *
     * @param limiters the limiters to spread the threads over, at least one
     * @param key the key all threads hit
     * @param threads how many threads
     * @param attemptsPerThread requests per thread
     * @return how many requests were allowed
     * @throws Exception the first error a thread met (none is expected), or a timeout after 60 s
     */
    public static long admitted(List<RateLimiter> limiters, String key, int threads,
                                int attemptsPerThread) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            AtomicLong admitted = new AtomicLong();
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                RateLimiter limiter = limiters.get(t % limiters.size());
                futures.add(pool.submit(() -> {
                    start.await();
                    long mine = 0;
                    for (int i = 0; i < attemptsPerThread; i++) {
                        if (limiter.tryAcquire(key).allowed()) {
                            mine++;
                        }
                    }
                    admitted.addAndGet(mine);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS); // rethrows any store error
            }
            return admitted.get();
        } finally {
            pool.shutdownNow();
        }
    }
}
