package dev.ratelimiter.http;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * Reads a request body up to a limit, counting the bytes actually read (so a chunked body or a
 * lying {@code Content-Length} cannot get past it), and checks the content type. Stateless.
 */
final class BodyReader {

    private BodyReader() {
    }

    /** The body was larger than the limit. */
    static final class TooLargeException extends Exception {
        private static final long serialVersionUID = 1L;

        TooLargeException() {
            super(null, null, false, false);
        }
    }

    /** A body: the first {@code length} bytes of {@code bytes}. */
    record Body(byte[] bytes, int length) {
    }

    /**
     * Reads the body.
     *
     * @param exchange the exchange
     * @param limit the most bytes accepted
     * @return the body
     * @throws TooLargeException if the declared or actual length exceeds {@code limit}
     * @throws IOException if the client fails while sending
     */
    static Body read(HttpExchange exchange, int limit) throws IOException, TooLargeException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        int initial = 256;
        if (declared != null) {
            long n;
            try {
                n = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                n = -1; // the JDK server has already rejected a malformed length
            }
            if (n > limit) {
                throw new TooLargeException();
            }
            if (n >= 0) {
                initial = (int) n + 1;
            }
        }
        byte[] buf = new byte[Math.min(Math.max(initial, 16), limit + 1)];
        int length = 0;
        InputStream in = exchange.getRequestBody();
        while (true) {
            if (length == buf.length) {
                if (length > limit) {
                    throw new TooLargeException();
                }
                buf = Arrays.copyOf(buf, (int) Math.min((long) buf.length * 2, limit + 1L));
            }
            int n = in.read(buf, length, buf.length - length);
            if (n < 0) {
                break;
            }
            length += n;
            if (length > limit) {
                throw new TooLargeException();
            }
        }
        return new Body(buf, length);
    }

    /**
     * Whether the request says its body is JSON: {@code application/json}, with no charset
     * or UTF-8.
     *
     * @param contentType the header's value, may be null
     * @return true if acceptable
     */
    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semi = contentType.indexOf(';');
        String type = (semi < 0 ? contentType : contentType.substring(0, semi)).trim();
        if (!type.equalsIgnoreCase(Responses.JSON)) {
            return false;
        }
        if (semi < 0) {
            return true;
        }
        for (String param : contentType.substring(semi + 1).split(";", 8)) {
            int eq = param.indexOf('=');
            if (eq > 0 && param.substring(0, eq).trim().equalsIgnoreCase("charset")) {
                String cs = param.substring(eq + 1).trim().replace("\"", "")
                        .toLowerCase(Locale.ROOT);
                if (!cs.equals("utf-8") && !cs.equals("utf8")) {
                    return false;
                }
            }
        }
        return true;
    }
}
