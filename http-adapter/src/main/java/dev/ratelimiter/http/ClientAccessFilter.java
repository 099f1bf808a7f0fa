package dev.ratelimiter.http;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;

/** Answers 403 to clients the allow/deny lists refuse, before anything is read or consumed. */
final class ClientAccessFilter extends Filter {

    private final ClientAccess access;

    ClientAccessFilter(ClientAccess access) {
        this.access = access;
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        boolean allowed;
        try {
            allowed = access.allowed(exchange);
        } catch (JsonCodec.BadRequestException e) {
            Responses.error(exchange, 400, e.getMessage());
            return;
        }
        if (allowed) {
            chain.doFilter(exchange);
        } else {
            Responses.error(exchange, 403, "client address is not allowed");
        }
    }

    @Override
    public String description() {
        return "IP allow/deny lists";
    }
}
