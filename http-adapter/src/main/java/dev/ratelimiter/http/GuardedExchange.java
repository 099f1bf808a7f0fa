package dev.ratelimiter.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;

/**
 * The exchange every handler sees, wrapped by {@link ExchangeGuard} so that two things hold
 * whatever the handler does when it sends its headers:
 * <ul>
 *   <li>while the server drains for shutdown, the response carries {@code Connection: close}
 *       (also for a request that was already being handled when the drain began), so a
 *       kept-alive client does not send on a connection about to close;</li>
 *   <li>a {@code HEAD} request is answered as a {@code GET} would be, without a body: the JDK
 *       logs a WARNING for every {@code sendResponseHeaders} with a length on a HEAD request.
 *       This sends the length as a {@code Content-Length} header (RFC 9110 section 9.3.2),
 *       tells the JDK there is no body and discards what the handler writes.</li>
 *   <li>its status is counted before it is sent, so whoever has read a response finds it in
 *       {@code http_server_responses_total}.</li>
 * </ul>
 * Used by one thread, like the exchange it wraps.
 */
final class GuardedExchange extends HttpExchange {

    private final HttpExchange delegate;
    private final ExchangeGuard guard;
    private final boolean head;

    GuardedExchange(HttpExchange delegate, ExchangeGuard guard) {
        this.delegate = delegate;
        this.guard = guard;
        this.head = "HEAD".equals(delegate.getRequestMethod());
    }

    @Override
    public void sendResponseHeaders(int rCode, long responseLength) throws IOException {
        // Counted before the status leaves, so a client that has read a response sees it in
        // the metrics (counting after the exchange closed raced the client's next request).
        guard.sent(rCode);
        if (guard.draining()) {
            delegate.getResponseHeaders().set("Connection", "close");
        }
        if (!head) {
            delegate.sendResponseHeaders(rCode, responseLength);
            return;
        }
        if (responseLength > 0 && rCode >= 200 && rCode != 204 && rCode != 304) {
            delegate.getResponseHeaders().set("Content-Length", Long.toString(responseLength));
        }
        delegate.sendResponseHeaders(rCode, -1);
    }

    @Override
    public OutputStream getResponseBody() {
        return head ? OutputStream.nullOutputStream() : delegate.getResponseBody();
    }

    @Override
    public Headers getRequestHeaders() {
        return delegate.getRequestHeaders();
    }

    @Override
    public Headers getResponseHeaders() {
        return delegate.getResponseHeaders();
    }

    @Override
    public URI getRequestURI() {
        return delegate.getRequestURI();
    }

    @Override
    public String getRequestMethod() {
        return delegate.getRequestMethod();
    }

    @Override
    public HttpContext getHttpContext() {
        return delegate.getHttpContext();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public InputStream getRequestBody() {
        return delegate.getRequestBody();
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
        return delegate.getRemoteAddress();
    }

    @Override
    public int getResponseCode() {
        return delegate.getResponseCode();
    }

    @Override
    public InetSocketAddress getLocalAddress() {
        return delegate.getLocalAddress();
    }

    @Override
    public String getProtocol() {
        return delegate.getProtocol();
    }

    @Override
    public Object getAttribute(String name) {
        return delegate.getAttribute(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        delegate.setAttribute(name, value);
    }

    @Override
    public void setStreams(InputStream i, OutputStream o) {
        delegate.setStreams(i, o);
    }

    @Override
    public HttpPrincipal getPrincipal() {
        return delegate.getPrincipal();
    }
}
