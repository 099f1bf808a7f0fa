package dev.ratelimiter.spring;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Who the client is, by address: the connection's peer, or, when the peer is one of the
 * configured trusted proxies, the right-most address in {@code X-Forwarded-For} that is not a
 * trusted proxy (the entries left of it were written by the client and prove nothing). The
 * header is never read when the peer is not trusted.
 *
 * <p>Addresses in the header are parsed only as IP literals (never resolved by DNS); a malformed
 * entry stops the walk at the last good address. Immutable and thread-safe.
 */
final class ClientAddress {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private final List<Range> trusted;

    private ClientAddress(List<Range> trusted) {
        this.trusted = trusted;
    }

    /**
     * @param proxies addresses or CIDR ranges such as {@code 10.0.0.0/8} or {@code ::1}
     * @return the resolver
     * @throws IllegalArgumentException naming {@code ratelimiter.web.trusted-proxies} and the
     *     entry that is not an address or range
     */
    static ClientAddress trusting(List<String> proxies) {
        List<Range> ranges = new ArrayList<>();
        for (String p : proxies) {
            String text = p.trim();
            if (!text.isEmpty()) {
                ranges.add(Range.parse(text));
            }
        }
        return new ClientAddress(List.copyOf(ranges));
    }

    /**
     * @param peer the connection's remote address, as the servlet container reports it
     * @param forwardedFor every {@code X-Forwarded-For} header value, in order
     * @return the client's address text
     */
    String resolve(String peer, List<String> forwardedFor) {
        if (trusted.isEmpty() || !isTrusted(peer)) {
            return peer;
        }
        String client = peer;
        for (int h = forwardedFor.size() - 1; h >= 0; h--) {
            String[] hops = forwardedFor.get(h).split(",");
            for (int i = hops.length - 1; i >= 0; i--) {
                String hop = hops[i].trim();
                if (literal(hop) == null) {
                    return client;
                }
                client = hop;
                if (!isTrusted(hop)) {
                    return hop;
                }
            }
        }
        return client;
    }

    private boolean isTrusted(String address) {
        byte[] a = literal(address);
        if (a == null) {
            return false;
        }
        for (Range r : trusted) {
            if (r.contains(a)) {
                return true;
            }
        }
        return false;
    }

    /** The bytes of an IP literal, or null if it is not one; never a DNS lookup. */
    static byte[] literal(String text) {
        if (text == null || !(IPV4.matcher(text).matches() || IPV6.matcher(text).matches())) {
            return null;
        }
        try {
            byte[] a = InetAddress.getByName(text).getAddress();
            if (a.length == 16 && isV4Mapped(a)) {
                byte[] v4 = new byte[4];
                System.arraycopy(a, 12, v4, 0, 4);
                return v4;
            }
            return a;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff;
    }

    /** An address and prefix length. */
    private record Range(byte[] network, int prefix) {

        static Range parse(String text) {
            int slash = text.indexOf('/');
            byte[] a = literal(slash < 0 ? text : text.substring(0, slash));
            int prefix = a == null ? -1 : a.length * 8;
            if (a != null && slash >= 0) {
                try {
                    prefix = Integer.parseInt(text.substring(slash + 1));
                } catch (NumberFormatException e) {
                    prefix = -1;
                }
            }
            if (a == null || prefix < 0 || prefix > a.length * 8) {
                throw new IllegalArgumentException("ratelimiter.web.trusted-proxies must list IP"
                        + " addresses or CIDR ranges such as 10.0.0.0/8, was '" + text + "'");
            }
            return new Range(a, prefix);
        }

        boolean contains(byte[] a) {
            if (a.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (a[full] & mask) == (network[full] & mask);
        }
    }
}
