package dev.ratelimiter;

import java.util.ArrayList;
import java.util.List;

/**
 * A key pattern in which {@code *} matches any run of characters (including none) and every
 * other character matches itself. There is no escaping and no other wildcard.
 *
 * <p>Matching is linear in the key's length and the pattern's: the pattern splits at each
 * {@code *} into literal segments; the first must be a prefix, the last a suffix, and the middle
 * ones are found left to right, each at its leftmost place after the previous one. Leftmost is
 * always safe for {@code *}-only globs: a later place only leaves less room for what follows. Each
 * middle segment is found with Knuth-Morris-Pratt, whose failure table is built once here, so no
 * character of the key is examined more than a constant number of times. Example: {@code "a*b*c"}
 * against {@code "axbybc"}: prefix {@code a}, suffix {@code c}, then {@code b} is found at index 2
 * within {@code "xbyb"}; matched.
 *
 * <p>Immutable and thread-safe.
 */
final class GlobPattern {

    private final String text;
    private final String prefix;
    private final String suffix;
    private final String[] middle;
    private final int[][] middleFailure;
    private final boolean hasWildcard;
    private final int literalChars;

    GlobPattern(String text) {
        this.text = text;
        int firstStar = text.indexOf('*');
        this.hasWildcard = firstStar >= 0;
        if (!hasWildcard) {
            this.prefix = text;
            this.suffix = "";
            this.middle = new String[0];
            this.middleFailure = new int[0][];
            this.literalChars = text.length();
            return;
        }
        int lastStar = text.lastIndexOf('*');
        this.prefix = text.substring(0, firstStar);
        this.suffix = text.substring(lastStar + 1);
        List<String> segments = new ArrayList<>();
        int start = firstStar + 1;
        while (start <= lastStar) {
            int star = text.indexOf('*', start);
            if (star > start) {
                segments.add(text.substring(start, star));
            }
            start = star + 1;
        }
        this.middle = segments.toArray(new String[0]);
        this.middleFailure = new int[middle.length][];
        int literal = prefix.length() + suffix.length();
        for (int i = 0; i < middle.length; i++) {
            middleFailure[i] = failureTable(middle[i]);
            literal += middle[i].length();
        }
        this.literalChars = literal;
    }

    String text() {
        return text;
    }

    /** Characters other than {@code *}: the first measure of specificity. */
    int literalChars() {
        return literalChars;
    }

    /** Characters before the first {@code *}: the second measure of specificity. */
    int prefixLength() {
        return prefix.length();
    }

    boolean matches(String key) {
        if (!hasWildcard) {
            return text.equals(key);
        }
        int keyLength = key.length();
        if (keyLength < prefix.length() + suffix.length()
                || !key.startsWith(prefix)
                || !key.endsWith(suffix)) {
            return false;
        }
        int from = prefix.length();
        int to = keyLength - suffix.length();
        for (int i = 0; i < middle.length; i++) {
            int at = indexOf(key, from, to, middle[i], middleFailure[i]);
            if (at < 0) {
                return false;
            }
            from = at + middle[i].length();
        }
        return true;
    }

    private static int indexOf(String text, int from, int to, String segment, int[] failure) {
        int matched = 0;
        int length = segment.length();
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            while (matched > 0 && segment.charAt(matched) != c) {
                matched = failure[matched - 1];
            }
            if (segment.charAt(matched) == c) {
                matched++;
                if (matched == length) {
                    return i - length + 1;
                }
            }
        }
        return -1;
    }

    /** failure[i] = length of the longest proper prefix of s[0..i] that is also its suffix. */
    private static int[] failureTable(String s) {
        int[] failure = new int[s.length()];
        int k = 0;
        for (int i = 1; i < s.length(); i++) {
            while (k > 0 && s.charAt(i) != s.charAt(k)) {
                k = failure[k - 1];
            }
            if (s.charAt(i) == s.charAt(k)) {
                k++;
            }
            failure[i] = k;
        }
        return failure;
    }

    @Override
    public String toString() {
        return text;
    }
}
