package dev.ratelimiter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class GlobPatternTest {

    private static boolean matches(String glob, String key) {
        return new GlobPattern(glob).matches(key);
    }

    @Test
    void starMatchesAnyRunIncludingNone() {
        assertTrue(matches("user:*", "user:"));
        assertTrue(matches("user:*", "user:42"));
        assertTrue(matches("*:search", ":search"));
        assertTrue(matches("a*b*c", "abc"));
        assertTrue(matches("a*b*c", "axbybc"));
        assertTrue(matches("*", "anything"));
        assertTrue(matches("**", "x"));
        assertTrue(matches("a**b", "ab"));
        assertFalse(matches("user:*", "users:42"));
        assertFalse(matches("a*b*c", "acb"));
        assertFalse(matches("ab*ba", "aba"), "prefix and suffix must not overlap");
        assertFalse(matches("exact", "exact2"));
        assertTrue(matches("exact", "exact"));
    }

    @Test
    void otherRegexCharactersAreLiterals() {
        assertTrue(matches("a.b*", "a.bc"));
        assertFalse(matches("a.b*", "axbc"));
        assertTrue(matches("(x)+?*", "(x)+?yz"));
        assertTrue(matches("[a]*", "[a]"));
    }

    @Test
    void agreesWithAReferenceMatcherOnRandomInput() {
        Random random = new Random(7);
        String alphabet = "ab*";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder glob = new StringBuilder();
            for (int j = random.nextInt(7); j >= 0; j--) {
                glob.append(alphabet.charAt(random.nextInt(3)));
            }
            StringBuilder key = new StringBuilder();
            for (int j = random.nextInt(10); j >= 0; j--) {
                key.append(alphabet.charAt(random.nextInt(2)));
            }
            // Reference only: built here from test-generated text of a, b and *.
            Pattern reference = Pattern.compile(glob.toString().replace("*", ".*"));
            assertEquals(reference.matcher(key).matches(), matches(glob.toString(), key.toString()),
                    glob + " vs " + key);
        }
    }

    /**
     * A backtracking matcher takes quadratic (or worse) time on {@code *a*a*a...b} against a long
     * run of {@code a}s; this one examines each key character a bounded number of times.
     */
    @Test
    void adversarialInputIsLinear() {
        String glob = "*" + "a*".repeat(50) + "b";
        String key = "a".repeat(100_000);
        GlobPattern pattern = new GlobPattern(glob);
        assertFalse(pattern.matches(key));
        String kmpWorstCase = "*" + "a".repeat(500) + "b*";
        assertFalse(new GlobPattern(kmpWorstCase).matches("a".repeat(200_000)));
    }

    @Test
    void specificityCountsLiteralCharactersAndPrefix() {
        GlobPattern p = new GlobPattern("user:*:search");
        assertEquals(12, p.literalChars());
        assertEquals(5, p.prefixLength());
    }
}
