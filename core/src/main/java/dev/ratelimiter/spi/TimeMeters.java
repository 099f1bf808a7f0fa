package dev.ratelimiter.spi;

import dev.ratelimiter.Ticker;
import io.github.bucket4j.TimeMeter;
import java.util.Objects;

/**
 * Bucket4j's clock over a {@link Ticker}, so that every store's buckets read the limiter's
 * injectable time (a {@code ManualClock} in tests). Stateless and thread-safe.
 */
public final class TimeMeters {

    private TimeMeters() {
    }

    /**
     * A Bucket4j {@link TimeMeter} reading {@code ticker}.
     *
     * @param ticker the time source, in nanoseconds
     * @param wallClockBased true when the ticker's readings are comparable across JVMs (a shared
     *     store needs this; see {@link Ticker#wallClock()}), false for a monotonic in-JVM clock
     * @return the time meter
     */
    public static TimeMeter of(Ticker ticker, boolean wallClockBased) {
        Objects.requireNonNull(ticker, "ticker");
        return new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return ticker.read();
            }

            @Override
            public boolean isWallClockBased() {
                return wallClockBased;
            }

            @Override
            public String toString() {
                return "TimeMeter[" + ticker + "]";
            }
        };
    }
}
