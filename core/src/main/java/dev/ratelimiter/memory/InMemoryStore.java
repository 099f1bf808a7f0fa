package dev.ratelimiter.memory;

import dev.ratelimiter.ManualClock;
import dev.ratelimiter.Ticker;
import dev.ratelimiter.spi.BucketSpec;
import dev.ratelimiter.spi.BucketStore;
import dev.ratelimiter.spi.LocalTokenBucket;
import dev.ratelimiter.spi.StoreFullException;
import dev.ratelimiter.spi.TimeMeters;
import dev.ratelimiter.spi.TokenBucket;
import io.github.bucket4j.TimeMeter;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bucket state in a map in this JVM, with no dependency beyond core: the unit-test stub (with a
 * {@link ManualClock}) and the store for small single-process uses. For large key counts in
 * production use the Caffeine backend, which evicts idle keys as it goes.
 *
 * <p>Bounded: it holds at most {@code maximumKeys} keys (default 100,000). When a new key arrives
 * at the bound, buckets that are full again are dropped first (dropping a full bucket changes no
 * decision: the key would come back full); if none is, the new key is refused with
 * {@link StoreFullException}, which the limiter answers as {@code Outcome.STORE_FULL}.
 *
 * <p>When the limiter's rules change, a key's bucket moves to its new policy on the key's next
 * check, keeping what it has consumed ({@link LocalTokenBucket#adopt}).
 *
 * <p>Thread-safe. Lookups of existing keys take no lock; creating a key takes the store's lock.
 */
public final class InMemoryStore implements BucketStore {

    /** The default bound on the number of keys. */
    public static final int DEFAULT_MAXIMUM_KEYS = 100_000;

    private final ConcurrentHashMap<String, LocalTokenBucket> buckets = new ConcurrentHashMap<>();
    private final TimeMeter timeMeter;
    private final int maximumKeys;

    private InMemoryStore(Builder builder) {
        Ticker ticker = builder.ticker;
        this.timeMeter = TimeMeters.of(ticker, false);
        this.maximumKeys = builder.maximumKeys;
    }

    /** @return a builder: system ticker, 100,000 keys at most */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public TokenBucket bucket(String key, BucketSpec spec) {
        LocalTokenBucket bucket = buckets.get(key);
        return bucket != null ? bucket.adopt(spec) : create(key, spec);
    }

    private synchronized TokenBucket create(String key, BucketSpec spec) {
        LocalTokenBucket existing = buckets.get(key);
        if (existing != null) {
            return existing.adopt(spec);
        }
        if (buckets.size() >= maximumKeys) {
            dropFullBuckets();
            if (buckets.size() >= maximumKeys) {
                throw new StoreFullException("InMemoryStore holds its maximum of " + maximumKeys
                        + " keys and none is idle; raise maximumKeys or use the Caffeine store");
            }
        }
        LocalTokenBucket bucket = LocalTokenBucket.create(spec, timeMeter);
        buckets.put(key, bucket);
        return bucket;
    }

    private void dropFullBuckets() {
        for (Iterator<Map.Entry<String, LocalTokenBucket>> it = buckets.entrySet().iterator();
                it.hasNext(); ) {
            if (it.next().getValue().estimate(1).nanosToFull() == 0) {
                it.remove();
            }
        }
    }

    @Override
    public void remove(String key) {
        buckets.remove(key);
    }

    @Override
    public boolean isLocal() {
        return true;
    }

    @Override
    public String name() {
        return "memory";
    }

    /** @return the number of keys held now */
    public int size() {
        return buckets.size();
    }

    @Override
    public void close() {
        buckets.clear();
    }

    /** Configures an {@link InMemoryStore}. Not thread-safe. */
    public static final class Builder {
        private Ticker ticker = Ticker.system();
        private int maximumKeys = DEFAULT_MAXIMUM_KEYS;

        private Builder() {
        }

        /**
         * The clock buckets read; a {@link ManualClock} for tests.
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
        public Builder maximumKeys(int maximumKeys) {
            if (maximumKeys < 1) {
                throw new IllegalArgumentException(
                        "maximumKeys must be >= 1, was " + maximumKeys);
            }
            this.maximumKeys = maximumKeys;
            return this;
        }

        /** @return the store */
        public InMemoryStore build() {
            return new InMemoryStore(this);
        }
    }
}
