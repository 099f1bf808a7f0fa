package dev.ratelimiter.benchmarks.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What the HTTP probes share: loopback-only addresses, one raw HTTP/1.1 exchange on a kept-alive
 * socket, and reading a counter from {@code /metrics}. Stateless.
 */
final class ProbeSupport {

    private ProbeSupport() {
    }

    /**
     * @param url such as {@code http://127.0.0.1:8080}
     * @return its address
     * @throws IllegalArgumentException if it is not on loopback: probes never leave the machine
     */
    static InetSocketAddress loopback(String url) {
        URI u = URI.create(url);
        InetSocketAddress a = new InetSocketAddress(u.getHost(), u.getPort());
        if (a.getAddress() == null || !a.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("probes send only to loopback, not " + url);
        }
        return a;
    }

    /** A response read off a socket: status, whether the server will close, content type. */
    record Reply(int status, boolean closes, String contentType, String body) {
    }

    static String check(String key) {
        String body = "{\"key\":\"" + key + "\"}";
        return "POST /api/ratelimit/check HTTP/1.1\r\nHost: probe\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + body.length()
                + "\r\n\r\n" + body;
    }

    /** @return the next response on {@code in}, or null if the connection ended first */
    static Reply read(InputStream in) throws IOException {
        String status = line(in);
        if (status == null || !status.startsWith("HTTP/1.")) {
            return null;
        }
        int length = 0;
        boolean closes = false;
        String type = "";
        String h;
        while ((h = line(in)) != null && !h.isEmpty()) {
            int colon = h.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> length = Integer.parseInt(value);
                case "connection" -> closes = value.equalsIgnoreCase("close");
                case "content-type" -> type = value;
                default -> { }
            }
        }
        byte[] body = in.readNBytes(length);
        return new Reply(Integer.parseInt(status.substring(9, 12)), closes, type,
                new String(body, StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * Sums the samples of a Prometheus metric from {@code /metrics}.
     *
     * @param address the server
     * @param prefix such as {@code ratelimiter_checks_degraded_total}
     * @return the sum, 0 if absent
     */
    static double metric(InetSocketAddress address, String prefix) throws IOException {
        return metric(address, prefix, null);
    }

    /**
     * Sums the samples of a Prometheus metric whose line does not contain {@code exclude}.
     *
     * @param address the server
     * @param prefix the metric name
     * @param exclude a label text such as {@code outcome="error"}, or null
     * @return the sum, 0 if absent
     */
    static double metric(InetSocketAddress address, String prefix, String exclude)
            throws IOException {
        try (Socket s = new Socket()) {
            s.connect(address, 2_000);
            s.setSoTimeout(5_000);
            s.getOutputStream().write(("GET /metrics HTTP/1.1\r\nHost: probe\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            Reply r = read(s.getInputStream());
            if (r == null || r.status() != 200) {
                throw new IOException("/metrics answered " + (r == null ? "nothing" : r.status()));
            }
            double sum = 0;
            for (String line : r.body().split("\n")) {
                if (exclude != null && line.contains(exclude)) {
                    continue;
                }
                if (line.startsWith(prefix) && (line.length() == prefix.length()
                        || line.charAt(prefix.length()) == '{'
                        || line.charAt(prefix.length()) == ' ')) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return sum;
        }
    }

    /** @return nanoseconds as milliseconds with one decimal */
    static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
    }
}
