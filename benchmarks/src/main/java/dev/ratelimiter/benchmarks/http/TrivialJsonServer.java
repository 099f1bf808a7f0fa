package dev.ratelimiter.benchmarks.http;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The transport's ceiling for the HTTP benchmark: a JDK {@code HttpServer} whose only handler
 * reads the request body and answers a fixed 200 JSON body with the same headers as the rate-limit
 * server, tuned as a JDK server should be and nothing more: TCP_NODELAY and a fixed pool of 8
 * threads (measured on 2 cores: 8 threads beat 256 by ~30% at 64 connections). It deliberately
 * does not carry the product's own executor or settings, so the ratio measures them. Whatever
 * the real server costs beyond this is the adapter, its executor and the limiter.
 *
 * <p>Run by {@code benchmarks/scripts/http-bench.sh}; by hand:
 * {@code java -cp benchmarks/target/classes dev.ratelimiter.benchmarks.http.TrivialJsonServer 18090 [threads]}.
 * Binds 127.0.0.1 only.
 */
public final class TrivialJsonServer {

    private static final byte[] BODY = ("{\"key\":\"bench\",\"tokensRequested\":1,\"allowed\":true,"
            + "\"remainingTokens\":9,\"limit\":10,\"retryAfterMs\":0,\"resetAfterMs\":500}")
            .getBytes(StandardCharsets.UTF_8);

    private TrivialJsonServer() {
    }

    /**
     * Serves until killed.
     *
     * @param args the port; 0 picks a free one, printed on startup
     * @throws IOException if the port cannot be bound
     */
    public static void main(String[] args) throws IOException {
        // Set before the JDK server's config class loads.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        int port = Integer.parseInt(args[0]);
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        server.setExecutor(Executors.newFixedThreadPool(threads));
        server.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                in.readAllBytes();
            }
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            exchange.sendResponseHeaders(200, BODY.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(BODY);
            }
            exchange.close();
        });
        server.start();
        System.out.println("trivial-json listening on http://127.0.0.1:"
                + server.getAddress().getPort());
    }
}
