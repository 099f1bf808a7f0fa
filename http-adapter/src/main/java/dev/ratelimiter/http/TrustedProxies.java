package dev.ratelimiter.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;

/**
 * Who the client is, by address: the one rule every adapter uses (the standalone server's IP
 * lists, the Spring starter's {@code ip} key).
 *
 * <p>The client is the TCP peer, unless the peer is one of the trusted proxies: then it is the
 * right-most {@code X-Forwarded-For} entry that is not itself a trusted proxy, so a client can
 * neither choose its address by sending the header itself nor by prepending entries. With no
 * trusted proxies (the default) the header is never read. At most {@value #MAX_HOPS} entries are
 * examined. Entries are parsed as IP literals only, never resolved by DNS, and without regular
 * expressions.
 *
 * <pre>{@code
 * TrustedProxies proxies = TrustedProxies.parse("trusted-proxies", "10.0.0.0/8");
 * proxies.client(peer, List.of("198.51.100.7, 10.1.2.3"));   // 198.51.100.7 when peer is 10.x
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class TrustedProxies {

    /** The most {@code X-Forwarded-For} entries examined. */
    public static final int MAX_HOPS = 32;

    private static final TrustedProxies NONE = new TrustedProxies(List.of());

    private final List<Cidr> networks;

    private TrustedProxies(List<Cidr> networks) {
        this.networks = networks;
    }

    /** @return no trusted proxy: the client is always the peer */
    public static TrustedProxies none() {
        return NONE;
    }

    /**
     * Parses comma-separated addresses or CIDR networks (IPv4 or IPv6).
     *
     * @param setting the setting's name, for messages
     * @param list the list; blank entries are skipped
     * @return the proxies
     * @throws IllegalArgumentException naming {@code setting} and the entry that is not an
     *     address or network
     */
    public static TrustedProxies parse(String setting, String list) {
        Objects.requireNonNull(setting, "setting");
        Objects.requireNonNull(list, "list");
        return of(Cidr.parseList(setting, list));
    }

    static TrustedProxies of(List<Cidr> networks) {
        return networks.isEmpty() ? NONE : new TrustedProxies(List.copyOf(networks));
    }

    /** @return whether no proxy is trusted */
    public boolean isEmpty() {
        return networks.isEmpty();
    }

    /**
     * The client's address.
     *
     * @param peer the TCP peer
     * @param forwardedFor every {@code X-Forwarded-For} header value in order; may be null
     * @return the client's address (IPv4-mapped IPv6 as IPv4)
     * @throws IllegalArgumentException if a trusted proxy sent an entry that is not an IP address
     *     (the message is safe to show the client)
     */
    public InetAddress client(InetAddress peer, List<String> forwardedFor) {
        byte[] client = clientBytes(Cidr.normalise(peer), forwardedFor);
        try {
            return InetAddress.getByAddress(client);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("address of " + client.length + " bytes", e);
        }
    }

    /**
     * {@link #client(InetAddress, List)} for a peer given as text, as servlet containers report it.
     *
     * @param peer the TCP peer's address literal
     * @param forwardedFor every {@code X-Forwarded-For} header value in order; may be null
     * @return {@code peer} itself when it is the client (or not an IP literal), else the
     *     forwarded client's address in {@link InetAddress#getHostAddress()} form
     * @throws IllegalArgumentException if a trusted proxy sent an entry that is not an IP address
     */
    public String client(String peer, List<String> forwardedFor) {
        byte[] p = Cidr.parseAddress(Objects.requireNonNull(peer, "peer"));
        if (p == null) {
            return peer;
        }
        byte[] c = clientBytes(p, forwardedFor);
        if (c == p) {
            return peer;
        }
        try {
            return InetAddress.getByAddress(c).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("address of " + c.length + " bytes", e);
        }
    }

    /** {@link #client} as normalised address bytes, for network matching. */
    byte[] clientBytes(byte[] peer, List<String> forwardedFor) {
        if (networks.isEmpty() || !Cidr.anyContains(networks, peer)
                || forwardedFor == null || forwardedFor.isEmpty()) {
            return peer;
        }
        byte[] client = peer;
        int hops = 0;
        for (int line = forwardedFor.size() - 1; line >= 0; line--) {
            String value = forwardedFor.get(line);
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
                    throw new IllegalArgumentException(
                            "X-Forwarded-For contains an entry that is not an IP address");
                }
                client = address;
                if (!Cidr.anyContains(networks, address) || ++hops >= MAX_HOPS) {
                    return client;
                }
            }
        }
        return client;
    }

    @Override
    public String toString() {
        return networks.toString();
    }
}
