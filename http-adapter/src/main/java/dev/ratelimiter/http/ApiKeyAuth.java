package dev.ratelimiter.http;

import com.sun.net.httpserver.Headers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Checks API keys. A key may come in the body's {@code apiKey}, the {@code X-API-Key} header or
 * {@code Authorization: Bearer <key>}, looked for in that order.
 *
 * <p>Keys are compared as SHA-256 digests with {@link MessageDigest#isEqual}, against every
 * configured key without stopping early, so the time taken says nothing about how much of a
 * key was right, nor its length. Keys are never logged or put in messages. Immutable and
 * thread-safe.
 */
final class ApiKeyAuth {

    private final byte[][] digests;

    ApiKeyAuth(List<String> keys) {
        this.digests = new byte[keys.size()][];
        for (int i = 0; i < keys.size(); i++) {
            digests[i] = sha256(keys.get(i));
        }
    }

    boolean enabled() {
        return digests.length > 0;
    }

    /**
     * Checks the request's key.
     *
     * @param bodyKey the body's {@code apiKey}, may be null
     * @param headers the request headers
     * @return null if accepted (or authentication is off), else the message for the 401
     */
    String reject(String bodyKey, Headers headers) {
        if (!enabled()) {
            return null;
        }
        String presented = bodyKey;
        if (presented == null) {
            presented = headers.getFirst("X-API-Key");
        }
        if (presented == null) {
            String authorization = headers.getFirst("Authorization");
            if (authorization != null && authorization.length() > 7
                    && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                presented = authorization.substring(7).trim();
            }
        }
        if (presented == null || presented.isEmpty()) {
            return "API key required: send it as the body's apiKey, the X-API-Key header or"
                    + " Authorization: Bearer";
        }
        byte[] digest = sha256(presented);
        boolean match = false;
        for (byte[] known : digests) {
            match |= MessageDigest.isEqual(known, digest);
        }
        return match ? null : "API key is not valid";
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
