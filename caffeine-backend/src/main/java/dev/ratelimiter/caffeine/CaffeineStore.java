package dev.ratelimiter.caffeine;

import static java.util.concurrent.TimeUnit.NANOSECONDS;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.ratelimiter.ManualClock;
import dev.ratelimiter.Ticker;
import dev.ratelimiter.spi.BucketSpec;
import dev.ratelimiter.spi.BucketStore;
import dev.ratelimiter.spi.LocalTokenBucket;
import dev.ratelimiter.spi.TimeMeters;
import dev.ratelimiter.spi.TokenBucket;
import io.github.bucket4j.TimeMeter;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Bucket state in a bounded Caffeine cache in this JVM: the production in-process store.
 *
 * <p>Two bounds keep it small:
 * <ul>
 *   <li><b>Idle expiry</b>: a key unused for as long as its policy takes to refill from empty
 *       ({@link BucketSpec#nanosToFillFromEmpty()}) is dropped. Its bucket was full, and a dropped
 *       key comes back full, so this eviction never changes a decision.</li>
 *   <li><b>Size</b>: at most {@code maximumKeys} keys (default 1,000,000). This bound is a memory
 *       guard: if more keys than that are active within one refill window, Caffeine drops the
 *       ones it judges least likely to be used again, and they come back full. Size it above the
 *       number of keys active at once.</li>
 * </ul>
 *
 * <p>When the limiter's rules change, a key's bucket moves to its new policy on the key's next
 * check, keeping what it has consumed ({@link LocalTokenBucket#adopt}).
 *
 * <p>The cache and the buckets read the same {@link Ticker}, so a {@link ManualClock} drives both
 * refill and expiry in tests. Thread-safe; a hit costs one cache lookup and no allocation besides
 * Bucket4j's own.
 *
 * <p>Caffeine's maintenance (replaying recorded reads into its eviction order, dropping expired
 * and surplus keys) runs by default on the calling thread, in small amortized batches, rather than
 * on {@code ForkJoinPool.commonPool()}. On a hot key the read buffer fills every few dozen calls,
 * and handing each batch to the pool cost a thread wake-up ({@code Unsafe.unpark}, a system call)
 * on the request path and a second busy thread: measured with {@code HotKeyBenchmark}, that was
 * about half the store's time per call. The store registers no listener, so maintenance runs no
 * user code; {@link Builder#executor} moves it elsewhere if wanted.
 */
public final class CaffeineStore implements BucketStore {

    /** The default bound on the number of keys. */
    public static final long DEFAULT_MAXIMUM_KEYS = 1_000_000;

    /** Caffeine's longest expiry; longer ones are clamped to it (about 146 years). */
    private static final long MAX_EXPIRY_NANOS = Long.MAX_VALUE >> 1;

    private final Cache<String, Held> cache;
    private final TimeMeter timeMeter;

    private CaffeineStore(Builder builder) {
        Ticker ticker = builder.ticker;
        this.timeMeter = TimeMeters.of(ticker, false);
        this.cache = Caffeine.newBuilder()
                .maximumSize(builder.maximumKeys)
                .ticker(ticker::read)
                .executor(builder.executor)
                .expireAfter(new IdleUntilFull())
                .build();
    }

    /** @return a builder: system ticker, at most 1,000,000 keys */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public TokenBucket bucket(String key, BucketSpec spec) {
        Held held = cache.getIfPresent(key);
        if (held == null) {
            held = cache.get(key, k -> new Held(LocalTokenBucket.create(spec, timeMeter),
                    idleNanos(spec)));
        }
        LocalTokenBucket bucket = held.bucket;
        if (bucket.spec() != spec) {
            moved(key, held, spec);
        }
        return bucket;
    }

    private static long idleNanos(BucketSpec spec) {
        return Math.min(spec.nanosToFillFromEmpty(), MAX_EXPIRY_NANOS);
    }

    /**
     * The key's policy changed: the bucket moves (keeping its consumption), and its idle expiry
     * follows the new policy. A bucket left in debt by a cut (see {@link LocalTokenBucket}) may
     * need longer than that to be full, so its expiry is pushed out to cover it.
     */
    private void moved(String key, Held held, BucketSpec spec) {
        BucketSpec before = held.bucket.spec();
        held.bucket.adopt(spec);
        if (held.bucket.spec() == before) {
            return; // an older spec: the bucket stays on its newer policy
        }
        held.idleNanos = idleNanos(spec);
        // The read that found the key set its countdown from the old policy's idle time: push it
        // out to the new one's, and past a debt's time to full.
        long toFull = held.bucket.estimate(1).nanosToFull();
        retain(key, Math.max(0, toFull - held.idleNanos));
    }

    /** Pushes the key's expiry out past the reservation; reads never bring it back in. */
    @Override
    public void retain(String key, long nanos) {
        Held held = cache.getIfPresent(key);
        if (held == null) {
            return;
        }
        long keep = Math.min(MAX_EXPIRY_NANOS, saturatedAdd(nanos, held.idleNanos));
        cache.policy().expireVariably().ifPresent(expiry -> expiry.setExpiresAfter(
                key, Math.max(keep, expiry.getExpiresAfter(key, NANOSECONDS).orElse(0L)),
                NANOSECONDS));
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    @Override
    public void remove(String key) {
        cache.invalidate(key);
    }

    @Override
    public boolean isLocal() {
        return true;
    }

    @Override
    public String name() {
        return "caffeine";
    }

    /**
     * The number of keys held, approximately (Caffeine applies evictions in batches).
     *
     * @return the estimated key count
     */
    public long estimatedSize() {
        return cache.estimatedSize();
    }

    /** Applies pending evictions now; for tests and diagnostics. */
    public void cleanUp() {
        cache.cleanUp();
    }

    @Override
    public void close() {
        cache.invalidateAll();
        cache.cleanUp();
    }

    /** A bucket and how long it may stay idle before it is certainly full. */
    private static final class Held {
        final LocalTokenBucket bucket;
        /** The current policy's idle time; changes when the key's policy does. */
        volatile long idleNanos;

        Held(LocalTokenBucket bucket, long idleNanos) {
            this.bucket = bucket;
            this.idleNanos = idleNanos;
        }
    }

    /**
     * After every access the key's countdown covers at least its policy's time to refill
     * ({@code idleNanos}) from now, so a key is never dropped before it has been idle that long,
     * and so never before its bucket is full. Expiry is only ever pushed out, never brought in, so
     * a longer countdown set by {@link #retain} (a waiting reservation) is kept.
     *
     * <p>A read leaves the countdown alone while it still covers {@code idleNanos}, and when it
     * no longer does, restarts it at {@code idleNanos} plus 1/64 of it. Each restart is a
     * compare-and-swap on the cache entry, which every thread reading the key then has to fetch
     * again; restarting on every read made a hot key pay that on every call. With the slack, a
     * hot key restarts its countdown about once per {@code idleNanos / 64} (56 s for a one-hour
     * refill, 78 ms for five seconds), and an idle key is dropped between {@code idleNanos} and
     * {@code idleNanos * 65 / 64} after its last use: later by at most about what Caffeine's timer
     * wheel already adds, never earlier, so no decision changes.
     */
    private static final class IdleUntilFull implements Expiry<String, Held> {
        @Override
        public long expireAfterCreate(String key, Held held, long currentTime) {
            return held.idleNanos;
        }

        @Override
        public long expireAfterUpdate(String key, Held held, long currentTime,
                                      long currentDuration) {
            return Math.max(currentDuration, held.idleNanos);
        }

        @Override
        public long expireAfterRead(String key, Held held, long currentTime,
                                    long currentDuration) {
            long idle = held.idleNanos;
            if (currentDuration >= idle) {
                return currentDuration; // unchanged: Caffeine skips the write
            }
            return Math.min(MAX_EXPIRY_NANOS, idle + (idle >>> 6));
        }
    }

    /** Configures a {@link CaffeineStore}. Each option is checked as it is set. Not thread-safe. */
    public static final class Builder {
        private Ticker ticker = Ticker.system();
        private long maximumKeys = DEFAULT_MAXIMUM_KEYS;
        private Executor executor = Runnable::run;

        private Builder() {
        }

        /**
         * The clock buckets and expiry read; a {@link ManualClock} in tests.
         *
         * @param ticker the ticker
         * @return this builder
         */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * The most keys held at once.
         *
         * @param maximumKeys at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code maximumKeys < 1}
         */
        public Builder maximumKeys(long maximumKeys) {
            if (maximumKeys < 1) {
                throw new IllegalArgumentException(
                        "maximumKeys must be >= 1, was " + maximumKeys);
            }
            this.maximumKeys = maximumKeys;
            return this;
        }

        /** @return the bound set so far, default {@link CaffeineStore#DEFAULT_MAXIMUM_KEYS} */
        public long maximumKeys() {
            return maximumKeys;
        }

        /**
         * Where Caffeine runs its maintenance (eviction order, expiry, size bound). By default
         * {@code Runnable::run}: on the calling thread, in small batches, which on a hot key is
         * cheaper than waking a pool thread for every batch (see the class javadoc). Pass
         * {@code ForkJoinPool.commonPool()} to keep it off request threads.
         *
         * @param executor the executor
         * @return this builder
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** @return the store */
        public CaffeineStore build() {
            return new CaffeineStore(this);
        }
    }
}
