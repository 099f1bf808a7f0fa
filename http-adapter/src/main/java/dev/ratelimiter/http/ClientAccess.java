package dev.ratelimiter.http;

import com.sun.net.httpserver.HttpExchange;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Decides whether a client address may call, from allow and deny lists of networks; deny wins.
 *
 * <p>The client address is the TCP peer, unless the peer is a configured trusted proxy: then it
 * is the right-most {@code X-Forwarded-For} entry that is not itself a trusted proxy (so a client
 * cannot choose its address by sending the header itself, nor by prepending entries). With no
 * trusted proxies (the default) the header is ignored. At most {@value #MAX_HOPS} entries are
 * examined. Immutable and thread-safe.
 */
final class ClientAccess {

    static final int MAX_HOPS = 32;

    private final List<Cidr> allow;
    private final List<Cidr> deny;
    private final List<Cidr> trustedProxies;

    ClientAccess(List<Cidr> allow, List<Cidr> deny, List<Cidr> trustedProxies) {
        this.allow = allow;
        this.deny = deny;
        this.trustedProxies = trustedProxies;
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
        InetSocketAddress remote = exchange.getRemoteAddress();
        byte[] peer = Cidr.normalise(remote.getAddress());
        if (trustedProxies.isEmpty() || !Cidr.anyContains(trustedProxies, peer)) {
            return peer;
        }
        List<String> lines = exchange.getRequestHeaders().get("X-Forwarded-For");
        if (lines == null || lines.isEmpty()) {
            return peer;
        }
        byte[] client = peer;
        int hops = 0;
        for (int line = lines.size() - 1; line >= 0; line--) {
            String value = lines.get(line);
            int end = value.length();
            while (end > 0) {
                int comma = value.lastIndexOf(',', end - 1);
                String entry = value.substring(comma + 1, end).trim();
                end = comma < 0 ? 0 : comma;
                if (entry.isEmpty()) {
                    continue;
                }
                byte[] address = Cidr.parseAddress(entry);
                if (address == null) {
                    throw new JsonCodec.BadRequestException(
                            "X-Forwarded-For contains an entry that is not an IP address");
                }
                client = address;
                if (!Cidr.anyContains(trustedProxies, address) || ++hops >= MAX_HOPS) {
                    return client;
                }
            }
        }
        return client;
    }
}
