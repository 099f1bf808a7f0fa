package dev.ratelimiter.http;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An IPv4 or IPv6 network in CIDR form ({@code 10.0.0.0/8}, {@code 2001:db8::/32}) or a single
 * address. IPv4-mapped IPv6 addresses ({@code ::ffff:10.1.2.3}) and networks inside
 * {@code ::ffff:0:0/96} are normalised to IPv4, so one rule covers both spellings.
 *
 * <p>Parsing never consults DNS: only address literals are accepted. Immutable and thread-safe.
 */
final class Cidr {

    private final byte[] network;
    private final int prefixBits;
    private final String text;

    private Cidr(byte[] network, int prefixBits, String text) {
        this.network = network;
        this.prefixBits = prefixBits;
        this.text = text;
    }

    /**
     * Parses a comma-separated list of networks.
     *
     * @param setting the setting's name, for messages
     * @param list the list; blank entries are skipped
     * @return the networks
     * @throws IllegalArgumentException naming the setting and the bad entry
     */
    static List<Cidr> parseList(String setting, String list) {
        List<Cidr> out = new ArrayList<>();
        for (String part : list.split(",", -1)) {
            String entry = part.trim();
            if (!entry.isEmpty()) {
                try {
                    out.add(parse(entry));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(setting + ": " + e.getMessage(), e);
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * Parses {@code address} or {@code address/prefix}.
     *
     * @param text the network
     * @return the network
     * @throws IllegalArgumentException if it is not an address literal with a valid prefix
     */
    static Cidr parse(String text) {
        int slash = text.indexOf('/');
        String addressText = slash < 0 ? text : text.substring(0, slash);
        byte[] address = parseAddress(addressText);
        if (address == null) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR network");
        }
        // An IPv6 spelling of an IPv4-mapped address arrives here already as 4 bytes; its
        // prefix still counts IPv6 bits.
        boolean writtenAsIpv6 = addressText.indexOf(':') >= 0;
        int maxBits = writtenAsIpv6 ? 128 : 32;
        int prefix = maxBits;
        if (slash >= 0) {
            String prefixText = text.substring(slash + 1);
            if (prefixText.isEmpty() || prefixText.length() > 3 || !isDigits(prefixText)) {
                throw new IllegalArgumentException("'" + text + "' has a malformed prefix length");
            }
            prefix = Integer.parseInt(prefixText);
            if (prefix > maxBits) {
                throw new IllegalArgumentException("'" + text + "' has a prefix length over "
                        + maxBits);
            }
        }
        if (writtenAsIpv6 && address.length == 4) {
            if (prefix < 96) {
                throw new IllegalArgumentException("'" + text + "' is an IPv4-mapped network;"
                        + " its prefix length must be at least 96");
            }
            prefix -= 96;
        }
        mask(address, prefix);
        return new Cidr(address, prefix, text);
    }

    /**
     * Parses an address literal, IPv4 or IPv6 (optionally in brackets), without DNS.
     *
     * @param text the literal
     * @return its bytes (4 or 16, mapped IPv6 normalised to 4), or null if it is not a literal
     */
    static byte[] parseAddress(String text) {
        String s = text;
        if (s.length() > 2 && s.charAt(0) == '[' && s.charAt(s.length() - 1) == ']') {
            s = s.substring(1, s.length() - 1);
        }
        if (s.isEmpty() || s.length() > 45) {
            return null;
        }
        if (s.indexOf(':') < 0) {
            return parseIpv4(s);
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
                    || c == ':' || c == '.';
            if (!ok) {
                return null;
            }
        }
        try {
            // Safe: a string of hex digits, ':' and '.' containing ':' is parsed as an IPv6
            // literal or rejected; the JDK never resolves it through DNS.
            return normalise(InetAddress.getByName(s).getAddress());
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static byte[] parseIpv4(String s) {
        byte[] out = new byte[4];
        int part = 0;
        int value = -1;
        int digits = 0;
        for (int i = 0; i <= s.length(); i++) {
            char c = i < s.length() ? s.charAt(i) : '.';
            if (c == '.') {
                if (digits == 0 || part > 3) {
                    return null;
                }
                out[part++] = (byte) value;
                value = -1;
                digits = 0;
            } else if (c >= '0' && c <= '9') {
                value = (value < 0 ? 0 : value * 10) + (c - '0');
                if (++digits > 3 || value > 255) {
                    return null;
                }
            } else {
                return null;
            }
        }
        return part == 4 ? out : null;
    }

    /**
     * The address's bytes with IPv4-mapped IPv6 turned into IPv4.
     *
     * @param address 4 or 16 bytes
     * @return 4 or 16 bytes
     */
    static byte[] normalise(byte[] address) {
        return address.length == 16 && isMapped(address)
                ? Arrays.copyOfRange(address, 12, 16) : address;
    }

    /**
     * {@link #normalise(byte[])} for an {@link InetAddress}.
     *
     * @param address the address
     * @return its normalised bytes
     */
    static byte[] normalise(InetAddress address) {
        return address instanceof Inet6Address ? normalise(address.getAddress())
                : address.getAddress();
    }

    private static boolean isMapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    private static boolean isDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static void mask(byte[] address, int prefix) {
        for (int i = 0; i < address.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            address[i] &= (byte) (0xff << (8 - bits));
        }
    }

    /**
     * Whether the normalised address lies in this network.
     *
     * @param address 4 or 16 normalised bytes
     * @return true if inside; an address of the other family never is
     */
    boolean contains(byte[] address) {
        if (address.length != network.length) {
            return false;
        }
        int full = prefixBits / 8;
        for (int i = 0; i < full; i++) {
            if (address[i] != network[i]) {
                return false;
            }
        }
        int rest = prefixBits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest);
        return (address[full] & mask) == (network[full] & 0xff & mask);
    }

    /**
     * Whether any of {@code networks} contains the address.
     *
     * @param networks the networks
     * @param address normalised bytes
     * @return true if one does
     */
    static boolean anyContains(List<Cidr> networks, byte[] address) {
        for (Cidr network : networks) {
            if (network.contains(address)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return text;
    }
}
