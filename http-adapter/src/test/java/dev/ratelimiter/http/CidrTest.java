package dev.ratelimiter.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {

    private static boolean contains(String network, String address) {
        return Cidr.parse(network).contains(Cidr.parseAddress(address));
    }

    @Test
    void ipv4NetworksMatchByPrefix() {
        assertTrue(contains("10.0.0.0/8", "10.255.1.2"));
        assertFalse(contains("10.0.0.0/8", "11.0.0.1"));
        assertTrue(contains("192.168.1.0/23", "192.168.0.9"));
        assertFalse(contains("192.168.1.0/24", "192.168.0.9"));
        assertTrue(contains("0.0.0.0/0", "8.8.8.8"));
        assertTrue(contains("203.0.113.7", "203.0.113.7"));
        assertFalse(contains("203.0.113.7", "203.0.113.8"));
        assertTrue(contains("172.16.0.0/12", "172.31.255.255"));
        assertFalse(contains("172.16.0.0/12", "172.32.0.0"));
    }

    @Test
    void ipv6NetworksMatchByPrefixAndNeverMatchIpv4() {
        assertTrue(contains("2001:db8::/32", "2001:db8:ffff::1"));
        assertFalse(contains("2001:db8::/32", "2001:db9::1"));
        assertTrue(contains("::1", "[::1]"));
        assertFalse(contains("::/0", "10.0.0.1"));
        assertFalse(contains("0.0.0.0/0", "2001:db8::1"));
    }

    @Test
    void ipv4MappedAddressesAndNetworksAreNormalisedToIpv4() {
        assertArrayEquals(new byte[] {10, 1, 2, 3}, Cidr.parseAddress("::ffff:10.1.2.3"));
        assertTrue(contains("10.0.0.0/8", "::ffff:10.1.2.3"));
        assertTrue(contains("::ffff:10.0.0.0/104", "10.9.9.9"));
        assertFalse(contains("::ffff:10.0.0.0/104", "11.0.0.1"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.4/33", "::1/129",
            "1.2.3.4/", "1.2.3.4/x", "localhost", "example.com", "1.2.3.-1", "01234.1.1.1",
            "g::1", "1:2:3:4:5:6:7:8:9", "::1%eth0"})
    void malformedNetworksAreRejectedWithoutDns(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Cidr.parse(text));
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
    }

    @Test
    void listErrorsNameTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Cidr.parseList("ratelimiter.security.ip.whitelist", "10.0.0.0/8, nope"));
        assertEquals("ratelimiter.security.ip.whitelist: 'nope' is not an IP address or CIDR"
                + " network", e.getMessage());
        assertEquals(2, Cidr.parseList("x", " 10.0.0.0/8 ,, ::1 ").size());
    }

    @Test
    void hostNamesAreNotAddresses() {
        assertNull(Cidr.parseAddress("localhost"));
        assertNull(Cidr.parseAddress("abc"));
    }
}
