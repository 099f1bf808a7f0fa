package dev.ratelimiter.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.ratelimiter.Decision;
import dev.ratelimiter.Decision.Outcome;
import dev.ratelimiter.Limit;
import dev.ratelimiter.Policy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The decision body is written by hand ({@link JsonCodec#decision}); these tests hold it
 * byte-equal to what Jackson's generator writes for the same fields, which is what the body was
 * before, and check that it parses back to the same values.
 */
class JsonCodecDecisionTest {

    private static final Policy POLICY =
            Policy.of("default", Limit.capacity(10).refillGreedy(2, Duration.ofSeconds(1)));
    private static final JsonFactory JACKSON = new JsonFactory();

    /** The body as Jackson's streaming generator wrote it before the hand-written encoder. */
    private static byte[] jackson(Decision d) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JACKSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("key", d.key());
            g.writeNumberField("tokensRequested", d.tokensRequested());
            g.writeBooleanField("allowed", d.allowed());
            g.writeNumberField("remainingTokens", d.remaining());
            g.writeNumberField("limit", d.limit());
            g.writeNumberField("retryAfterMs", d.exceedsCapacity() ? -1
                    : JsonCodec.ceilDiv(d.retryAfterNanos(), 1_000_000));
            g.writeNumberField("resetAfterMs", JsonCodec.ceilDiv(d.resetAfterNanos(), 1_000_000));
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    private static Decision decision(String key, Outcome outcome, long tokens, long remaining,
                                     long limit, long retryNanos, long resetNanos) {
        return new Decision(outcome, key, tokens, remaining, limit, retryNanos, resetNanos, POLICY);
    }

    @Test
    void keysWithEscapesAndEveryUtf8LengthMatchJacksonByteForByte() throws IOException {
        String[] keys = {"", "user:42", "quote\"back\\slash", "tab\tnl\nret\rbs\bff\f",
            "ctl\u0000\u0001\u001f\u007f", "caf\u00e9", "\u20ac-\u4e2d\uffff", "smile-\uD83D\uDE00",
            "slash/", "\u2028\u2029", "x".repeat(1024)};
        for (String key : keys) {
            Decision d = decision(key, Outcome.ALLOWED, 1, 9, 10, 0, 500_000_000L);
            assertArrayEquals(jackson(d), JsonCodec.decision(d), key);
        }
    }

    @Test
    void numbersAtTheirExtremesMatchJackson() throws IOException {
        long[] values = {0, 1, 9, 10, 99, 100, 999_999_999_999L, Long.MAX_VALUE};
        for (long v : values) {
            Decision allowed = decision("k", Outcome.ALLOWED, Math.max(1, v), v, Math.max(1, v),
                    0, v);
            assertArrayEquals(jackson(allowed), JsonCodec.decision(allowed), "value " + v);
            Decision denied = decision("k", Outcome.DENIED, 1, 0, 10, v, v);
            assertArrayEquals(jackson(denied), JsonCodec.decision(denied), "value " + v);
        }
        Decision never = decision("k", Outcome.DENIED, 11, 3, 10, Decision.NEVER, 1);
        assertArrayEquals(jackson(never), JsonCodec.decision(never));
        assertEquals("{\"key\":\"k\",\"tokensRequested\":11,\"allowed\":false,\"remainingTokens\":3,"
                        + "\"limit\":10,\"retryAfterMs\":-1,\"resetAfterMs\":1}",
                new String(JsonCodec.decision(never), StandardCharsets.UTF_8));
    }

    @Test
    void aLoneSurrogateIsEscapedAndReadsBackAsTheSameKey() throws IOException {
        // A key can hold one: a client may send the escape "\ud800". UTF-8 cannot carry it, so
        // the body escapes it back, as Jackson does, and a JSON reader gets the same string.
        String key = "lone-\ud800-end\udc00";
        Decision d = decision(key, Outcome.ALLOWED, 1, 9, 10, 0, 1);
        byte[] body = JsonCodec.decision(d);
        assertArrayEquals(jackson(d), body);
        assertEquals("{\"key\":\"lone-\\uD800-end\\uDC00\",\"tokensRequested\":1,\"allowed\":true,"
                        + "\"remainingTokens\":9,\"limit\":10,\"retryAfterMs\":0,\"resetAfterMs\":1}",
                new String(body, StandardCharsets.US_ASCII));
        try (JsonParser p = JACKSON.createParser(body)) {
            assertEquals(JsonToken.START_OBJECT, p.nextToken());
            assertEquals("key", p.nextFieldName());
            assertEquals(JsonToken.VALUE_STRING, p.nextToken());
            assertEquals(key, p.getText());
        }
    }

    @Test
    void randomDecisionsMatchJackson() throws IOException {
        SplittableRandom random = new SplittableRandom(20261205L);
        Outcome[] outcomes = {Outcome.ALLOWED, Outcome.DENIED, Outcome.SHADOW_DENIED,
            Outcome.FAILED_OPEN, Outcome.FALLBACK_DENIED};
        for (int i = 0; i < 20_000; i++) {
            StringBuilder key = new StringBuilder();
            int len = random.nextInt(40);
            for (int c = 0; c < len; c++) {
                int kind = random.nextInt(10);
                if (kind < 6) {
                    key.append((char) random.nextInt(0x20, 0x7f));
                } else if (kind < 7) {
                    key.append((char) random.nextInt(0, 0x20));
                } else if (kind < 9) {
                    key.append((char) random.nextInt(0x80, 0x10000)); // lone surrogates too
                } else {
                    key.appendCodePoint(random.nextInt(0x10000, 0x110000));
                }
            }
            long limit = 1 + random.nextLong(1L << random.nextInt(1, 62));
            Decision d = decision(key.toString(), outcomes[random.nextInt(outcomes.length)],
                    1 + random.nextLong(limit), random.nextLong(limit + 1), limit,
                    random.nextLong(1L << random.nextInt(1, 62)),
                    random.nextLong(1L << random.nextInt(1, 62)));
            assertArrayEquals(jackson(d), JsonCodec.decision(d), d.toString());
        }
    }
}
