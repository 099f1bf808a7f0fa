package dev.ratelimiter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RulesTest {

    private static Policy policy(String name) {
        return Policy.of(name, Limit.of(10, Duration.ofSeconds(1)));
    }

    private final Policy dflt = policy("default");

    @Test
    void exactBeatsPatternBeatsDefault() {
        Policy exact = policy("exact");
        Policy pattern = policy("pattern");
        Rules rules = Rules.builder(dflt).pattern("user:*", pattern).exact("user:1", exact).build();
        assertSame(exact, rules.resolve("user:1"));
        assertSame(pattern, rules.resolve("user:2"));
        assertSame(dflt, rules.resolve("org:1"));
    }

    @Test
    void moreLiteralCharactersWin() {
        Rules rules = Rules.builder(dflt)
                .pattern("user:*", policy("short"))
                .pattern("*:search", policy("suffix"))
                .pattern("user:*:search", policy("both"))
                .build();
        assertEquals("both", rules.resolve("user:1:search").name());
        assertEquals("suffix", rules.resolve("org:1:search").name());
        assertEquals("short", rules.resolve("user:1:read").name());
    }

    @Test
    void equalLiteralCountsPreferTheLongerPrefixThenTheText() {
        Rules rules = Rules.builder(dflt)
                .pattern("*ab", policy("suffix"))
                .pattern("ab*", policy("prefix"))
                .pattern("a*b", policy("split"))
                .build();
        assertEquals("prefix", rules.resolve("ab-ab").name());
        assertEquals("split", rules.resolve("a-b-ab").name());
        Rules tie = Rules.builder(dflt)
                .pattern("x*1", policy("one"))
                .pattern("x*2", policy("two"))
                .pattern("x*", policy("x"))
                .build();
        assertEquals("one", tie.resolve("x1").name());
    }

    /** The winner must not depend on the order rules were added (or on hash order). */
    @Test
    void resolutionDoesNotDependOnInsertionOrder() {
        List<String> patterns = new ArrayList<>(List.of(
                "*", "a*", "*a", "ab*", "*ab", "a*b", "a*b*c", "*b*", "abc*", "*bc", "a*c"));
        Random random = new Random(3);
        Rules first = null;
        for (int round = 0; round < 50; round++) {
            Collections.shuffle(patterns, random);
            Rules.Builder builder = Rules.builder(dflt);
            for (String p : patterns) {
                builder.pattern(p, policy(p));
            }
            Rules rules = builder.build();
            if (first == null) {
                first = rules;
            }
            for (String key : List.of("abc", "ab", "a", "cab", "abcabc", "zz", "bc", "ac")) {
                assertEquals(first.resolve(key).name(), rules.resolve(key).name(), key);
            }
        }
    }

    @Test
    void duplicatesAreRejectedWithTheirName() {
        Rules.Builder builder = Rules.builder(dflt).pattern("user:*", policy("a"));
        assertEquals("pattern 'user:*' is configured twice",
                assertThrows(IllegalStateException.class,
                        () -> builder.pattern("user:*", policy("b"))).getMessage());
        builder.exact("k", policy("a"));
        assertEquals("key 'k' already has a rule", assertThrows(IllegalStateException.class,
                () -> builder.exact("k", policy("b"))).getMessage());
        assertEquals("rule pattern must not be blank", assertThrows(
                IllegalArgumentException.class, () -> builder.pattern(" ", dflt)).getMessage());
    }

    @Test
    void policiesListsEachPolicyOnceDefaultFirst() {
        Policy shared = policy("shared");
        Rules rules = Rules.builder(dflt).exact("a", shared).pattern("b*", shared).build();
        assertEquals(List.of(dflt, shared), rules.policies());
    }
}
