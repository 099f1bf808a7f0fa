package dev.ratelimiter.redis;

import java.util.UUID;

/**
 * The Redis the tests share: {@code REDIS_URL} when that variable is set, otherwise one
 * {@link RedisProcess} started on first use and killed when the test JVM exits. Tests never
 * flush it; each uses its own key prefix, so a shared server is safe.
 */
final class TestRedis {

    private static String url;

    private TestRedis() {
    }

    static synchronized String url() {
        if (url == null) {
            String fromEnv = System.getenv("REDIS_URL");
            url = fromEnv != null && !fromEnv.isBlank() ? fromEnv : RedisProcess.start().url();
        }
        return url;
    }

    /** A key prefix no other test uses. */
    static String uniquePrefix() {
        return "rltest:" + UUID.randomUUID().toString().substring(0, 8) + ":";
    }
}
