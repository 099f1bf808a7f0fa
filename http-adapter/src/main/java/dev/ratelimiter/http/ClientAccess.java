package dev.ratelimiter.http;

import com.sun.net.httpserver.HttpExchange;
import java.util.List;

/**
 * Decides whether a client address may call, from allow and deny lists of networks; deny wins.
 *
 * <p>The client address is {@link TrustedProxies}' (the TCP peer, or the right-most untrusted
 * {@code X-Forwarded-For} entry when the peer is a trusted proxy). Immutable and thread-safe.
 */
final class ClientAccess {

    private final List<Cidr> allow;
    private final List<Cidr> deny;
    private final TrustedProxies trustedProxies;

    ClientAccess(List<Cidr> allow, List<Cidr> deny, List<Cidr> trustedProxies) {
        this.allow = allow;
        this.deny = deny;
        this.trustedProxies = TrustedProxies.of(trustedProxies);
    }

    /** Whether any list is configured; when not, every client is allowed without work. */
    boolean enabled() {
        return !allow.isEmpty() || !deny.isEmpty();
    }

    /**
     * Whether the exchange's client may call.
     *
     * @param exchange the exchange
     * @return true if allowed
     * @throws JsonCodec.BadRequestException if a trusted proxy sent a malformed
     *     {@code X-Forwarded-For}
     */
    boolean allowed(HttpExchange exchange) throws JsonCodec.BadRequestException {
        byte[] client = clientAddress(exchange);
        if (Cidr.anyContains(deny, client)) {
            return false;
        }
        return allow.isEmpty() || Cidr.anyContains(allow, client);
    }

    byte[] clientAddress(HttpExchange exchange) throws JsonCodec.BadRequestException {
        byte[] peer = Cidr.normalise(exchange.getRemoteAddress().getAddress());
        try {
            return trustedProxies.clientBytes(peer,
                    exchange.getRequestHeaders().get("X-Forwarded-For"));
        } catch (IllegalArgumentException e) {
            throw new JsonCodec.BadRequestException(e.getMessage());
        }
    }
}
