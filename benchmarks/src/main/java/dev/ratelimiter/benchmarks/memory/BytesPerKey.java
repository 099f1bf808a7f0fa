package dev.ratelimiter.benchmarks.memory;

import dev.ratelimiter.Limit;
import dev.ratelimiter.Policy;
import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.Rules;
import dev.ratelimiter.caffeine.CaffeineStore;
import dev.ratelimiter.memory.InMemoryStore;
import dev.ratelimiter.spi.BucketStore;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.Locale;

/**
 * Heap bytes per live key: heap used after a full GC with {@code N} keys in the store, minus heap
 * used after a full GC with the limiter built but empty, divided by {@code N}.
 *
 * <p>Keys are {@code "user:0000000"}, {@code "user:0000001"}, ... (12 Latin-1 characters: a
 * 56-byte {@code String} with compressed oops and compact strings); each is made, passed to
 * {@code tryAcquire(key, 1)} and dropped by this class, so the only copy left is the one the
 * store holds. That copy counts towards the figure, as it would in a service; the figure without
 * it is printed too. The policy is 100 tokens per hour, so no key expires during the run, and the
 * store's bound is above {@code N}, so none is evicted: the key count is checked after the run.
 *
 * <p>Run (after {@code mvn -pl benchmarks -am package -DskipTests}); a fixed heap keeps GC
 * sizing out of the figure:
 * <pre>{@code
 * java -Xms2g -Xmx2g -XX:+UseG1GC -cp benchmarks/target/benchmarks.jar \
 *     dev.ratelimiter.benchmarks.memory.BytesPerKey caffeine 1000000
 * java -Xms2g -Xmx2g -XX:+UseG1GC -cp benchmarks/target/benchmarks.jar \
 *     dev.ratelimiter.benchmarks.memory.BytesPerKey memory 100000
 * }</pre>
 * Prints one line: store, keys, bytes per key with and without the key string.
 */
public final class BytesPerKey {

    /** Heap taken by one key string here: 24-byte String + 16-byte array header + 12 bytes, padded. */
    static final int KEY_STRING_BYTES = 56;

    private BytesPerKey() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: BytesPerKey caffeine|memory KEYS");
        }
        String storeName = args[0];
        int keys = Integer.parseInt(args[1]);
        if (keys < 1) {
            throw new IllegalArgumentException("KEYS must be >= 1, was " + keys);
        }

        Policy policy = Policy.of("mem", Limit.of(100, Duration.ofHours(1)));
        BucketStore store = switch (storeName) {
            case "caffeine" -> CaffeineStore.builder().maximumKeys(Math.max(keys, 1_000_000L))
                    .build();
            case "memory" -> InMemoryStore.builder().maximumKeys(keys).build();
            default -> throw new IllegalArgumentException(
                    "store must be caffeine or memory, was " + storeName);
        };
        RateLimiter limiter = RateLimiter.builder().rules(Rules.of(policy)).store(store).build();

        // Load and JIT the classes on the path, then forget the warm-up key.
        for (int i = 0; i < 10_000; i++) {
            limiter.tryAcquire("warmup", 1);
        }
        limiter.reset("warmup");
        settle(store);
        long before = usedAfterGc();

        for (int i = 0; i < keys; i++) {
            if (!limiter.tryAcquire(key(i), 1).allowed()) {
                throw new IllegalStateException("key " + key(i) + " was denied its first token");
            }
        }
        settle(store);
        long after = usedAfterGc();
        long held = held(store);
        if (held != keys) {
            throw new IllegalStateException(storeName + " holds " + held + " keys, expected " + keys);
        }

        double perKey = (double) (after - before) / keys;
        System.out.printf(Locale.ROOT,
                "store=%s keys=%d heapBefore=%d heapAfter=%d bytesPerKey=%.1f"
                        + " bytesPerKeyWithoutKeyString=%.1f%n",
                storeName, keys, before, after, perKey, perKey - KEY_STRING_BYTES);
        Reference.reachabilityFence(limiter);
        limiter.close();
    }

    static String key(int i) {
        return String.format(Locale.ROOT, "user:%07d", i);
    }

    private static void settle(BucketStore store) {
        if (store instanceof CaffeineStore caffeine) {
            caffeine.cleanUp(); // apply pending writes so buffers hold no extra references
        }
    }

    private static long held(BucketStore store) {
        if (store instanceof CaffeineStore caffeine) {
            return caffeine.estimatedSize();
        }
        return ((InMemoryStore) store).size();
    }

    /** Heap used after full collections, once two in a row agree within 1%. */
    private static long usedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            long used = memory.getHeapMemoryUsage().getUsed();
            if (Math.abs(used - last) < used / 100) {
                return Math.min(used, last);
            }
            last = used;
        }
        return last;
    }
}
