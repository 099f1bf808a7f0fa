package dev.ratelimiter;

import java.util.Objects;

/**
 * Validates keys: not null, not blank, at most a number of UTF-8 bytes. Allocation-free.
 * Stateless and thread-safe.
 */
final class KeyCheck {

    private KeyCheck() {
    }

    /**
     * Checks a key.
     *
     * @param key the key
     * @param maxBytes the most UTF-8 bytes allowed
     * @throws NullPointerException if {@code key} is null
     * @throws IllegalArgumentException if {@code key} is blank or longer than {@code maxBytes}
     */
    static void check(String key, int maxBytes) {
        Objects.requireNonNull(key, "key");
        if (key.isBlank()) {
            throw new IllegalArgumentException("key must not be blank");
        }
        if ((long) key.length() * 3 > maxBytes) {
            long bytes = utf8Length(key, maxBytes);
            if (bytes > maxBytes) {
                throw new IllegalArgumentException(
                        "key must be at most " + maxBytes + " UTF-8 bytes, was "
                                + utf8Length(key, Integer.MAX_VALUE));
            }
        }
    }

    /** UTF-8 length of {@code s}, counting stops a little past {@code stopAfter}. */
    static long utf8Length(String s, int stopAfter) {
        long bytes = 0;
        for (int i = 0, n = s.length(); i < n && bytes <= stopAfter; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
