package dev.ratelimiter.redis.testing;

import dev.ratelimiter.redis.RedisStore;
import dev.ratelimiter.redis.RedisStoreBuilder;
import java.time.Duration;
import java.util.UUID;

/**
 * The Redis the tests share: {@code REDIS_URL} when that variable is set, otherwise one
 * {@link RedisProcess} started on first use and killed when the test JVM exits. Tests never
 * flush it; each uses its own key prefix, so a shared server is safe. A test fixture, published
 * in the test-jar. Thread-safe.
 */
public final class TestRedis {

    private static String url;

    private TestRedis() {
    }

    /** @return the URL of the shared test Redis, starting it on first use */
    public static synchronized String url() {
        if (url == null) {
            String fromEnv = System.getenv("REDIS_URL");
            url = fromEnv != null && !fromEnv.isBlank() ? fromEnv : RedisProcess.start().url();
        }
        return url;
    }

    /**
     * A store builder with timeouts long enough for a loaded test machine (connect and read 2 s,
     * check and request 5 s), for every test that is not about timeouts or about the defaults.
     *
     * @return a builder; set the URL or client
     */
    public static RedisStoreBuilder patientStore() {
        return RedisStore.builder()
                .connectTimeout(Duration.ofSeconds(2))
                .readTimeout(Duration.ofSeconds(2))
                .requestTimeout(Duration.ofSeconds(5))
                .timeout(Duration.ofSeconds(5))
                .poolMaxWait(Duration.ofSeconds(2));
    }

    /** @return a key prefix no other test uses */
    public static String uniquePrefix() {
        return "rltest:" + UUID.randomUUID().toString().substring(0, 8) + ":";
    }
}
