package dev.ratelimiter.http;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the JDK server's dispatcher running while it drains for shutdown. The JDK's
 * {@code HttpServer.stop} closes the listening socket at once (good: new connections are
 * refused), but its dispatcher stops reading as soon as no exchange is in progress, so a request
 * that a client has already sent on an idle kept-alive connection is never read and the
 * connection is closed under it. This class holds one exchange of its own open (a request to a
 * random path registered only now, from loopback, whose handler waits) until the server has
 * answered everything it received; then it lets go and the JDK finishes. Used by one thread.
 */
final class DrainKeeper {

    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private Socket socket;

    /**
     * Starts the held exchange; waits at most {@code waitMillis} for it to reach its handler.
     *
     * @return true if the exchange is held (false: the server is too busy or unreachable; the
     *     shutdown then drains without it)
     */
    boolean open(HttpServer server, long waitMillis, long holdMillis) {
        byte[] token = new byte[16];
        new SecureRandom().nextBytes(token);
        String path = "/.ratelimiter-drain-" + HexFormat.of().formatHex(token);
        try {
            server.createContext(path, exchange -> {
                entered.countDown();
                try {
                    release.await(holdMillis, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            InetSocketAddress bound = server.getAddress();
            InetAddress to = bound.getAddress().isAnyLocalAddress()
                    ? InetAddress.getLoopbackAddress() : bound.getAddress();
            socket = new Socket();
            socket.connect(new InetSocketAddress(to, bound.getPort()), (int) waitMillis);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return entered.await(waitMillis, TimeUnit.MILLISECONDS);
        } catch (IOException | RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Lets the held exchange finish and waits briefly for its response. */
    void release(long waitMillis) {
        release.countDown();
        if (socket == null) {
            return;
        }
        try (Socket s = socket) {
            s.setSoTimeout((int) Math.max(1, waitMillis));
            InputStream in = s.getInputStream();
            byte[] buf = new byte[256];
            while (in.read(buf) >= 0) {
                // read until the server closes
            }
        } catch (IOException e) {
            // the server is closing anyway
        }
    }
}
