package dev.ratelimiter.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ratelimiter.Limit;
import dev.ratelimiter.Policy;
import dev.ratelimiter.Refill;
import dev.ratelimiter.Rules;
import java.io.IOException;
import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class RateLimiterConfigTest {

    private static Properties props(String text) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return p;
    }

    private static RateLimiterConfig load(String text) {
        return RateLimiterConfig.fromProperties(props(text));
    }

    private static String error(String text) {
        return assertThrows(RuntimeException.class, () -> load(text)).getMessage();
    }

    @Test
    void nothingSetGivesCapacityTenAtTwoPerSecond() {
        RateLimiterConfig config = load("");
        Policy p = config.rules().defaultPolicy();
        assertEquals("default", p.name());
        assertEquals(List.of(new Limit(10, 2, Duration.ofSeconds(1), Refill.GREEDY)), p.limits());
        assertEquals(256, config.maxKeyBytes());
    }

    @Test
    void keysAndPatternsInheritWhatTheyDoNotSet() {
        Rules rules = load("""
                ratelimiter.capacity=20
                ratelimiter.refillRate=0.5
                ratelimiter.keys.vip.capacity=1000
                ratelimiter.patterns.user\\:*.refillRate=5
                ratelimiter.patterns.user\\:*.capacity=50
                """).rules();
        assertEquals(new Limit(20, 1, Duration.ofSeconds(2), Refill.GREEDY),
                rules.defaultPolicy().limits().get(0), "0.5/s is 1 token per 2 s");
        Policy vip = rules.resolve("vip");
        assertEquals("vip", vip.name());
        assertEquals(new Limit(1000, 1, Duration.ofSeconds(2), Refill.GREEDY), vip.limits().get(0));
        Policy user = rules.resolve("user:7");
        assertEquals("user:*", user.name());
        assertEquals(new Limit(50, 5, Duration.ofSeconds(1), Refill.GREEDY), user.limits().get(0));
    }

    @Test
    void severalLimitsPerPolicy() {
        Rules rules = load("""
                ratelimiter.limits=10/1s burst 20, 1000/1h
                ratelimiter.keys.batch.limits=100/m interval, 5/PT1S
                """).rules();
        assertEquals(List.of(Limit.capacity(20).refillGreedy(10, Duration.ofSeconds(1)),
                Limit.capacity(1000).refillGreedy(1000, Duration.ofHours(1))),
                rules.defaultPolicy().limits());
        assertEquals(List.of(Limit.capacity(100).refillIntervally(100, Duration.ofMinutes(1)),
                Limit.of(5, Duration.ofSeconds(1))), rules.resolve("batch").limits());
    }

    @Test
    void environmentVariablesWinOverProperties() {
        RateLimiterConfig config = RateLimiterConfig.from(ConfigSource.of(
                props("ratelimiter.capacity=5\nratelimiter.maxKeyLength=64"),
                Map.of("RATE_LIMITER_CAPACITY", "7", "RATE_LIMITER_REFILL_RATE", "3")));
        assertEquals(new Limit(7, 3, Duration.ofSeconds(1), Refill.GREEDY),
                config.rules().defaultPolicy().limits().get(0));
        assertEquals(64, config.maxKeyBytes());
    }

    @Test
    void otherModulesSectionsAreLeftToThem() {
        RateLimiterConfig config = load("""
                ratelimiter.backend=redis
                ratelimiter.redis.url=redis://localhost
                ratelimiter.server.port=8080
                ratelimiter.security.api-keys=a,b
                unrelated.property=1
                """);
        assertEquals(List.of(dev.ratelimiter.RateLimiterBuilder.DEFAULT_POLICY.limits().get(0)),
                config.rules().defaultPolicy().limits(), "read as no core setting at all");
        assertEquals(1, config.rules().policies().size());
    }

    @Test
    void badPropertiesFailWithTheirName() {
        assertEquals("ratelimiter.capacity (RATE_LIMITER_CAPACITY) must be a whole number,"
                + " was 'ten'", error("ratelimiter.capacity=ten"));
        assertEquals("ratelimiter.capacity (RATE_LIMITER_CAPACITY): capacity must be >= 1, was 0",
                error("ratelimiter.capacity=0"));
        assertEquals("ratelimiter.keys.k.capacity: capacity must be >= 1, was 0",
                error("ratelimiter.keys.k.capacity=0"));
        assertEquals("ratelimiter.refillRate must be a positive number of tokens per second,"
                + " was 'fast'", error("ratelimiter.refillRate=fast"));
        assertEquals("ratelimiter.keys.k.refillRate must be a positive number of tokens per"
                + " second with at most 9 decimals, was '-1'", error("ratelimiter.keys.k.refillRate=-1"));
        assertEquals("unknown property 'ratelimiter.patterns.user'; expected"
                + " ratelimiter.patterns.<name>.capacity, .refillRate, .limits or .shadow (in a .properties"
                + " file, escape ':' and '=' in names as '\\:' and '\\=')",
                error("ratelimiter.patterns.user:*.capacity=5"));
        assertEquals("ratelimiter.limits: '10/1x' has period '1x' with unknown unit 'x';"
                + " use ms, s, m, h or d (or ISO-8601 such as PT1S)", error("ratelimiter.limits=10/1x"));
        assertEquals("ratelimiter.limits: '10/1s burst' has 'burst' where 'burst CAPACITY' or"
                + " 'interval' may stand", error("ratelimiter.limits=10/1s burst"));
        assertEquals("ratelimiter.limits has an empty limit; expected TOKENS/PERIOD [burst CAPACITY]"
                + " [interval], such as 10/1s burst 20", error("ratelimiter.limits=10/1s,"));
        assertEquals("ratelimiter.limits: '0/1s' has tokens '0'; it must be a whole number >= 1",
                error("ratelimiter.limits=0/1s"));
        assertEquals("ratelimiter.keys.k.limits cannot be combined with ratelimiter.keys.k.capacity"
                + " or ratelimiter.keys.k.refillRate",
                error("ratelimiter.keys.k.limits=1/s\nratelimiter.keys.k.capacity=3"));
        assertEquals("ratelimiter.refillRate: refill rate must be at most 1 token per nanosecond,"
                + " was 2000000000 tokens per PT1S", error("ratelimiter.refillRate=2000000000"));
    }

    @Test
    void anAssemblerRejectsNamesNoSectionClaims() {
        ConfigSource source = ConfigSource.of(props("ratelimiter.capcity=5\nratelimiter.redis.url=x"),
                Map.of());
        RateLimiterConfig.from(source); // core reads only its own names
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> source.requireKnown("ratelimiter.", RateLimiterConfig.NAMES));
        assertEquals("unknown property 'ratelimiter.capcity'; known: ratelimiter.capacity,"
                + " ratelimiter.keys.*, ratelimiter.limits, ratelimiter.maxKeyLength,"
                + " ratelimiter.patterns.*, ratelimiter.refillRate, ratelimiter.shadow",
                e.getMessage());
    }

    @Test
    void maxKeyLengthIsBoundedByTheBuilderAndNamedInTheMessage() {
        RateLimiterConfig config = load("ratelimiter.maxKeyLength=0");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> config.applyTo(dev.ratelimiter.RateLimiter.builder()));
        assertEquals("ratelimiter.maxKeyLength (RATE_LIMITER_MAX_KEY_LENGTH): maxKeyBytes must be"
                + " >= 1, was 0", e.getMessage());
    }

    @Test
    void unreadableFileIsNamed() {
        String message = assertThrows(IllegalArgumentException.class,
                () -> ConfigSource.load(java.nio.file.Path.of("/no/such/file.properties")))
                .getMessage();
        assertEquals(true, message.startsWith("cannot read configuration file /no/such/file.properties"));
    }

    @Test
    void shadowIsReadPerPolicy_andABadValueNamesTheProperty() {
        RateLimiterConfig config = RateLimiterConfig.from(ConfigSource.of(props(
                "ratelimiter.shadow=true\nratelimiter.patterns.trial\\:*.capacity=3\n"
                        + "ratelimiter.patterns.trial\\:*.shadow=TRUE\n"
                        + "ratelimiter.keys.vip.capacity=50\n"), Map.of()));
        assertTrue(config.rules().defaultPolicy().shadow());
        assertTrue(config.rules().resolve("trial:1").shadow());
        assertEquals(3, config.rules().resolve("trial:1").smallestCapacity());
        assertFalse(config.rules().resolve("vip").shadow(), "not inherited from the default");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RateLimiterConfig.from(ConfigSource.of(props(
                        "ratelimiter.keys.vip.shadow=maybe"), Map.of())));
        assertEquals("ratelimiter.keys.vip.shadow must be true or false, was 'maybe'",
                e.getMessage());
    }
}
