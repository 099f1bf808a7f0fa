package dev.ratelimiter.benchmarks.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A seeded fuzzer of raw HTTP/1.1 requests (issue 11, "bad input at volume"). Request {@code i}
 * is built from {@code new Random(seed * 1_000_003 + i)} alone, so any one can be replayed: a
 * check request mutated in one way (method, path, header count or size, {@code Content-Length}
 * lies, transfer codings, invalid UTF-8, deep or duplicate JSON, NULs, huge numbers, content
 * type, random bytes, HTTP version). Each goes on its own connection, which the fuzzer
 * half-closes after writing, so a lying length ends in EOF instead of a wait; it then reads
 * the first status line (5 s deadline).
 *
 * <p>Reports, per kind: statuses, 5xx from our code (JSON bodies; the JDK's own 501 for an
 * unimplemented transfer coding is HTML and correct under RFC 9112), connections that ended
 * without a response (split into those the JDK closes by design, over its header caps, and the
 * rest), and at the end: decisions the server counted against 200/429 responses seen (a
 * difference means a rejected request consumed tokens), degraded decisions, and health after.
 * Exits 1 on any 5xx from our code, any unexpected drop, a token difference, a degraded
 * decision or an unhealthy server.
 *
 * <p>{@code java -cp benchmarks/target/classes dev.ratelimiter.benchmarks.http.RawFuzzer
 * http://127.0.0.1:8080 [count=100000] [seed=42] [threads=4] [replayIndex]}: with a fifth
 * argument it sends only that request and prints it and the outcome. Loopback only.
 */
public final class RawFuzzer {

    private static final String[] KINDS = {"valid", "method", "path", "headers-many",
        "headers-large", "length-longer", "length-shorter", "length-bad", "transfer-coding",
        "utf8", "json-deep", "json-duplicate", "nul", "numbers", "content-type", "random-body",
        "version"};

    /** What one request was and whether the JDK may close it without a response. */
    record Case(String kind, byte[] bytes, boolean jdkMayDrop) {
    }

    private RawFuzzer() {
    }

    /**
     * Runs the fuzzer.
     *
     * @param args URL, then optional count, seed and threads
     * @throws Exception if the server cannot be reached at the start
     */
    public static void main(String[] args) throws Exception {
        InetSocketAddress address = ProbeSupport.loopback(args[0]);
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 42;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        if (args.length > 4) {
            // Replay one request: print it (first 300 bytes) and what the server did.
            long i = Long.parseLong(args[4]);
            Case c = build(new Random(seed * 1_000_003 + i), i);
            String text = new String(c.bytes(), StandardCharsets.ISO_8859_1);
            System.out.println(c.kind() + " (" + c.bytes().length + " bytes): "
                    + text.substring(0, Math.min(300, text.length())).replace("\r\n", "\\r\\n"));
            System.out.println("-> " + send(address, c.bytes()));
            return;
        }

        double decisionsBefore = decisions(address);
        double degradedBefore = ProbeSupport.metric(address, "ratelimiter_checks_degraded_total");
        Map<String, Map<String, LongAdder>> byKind = new ConcurrentHashMap<>();
        LongAdder decided = new LongAdder();
        LongAdder ours5xx = new LongAdder();
        LongAdder unexpectedDrops = new LongAdder();
        ConcurrentHashMap<String, Long> firstExample = new ConcurrentHashMap<>();
        AtomicLong next = new AtomicLong();
        long start = System.nanoTime();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                long i;
                while ((i = next.getAndIncrement()) < count) {
                    Case c = build(new Random(seed * 1_000_003 + i), i);
                    String outcome = send(address, c.bytes());
                    byKind.computeIfAbsent(c.kind(), k -> new ConcurrentHashMap<>())
                            .computeIfAbsent(outcome, k -> new LongAdder()).increment();
                    if (outcome.startsWith("200+") || outcome.startsWith("429+")) {
                        decided.increment();
                    } else if (outcome.startsWith("5") && outcome.endsWith("json")) {
                        ours5xx.increment();
                        firstExample.putIfAbsent("5xx " + c.kind(), i);
                    } else if (outcome.startsWith("dropped") && !c.jdkMayDrop()) {
                        unexpectedDrops.increment();
                        firstExample.putIfAbsent("drop " + c.kind(), i);
                    }
                }
            }, "fuzz-" + t);
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        long elapsed = System.nanoTime() - start;

        double decisionsAfter = decisions(address);
        double degradedAfter = ProbeSupport.metric(address, "ratelimiter_checks_degraded_total");
        boolean healthy = healthy(address);
        System.out.printf("fuzz: %d requests, seed %d, %d threads, %.1f s%n", count, seed,
                threads, elapsed / 1e9);
        System.out.println("| kind | outcomes (status[+json|html] or dropped) |");
        System.out.println("|---|---|");
        for (String kind : KINDS) {
            Map<String, LongAdder> m = byKind.get(kind);
            if (m != null) {
                Map<String, Long> sorted = new TreeMap<>();
                m.forEach((k, v) -> sorted.put(k, v.sum()));
                System.out.println("| " + kind + " | " + sorted + " |");
            }
        }
        long tokenDiff = Math.round(decisionsAfter - decisionsBefore) - decided.sum();
        System.out.printf("5xx from our code: %d; unexpected drops: %d; decisions counted - 200/429"
                + " seen: %d; degraded: %.0f; healthy after: %s%n", ours5xx.sum(),
                unexpectedDrops.sum(), tokenDiff, degradedAfter - degradedBefore, healthy);
        firstExample.forEach((k, i) -> System.out.println("first " + k + ": request #" + i
                + " (replay: same seed, index " + i + ")"));
        boolean ok = ours5xx.sum() == 0 && unexpectedDrops.sum() == 0 && tokenDiff == 0
                && degradedAfter == degradedBefore && healthy;
        System.out.println(ok ? "PASS" : "FAIL");
        System.exit(ok ? 0 : 1);
    }

    private static double decisions(InetSocketAddress a) throws IOException {
        return ProbeSupport.metric(a, "ratelimiter_checks_total", "outcome=\"error\"");
    }

    private static boolean healthy(InetSocketAddress address) {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < deadline) {
            String health = send(address, ("GET /health HTTP/1.1\r\nHost: f\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String check = send(address, ProbeSupport.check("after-fuzz-" + System.nanoTime())
                    .getBytes(StandardCharsets.US_ASCII));
            if (health.startsWith("200") && check.startsWith("200")) {
                return true;
            }
        }
        return false;
    }

    /** @return "200+json", "501+html", ... or "dropped" */
    static String send(InetSocketAddress address, byte[] bytes) {
        try (Socket s = new Socket()) {
            s.connect(address, 5_000);
            s.setSoTimeout(5_000);
            // Reset on close: no TIME_WAIT left on either side after 100,000 connections.
            s.setSoLinger(true, 0);
            try {
                s.getOutputStream().write(bytes);
                s.shutdownOutput();
            } catch (IOException e) {
                // the server answered and closed before reading everything: read what it said
            }
            InputStream in = s.getInputStream();
            ProbeSupport.Reply r = ProbeSupport.read(in);
            if (r == null) {
                return "dropped";
            }
            String type = r.contentType().startsWith("application/json") ? "json"
                    : r.contentType().startsWith("text/html") ? "html" : "other";
            return r.status() + "+" + type;
        } catch (IOException e) {
            return "dropped";
        }
    }

    static Case build(Random r, long i) {
        String kind = KINDS[r.nextInt(KINDS.length)];
        String method = "POST";
        String path = "/api/ratelimit/check";
        String version = "HTTP/1.1";
        List<String> headers = new ArrayList<>(List.of("Host: fuzz",
                "Content-Type: application/json"));
        byte[] body = ("{\"key\":\"fz-" + i + "\"}").getBytes(StandardCharsets.UTF_8);
        Integer length = null; // null: the true length
        boolean jdkMayDrop = false;
        switch (kind) {
            case "method" -> method = pick(r, "GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD",
                    "TRACE", "CONNECT", "post", "P0ST", "X".repeat(1 + r.nextInt(300)), "");
            case "path" -> path = pick(r, "/", "/api/ratelimit/check/", "/api/ratelimit/check?x=1",
                    "/api/ratelimit/CHECK", "//api/ratelimit/check", "/api/../api/ratelimit/check",
                    "/%00", "/%zz", "*", "http://fuzz/api/ratelimit/check", "/health",
                    "/metrics", "/" + "a".repeat(1 + r.nextInt(10_000)), "/\u00e9", "");
            case "headers-many" -> {
                int n = r.nextBoolean() ? 101 + r.nextInt(1500) : 2001 + r.nextInt(1000);
                for (int k = 0; k < n; k++) {
                    headers.add("X-F" + k + ": v");
                }
            }
            case "headers-large" -> {
                int n = r.nextBoolean() ? 16_500 + r.nextInt(40_000) : 66_000 + r.nextInt(50_000);
                headers.add("X-Large: " + "a".repeat(n));
            }
            case "length-longer" -> length = body.length + 1 + r.nextInt(1000);
            case "length-shorter" -> length = r.nextInt(body.length);
            case "length-bad" -> headers.add(pick(r, "Content-Length: abc", "Content-Length: -1",
                    "Content-Length: 1, 2", "Content-Length: 99999999999999999999",
                    "Content-Length: " + body.length + "\r\nContent-Length: " + body.length,
                    "Content-Length: 0x10", "Content-Length:"));
            case "transfer-coding" -> {
                String te = pick(r, "chunked", "gzip, chunked", "gzip", "identity", "chunked, chunked",
                        "CHUNKED", "x-custom");
                headers.add("Transfer-Encoding: " + te);
                if (r.nextInt(4) == 0) {
                    headers.add("Content-Length: " + body.length);
                }
                body = r.nextBoolean() ? chunked(body)
                        : ("zz\r\n" + new String(body, StandardCharsets.UTF_8) + "\r\n0\r\n\r\n")
                                .getBytes(StandardCharsets.UTF_8);
                length = -1;
            }
            case "utf8" -> body = concat("{\"key\":\"fz-".getBytes(StandardCharsets.UTF_8),
                    pickBytes(r), "\"}".getBytes(StandardCharsets.UTF_8));
            case "json-deep" -> {
                int depth = 33 + r.nextInt(2000);
                body = ("{\"key\":" + "[".repeat(depth) + "]".repeat(depth) + "}")
                        .getBytes(StandardCharsets.UTF_8);
            }
            case "json-duplicate" -> body = pick(r, "{\"key\":\"a\",\"key\":\"b\"}",
                    "{\"key\":\"a\",\"tokens\":1,\"tokens\":2}", "{\"key\":\"a\"}{\"key\":\"b\"}",
                    "{\"key\":\"a\",\"apiKey\":null,\"apiKey\":null}")
                    .getBytes(StandardCharsets.UTF_8);
            case "nul" -> {
                int where = r.nextInt(3);
                if (where == 0) {
                    path = "/api/ratelimit/check\0";
                } else if (where == 1) {
                    headers.add("X-Nul: a\0b");
                } else {
                    body = ("{\"key\":\"a\0b\"}").getBytes(StandardCharsets.UTF_8);
                }
            }
            case "numbers" -> body = ("{\"key\":\"fz-" + i + "\",\"tokens\":" + pick(r,
                    "99999999999999999999999999", "1e400", "-1", "0", "1.5", "9223372036854775807",
                    "9223372036854775808", "1" + "0".repeat(70), "NaN", "\"1\"", "null", "true")
                    + "}").getBytes(StandardCharsets.UTF_8);
            case "content-type" -> {
                headers.remove(1);
                String ct = pick(r, "text/plain", "application/json; charset=latin1",
                        "application/xml", "", "application/json;;;", "*/*", null);
                if (ct != null) {
                    headers.add("Content-Type: " + ct);
                }
            }
            case "random-body" -> {
                body = new byte[r.nextInt(2000)];
                r.nextBytes(body);
            }
            case "version" -> version = pick(r, "HTTP/1.0", "HTTP/2.0", "HTTP/1.1x", "HTTP/9",
                    "", "http/1.1");
            default -> { }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 256);
        String line = method + " " + path + (version.isEmpty() ? "" : " " + version);
        // The JDK's own caps (see JdkServerTuning): past them it closes without a response.
        long jdkCost = line.length() + 32L;
        java.util.Set<String> names = new java.util.HashSet<>();
        for (String header : headers) {
            for (String one : header.split("\r\n")) {
                jdkCost += one.length() + 33; // the JDK adds 1 for the first character too
                names.add(one.split(":", 2)[0].toLowerCase(java.util.Locale.ROOT));
            }
        }
        jdkMayDrop |= jdkCost + 64 > 64 * 1024 || names.size() + 1 >= 2000
                || line.length() > 64 * 1024;
        String head = line + "\r\n";
        StringBuilder h = new StringBuilder(head);
        for (String header : headers) {
            h.append(header).append("\r\n");
        }
        if (length == null) {
            h.append("Content-Length: ").append(body.length).append("\r\n");
        } else if (length >= 0) {
            h.append("Content-Length: ").append(length).append("\r\n");
        }
        h.append("\r\n");
        out.writeBytes(h.toString().getBytes(StandardCharsets.UTF_8));
        out.writeBytes(body);
        return new Case(kind, out.toByteArray(), jdkMayDrop);
    }

    private static byte[] chunked(byte[] body) {
        int half = body.length / 2;
        String s = new String(body, StandardCharsets.UTF_8);
        return (Integer.toHexString(half) + "\r\n" + s.substring(0, half) + "\r\n"
                + Integer.toHexString(body.length - half) + "\r\n" + s.substring(half)
                + "\r\n0\r\n\r\n").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] pickBytes(Random r) {
        byte[][] bad = {{(byte) 0xc3, 0x28}, {(byte) 0xc0, (byte) 0x80},
            {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, {(byte) 0xf4, (byte) 0x90, (byte) 0x80,
                (byte) 0x80}, {(byte) 0xe2, (byte) 0x82}, {(byte) 0xff}, {(byte) 0xfe, (byte) 0xff},
            {(byte) 0x80}};
        return bad[r.nextInt(bad.length)];
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @SafeVarargs
    private static <T> T pick(Random r, T... options) {
        return options[r.nextInt(options.length)];
    }
}
