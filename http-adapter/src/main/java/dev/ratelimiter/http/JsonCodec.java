package dev.ratelimiter.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.core.util.RecyclerPool;
import dev.ratelimiter.Decision;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads check requests and writes responses with Jackson's streaming API (jackson-core): no data
 * binding, no reflection, one parser per request over the bytes already read.
 *
 * <p>Reading is strict: the body must be one JSON object with only the fields {@code key}
 * (string, required), {@code tokens} (integer from 1 to 2<sup>63</sup>-1, default 1) and
 * {@code apiKey} (string or null), each at most once, and nothing after it. Every violation
 * is a {@link BadRequestException} whose message names the field. Stateless and thread-safe.
 */
final class JsonCodec {

    /** The most parse buffers kept for reuse; more parses at once allocate their own. */
    static final int POOLED_BUFFERS = 64;

    /**
     * Parse buffers (about 16 KiB a set), shared by every thread and bounded. Jackson's default
     * keeps one set per thread, which on virtual threads (a new thread per exchange) means a
     * new set allocated and zeroed for every request.
     */
    static final RecyclerPool<BufferRecycler> BUFFERS =
            JsonRecyclerPools.newBoundedPool(POOLED_BUFFERS);

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .recyclerPool(BUFFERS)
            // Field names are client input: do not intern them into a shared symbol table.
            // (Canonicalizing would select Jackson's UTF-8 byte parser instead of its Reader one,
            // but measured, it saves under 0.1 us on a valid request and makes each request
            // with a new field name cost 25-230 us instead of ~8 us: the table is copied.)
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(32)
                    .maxNumberLength(64)
                    .build())
            .build();

    private static final int MAX_ECHO = 64;

    private JsonCodec() {
    }

    /** A parsed check request; {@code apiKey} may be null. */
    record CheckRequest(String key, long tokens, String apiKey) {
    }

    /** Client input that cannot be accepted; the message names the field and is safe to send. */
    static final class BadRequestException extends Exception {
        private static final long serialVersionUID = 1L;

        BadRequestException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Parses a check request.
     *
     * @param body the bytes read
     * @param length how many of them are the body
     * @return the request
     * @throws BadRequestException naming the field that is wrong
     */
    static CheckRequest parseCheck(byte[] body, int length) throws BadRequestException {
        // Jackson replaces some malformed sequences instead of failing; RFC 8259 requires UTF-8.
        int bad = invalidUtf8(body, length);
        if (bad >= 0) {
            throw new BadRequestException("request body is not valid UTF-8 (malformed byte"
                    + " sequence at byte offset " + bad + ")");
        }
        String field = null;
        try (JsonParser p = FACTORY.createParser(body, 0, length)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new BadRequestException("request body must be a JSON object, was empty");
            }
            if (first != JsonToken.START_OBJECT) {
                throw new BadRequestException("request body must be a JSON object, was "
                        + describe(first));
            }
            String key = null;
            long tokens = 1;
            String apiKey = null;
            boolean seenKey = false;
            boolean seenTokens = false;
            boolean seenApiKey = false;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "key":
                        seenKey = once(seenKey, field);
                        if (v != JsonToken.VALUE_STRING) {
                            throw new BadRequestException("key must be a string, was "
                                    + describe(v));
                        }
                        key = p.getText();
                        break;
                    case "tokens":
                        seenTokens = once(seenTokens, field);
                        tokens = tokens(p, v);
                        break;
                    case "apiKey":
                        seenApiKey = once(seenApiKey, field);
                        if (v == JsonToken.VALUE_STRING) {
                            apiKey = p.getText();
                        } else if (v != JsonToken.VALUE_NULL) {
                            throw new BadRequestException("apiKey must be a string, was "
                                    + describe(v));
                        }
                        break;
                    default:
                        throw new BadRequestException("unknown field '" + echo(field)
                                + "'; expected key, tokens, apiKey");
                }
                field = null;
            }
            if (t != JsonToken.END_OBJECT) {
                throw new BadRequestException("malformed JSON: expected a field name");
            }
            JsonToken after = p.nextToken();
            if (after != null) {
                throw new BadRequestException("unexpected " + describe(after)
                        + " after the JSON object");
            }
            if (!seenKey) {
                throw new BadRequestException("key is required");
            }
            return new CheckRequest(key, tokens, apiKey);
        } catch (StreamConstraintsException e) {
            throw new BadRequestException((field == null ? "request body" : field)
                    + " exceeds a JSON limit (number length 64, nesting depth 32)");
        } catch (JsonEOFException e) {
            throw new BadRequestException("malformed JSON: unexpected end of input"
                    + (field == null ? "" : " in field " + echo(field)));
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new BadRequestException("malformed JSON"
                    + (field == null ? "" : " in field " + echo(field))
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column "
                    + at.getColumnNr()));
        } catch (IOException e) {
            // Reading a byte array cannot fail with I/O; a decoding error lands here.
            throw new BadRequestException("malformed JSON: " + e.getClass().getSimpleName());
        }
    }

    /**
     * Finds the first byte that is not part of well-formed UTF-8 (RFC 3629: no overlong forms,
     * no surrogates, nothing past U+10FFFF).
     *
     * @return its offset, or -1 if all {@code length} bytes are well-formed
     */
    static int invalidUtf8(byte[] b, int length) {
        int i = 0;
        while (i < length) {
            int c = b[i] & 0xff;
            if (c < 0x80) {
                i++;
                continue;
            }
            int n;
            int lo = 0x80;
            int hi = 0xbf;
            if (c >= 0xc2 && c <= 0xdf) {
                n = 1;
            } else if (c >= 0xe0 && c <= 0xef) {
                n = 2;
                if (c == 0xe0) {
                    lo = 0xa0;
                } else if (c == 0xed) {
                    hi = 0x9f;
                }
            } else if (c >= 0xf0 && c <= 0xf4) {
                n = 3;
                if (c == 0xf0) {
                    lo = 0x90;
                } else if (c == 0xf4) {
                    hi = 0x8f;
                }
            } else {
                return i;
            }
            if (i + n >= length) {
                return i;
            }
            int second = b[i + 1] & 0xff;
            if (second < lo || second > hi) {
                return i;
            }
            for (int k = 2; k <= n; k++) {
                int cont = b[i + k] & 0xff;
                if (cont < 0x80 || cont > 0xbf) {
                    return i;
                }
            }
            i += n + 1;
        }
        return -1;
    }

    private static long tokens(JsonParser p, JsonToken v) throws IOException, BadRequestException {
        if (v == JsonToken.VALUE_NUMBER_INT) {
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw new BadRequestException("tokens must be from 1 to " + Long.MAX_VALUE
                        + ", was " + echo(p.getText()));
            }
            long tokens = p.getLongValue();
            if (tokens < 1) {
                throw new BadRequestException("tokens must be >= 1, was " + tokens);
            }
            return tokens;
        }
        if (v == JsonToken.VALUE_NUMBER_FLOAT) {
            throw new BadRequestException("tokens must be an integer, was " + echo(p.getText()));
        }
        throw new BadRequestException("tokens must be an integer, was " + describe(v));
    }

    private static boolean once(boolean seen, String field) throws BadRequestException {
        if (seen) {
            throw new BadRequestException("duplicate field '" + field + "'");
        }
        return true;
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "missing";
        }
        switch (t) {
            case START_OBJECT:
                return "an object";
            case START_ARRAY:
                return "an array";
            case VALUE_STRING:
                return "a string";
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return "a number";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a boolean";
            case VALUE_NULL:
                return "null";
            default:
                return t.asString() == null ? t.name() : "'" + t.asString() + "'";
        }
    }

    private static String echo(String text) {
        return text.length() <= MAX_ECHO ? text : text.substring(0, MAX_ECHO) + "...";
    }

    private static final byte[] KEY = ascii("{\"key\":\"");
    private static final byte[] TOKENS_REQUESTED = ascii("\",\"tokensRequested\":");
    private static final byte[] ALLOWED_TRUE = ascii(",\"allowed\":true,\"remainingTokens\":");
    private static final byte[] ALLOWED_FALSE = ascii(",\"allowed\":false,\"remainingTokens\":");
    private static final byte[] LIMIT = ascii(",\"limit\":");
    private static final byte[] RETRY_AFTER = ascii(",\"retryAfterMs\":");
    private static final byte[] RESET_AFTER = ascii(",\"resetAfterMs\":");
    private static final byte[] HEX = ascii("0123456789ABCDEF");

    /**
     * The body of a 200 or 429 check response, written straight into bytes: this runs once per
     * check, and a Jackson generator per response cost about 5% of the server's CPU. The output
     * is what Jackson writes for the same fields (a test holds the two byte-equal): the key's
     * {@code "}, {@code \} and control characters escaped, each surrogate (of a pair, or a
     * lone one, which UTF-8 cannot carry) as a {@code &#92;uXXXX} escape, other characters as
     * UTF-8.
     *
     * @param d the decision
     * @return UTF-8 JSON, a new array
     */
    static byte[] decision(Decision d) {
        String key = d.key();
        // At most 6 bytes per char (an escape), plus the fixed text (105 bytes) and five
        // numbers of at most 20 characters each.
        byte[] out = new byte[key.length() * 6 + 208];
        int n = put(out, 0, KEY);
        n = putString(out, n, key);
        n = put(out, n, TOKENS_REQUESTED);
        n = putLong(out, n, d.tokensRequested());
        n = put(out, n, d.allowed() ? ALLOWED_TRUE : ALLOWED_FALSE);
        n = putLong(out, n, d.remaining());
        n = put(out, n, LIMIT);
        n = putLong(out, n, d.limit());
        n = put(out, n, RETRY_AFTER);
        n = putLong(out, n, d.exceedsCapacity() ? -1 : ceilDiv(d.retryAfterNanos(), 1_000_000));
        n = put(out, n, RESET_AFTER);
        n = putLong(out, n, ceilDiv(d.resetAfterNanos(), 1_000_000));
        out[n++] = '}';
        return Arrays.copyOf(out, n);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static int put(byte[] out, int at, byte[] bytes) {
        System.arraycopy(bytes, 0, out, at, bytes.length);
        return at + bytes.length;
    }

    /** A JSON string's content (without quotes), escaped as Jackson escapes it. */
    private static int putString(byte[] out, int at, String s) {
        int n = at;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                out[n++] = (byte) c;
            } else if (c == '"' || c == '\\') {
                out[n++] = '\\';
                out[n++] = (byte) c;
            } else if (c < 0x20) {
                n = putControl(out, n, c);
            } else if (c < 0x800) {
                out[n++] = (byte) (0xc0 | (c >> 6));
                out[n++] = (byte) (0x80 | (c & 0x3f));
            } else if (Character.isSurrogate(c)) {
                n = putUnicodeEscape(out, n, c);
            } else {
                out[n++] = (byte) (0xe0 | (c >> 12));
                out[n++] = (byte) (0x80 | ((c >> 6) & 0x3f));
                out[n++] = (byte) (0x80 | (c & 0x3f));
            }
        }
        return n;
    }

    /** Control characters: the short escapes JSON has, else {@code &#92;u00XX}. */
    private static int putControl(byte[] out, int at, char c) {
        byte shortForm = c == '\n' ? (byte) 'n' : c == '\r' ? (byte) 'r' : c == '\t' ? (byte) 't'
                : c == '\b' ? (byte) 'b' : c == '\f' ? (byte) 'f' : 0;
        if (shortForm == 0) {
            return putUnicodeEscape(out, at, c);
        }
        out[at] = '\\';
        out[at + 1] = shortForm;
        return at + 2;
    }

    private static int putUnicodeEscape(byte[] out, int at, char c) {
        out[at] = '\\';
        out[at + 1] = 'u';
        out[at + 2] = HEX[(c >> 12) & 0xf];
        out[at + 3] = HEX[(c >> 8) & 0xf];
        out[at + 4] = HEX[(c >> 4) & 0xf];
        out[at + 5] = HEX[c & 0xf];
        return at + 6;
    }

    /** Decimal digits of {@code v}, with a minus sign if negative. */
    private static int putLong(byte[] out, int at, long v) {
        if (v == Long.MIN_VALUE) {
            return put(out, at, ascii(Long.toString(v)));
        }
        int n = at;
        if (v < 0) {
            out[n++] = '-';
            v = -v;
        }
        int digits = 1;
        for (long rest = v / 10; rest != 0; rest /= 10) {
            digits++;
        }
        int end = n + digits;
        for (int i = end - 1; i >= n; i--) {
            out[i] = (byte) ('0' + (v % 10));
            v /= 10;
        }
        return end;
    }

    /**
     * {@code {"error": message}}.
     *
     * @param message the message
     * @return UTF-8 JSON
     */
    static byte[] error(String message) {
        return object("error", message, null, null);
    }

    /**
     * A flat object of up to two string fields.
     *
     * @return UTF-8 JSON
     */
    static byte[] object(String name1, String value1, String name2, String value2) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField(name1, value1);
            if (name2 != null) {
                g.writeStringField(name2, value2);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * A flat object of string fields.
     *
     * @param namesAndValues name, value, name, value...; a null value is left out
     * @return UTF-8 JSON
     */
    static byte[] objectOf(String... namesAndValues) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
                if (namesAndValues[i + 1] != null) {
                    g.writeStringField(namesAndValues[i], namesAndValues[i + 1]);
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static long ceilDiv(long value, long unit) {
        if (value <= 0) {
            return 0;
        }
        return value / unit + (value % unit == 0 ? 0 : 1);
    }
}
