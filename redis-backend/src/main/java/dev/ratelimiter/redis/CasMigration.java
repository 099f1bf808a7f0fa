package dev.ratelimiter.redis;

import dev.ratelimiter.spi.BucketSpec;
import dev.ratelimiter.spi.LocalTokenBucket;
import io.github.bucket4j.BucketState;
import io.github.bucket4j.distributed.remote.RemoteBucketState;
import io.github.bucket4j.distributed.serialization.InternalSerializationHelper;
import io.github.bucket4j.distributed.versioning.Versions;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;

/**
 * Moves a key's Bucket4j state in Redis to a new policy under {@link RedisStrategy#CAS}, by the
 * rule every store follows ({@link LocalTokenBucket#moveState}): {@code GET} the stored state,
 * compute the moved one in this JVM, write it back only if the value is still the one read
 * (compare-and-swap, as Bucket4j's own updates), with the TTL Bucket4j would set (time until
 * full plus the keep-alive). Retried a few times on a lost race; a state already under the new
 * configuration (another thread or JVM moved it) or absent (it will be created full) is left
 * alone.
 *
 * <p>Why not Bucket4j's {@code withImplicitConfigurationReplacement(version, ADDITIVE)}: its
 * {@code ADDITIVE} keeps {@code min(newCapacity, available)} for a capacity that shrinks (see
 * {@link LocalTokenBucket}), and its version numbers would have to be agreed on by every JVM.
 *
 * <p>Under CAS a check runs under the configuration stored with the state, not the one its JVM
 * resolved: once one JVM has moved a key, JVMs still on the old rules decide it by the new
 * limits too, until a policy change of their own moves it again (keeping the tokens used, so
 * that cannot create tokens either). Stateless; thread-safe.
 */
final class CasMigration {

    /** Write the new value only if the key still holds the one read. */
    private static final byte[] CAS = ("if redis.call('GET', KEYS[1]) == ARGV[1] then"
            + " redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 end return 0")
            .getBytes(StandardCharsets.UTF_8);
    private static final int ATTEMPTS = 5;

    /** The two commands a move needs, on the node that owns the key. */
    interface Commands {
        byte[] get(byte[] key);

        Object eval(byte[] script, List<byte[]> keys, List<byte[]> args);
    }

    private CasMigration() {
    }

    /**
     * Moves the state of {@code redisKey} to {@code next}.
     *
     * @param commands how to reach Redis
     * @param redisKey the key
     * @param next the spec to move to
     * @param nowNanos the client clock, as Bucket4j's proxies read it
     * @param keepAliveMs the store's TTL keep-alive
     * @param errors turns Redis failures into {@code StoreUnavailableException}
     */
    static void move(Supplier<Commands> commands, String redisKey, BucketSpec next,
                     long nowNanos, long keepAliveMs, StoreErrors errors) {
        byte[] key = redisKey.getBytes(StandardCharsets.UTF_8);
        try {
            Commands redis = commands.get();
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                byte[] stored = redis.get(key);
                if (stored == null) {
                    return;
                }
                RemoteBucketState remote = InternalSerializationHelper.deserializeState(stored);
                if (remote.getConfiguration().equals(next.configuration())) {
                    return;
                }
                BucketState moved = LocalTokenBucket.moveState(remote.getState(),
                        remote.getConfiguration(), next, nowNanos);
                RemoteBucketState replaced =
                        new RemoteBucketState(moved, remote.getRemoteStat(), null);
                byte[] value = InternalSerializationHelper.serializeState(replaced,
                        Versions.v_7_0_0);
                long ttl = Math.max(1, moved.calculateFullRefillingTime(nowNanos) / 1_000_000
                        + keepAliveMs);
                Object won = redis.eval(CAS, List.of(key), List.of(stored, value,
                        Long.toString(ttl).getBytes(StandardCharsets.US_ASCII)));
                if (won instanceof Long l && l == 1) {
                    return;
                }
            }
        } catch (RuntimeException e) {
            throw errors.translate(e);
        }
        // Lost every race: other writers keep changing the key. Its next move (on a later
        // policy change) or the proxies' own updates decide it; under the old configuration
        // until then, which is never more than that policy allows.
    }
}
