package dev.ratelimiter.spring;

import dev.ratelimiter.RateLimiter;
import dev.ratelimiter.http.RateLimitResponse;
import dev.ratelimiter.http.TrustedProxies;
import dev.ratelimiter.micrometer.RateLimiterMetrics;
import dev.ratelimiter.spi.StoreUnavailableException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.springframework.http.server.PathContainer;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Limits HTTP requests whose path matches {@code ratelimiter.web.paths}: each takes
 * {@code ratelimiter.web.tokens} from the bucket of {@code key-prefix + client}, where the client
 * is chosen by {@code ratelimiter.web.key}. A denied request is answered with the contract's 429
 * (the standalone server's JSON body and {@code RateLimit}, {@code RateLimit-Policy},
 * {@code X-RateLimit-*}, {@code Retry-After} headers, from the shared {@link RateLimitResponse})
 * and goes no further; an allowed one continues with the rate-limit headers set. A store that is
 * down with FAIL_CLOSED, a full store, local overload, or a limiter with no failure policy whose
 * store fails, gives 503; a key the limiter rejects (too long) gives 400 (all as the server).
 *
 * <p>Key modes: {@code ip} (the connection's address, or X-Forwarded-For's client when the peer
 * is a trusted proxy: see {@link TrustedProxies}, the server's own rule); {@code header:NAME} (the header's value);
 * {@code principal} (the authenticated user's name). Without the header or principal, the
 * request is keyed by IP as {@code ip:ADDRESS}. Thread-safe.
 */
final class RateLimitServletFilter extends OncePerRequestFilter {

    /** How the key is chosen. */
    enum Mode { IP, HEADER, PRINCIPAL }

    private final RateLimiter limiter;
    private final RateLimiterMetrics metrics;
    private final List<PathPattern> paths;
    private final Mode mode;
    private final String header;
    private final TrustedProxies proxies;
    private final String prefix;
    private final long tokens;

    /**
     * @param limiter the limiter
     * @param metrics where checks without a decision are counted, or null
     * @param web the {@code ratelimiter.web.*} settings
     * @throws RateLimiterConfigException naming the web property that is wrong
     */
    RateLimitServletFilter(RateLimiter limiter, RateLimiterMetrics metrics,
                           RateLimiterProperties.Web web) {
        this.limiter = limiter;
        this.metrics = metrics;
        this.paths = paths(web.getPaths());
        String key = web.getKey() == null ? "ip" : web.getKey().trim();
        if (key.equalsIgnoreCase("ip")) {
            mode = Mode.IP;
            header = null;
        } else if (key.equalsIgnoreCase("principal")) {
            mode = Mode.PRINCIPAL;
            header = null;
        } else if (key.regionMatches(true, 0, "header:", 0, 7) && key.length() > 7
                && !key.substring(7).isBlank()) {
            mode = Mode.HEADER;
            header = key.substring(7).trim();
        } else {
            throw new RateLimiterConfigException("ratelimiter.web.key", "ratelimiter.web.key"
                    + " must be ip, header:NAME or principal, was '" + key + "'", null);
        }
        try {
            proxies = TrustedProxies.parse("ratelimiter.web.trusted-proxies",
                    String.join(",", web.getTrustedProxies()));
        } catch (IllegalArgumentException e) {
            throw new RateLimiterConfigException("ratelimiter.web.trusted-proxies",
                    e.getMessage(), e);
        }
        if (web.getTokens() < 1) {
            throw new RateLimiterConfigException("ratelimiter.web.tokens",
                    "ratelimiter.web.tokens must be >= 1, was " + web.getTokens(), null);
        }
        this.prefix = web.getKeyPrefix() == null ? "" : web.getKeyPrefix();
        this.tokens = web.getTokens();
    }

    /** @return how keys are chosen */
    Mode mode() {
        return mode;
    }

    private static List<PathPattern> paths(List<String> patterns) {
        PathPatternParser parser = new PathPatternParser();
        List<PathPattern> parsed = new ArrayList<>();
        for (String p : patterns) {
            String text = p.trim();
            if (text.isEmpty()) {
                continue;
            }
            try {
                parsed.add(parser.parse(text));
            } catch (RuntimeException e) {
                throw new RateLimiterConfigException("ratelimiter.web.paths",
                        "ratelimiter.web.paths has an invalid pattern '" + text + "': "
                                + e.getMessage(), e);
            }
        }
        return List.copyOf(parsed);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        PathContainer container = PathContainer.parsePath(path);
        for (PathPattern p : paths) {
            if (p.matches(container)) {
                return false;
            }
        }
        return true;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response,
                                    FilterChain chain) throws ServletException, IOException {
        String key;
        try {
            key = prefix + client(request);
        } catch (IllegalArgumentException e) {
            // A trusted proxy sent an X-Forwarded-For entry that is not an address: 400, as the
            // standalone server answers it (the same TrustedProxies rule).
            Responders.write(RateLimitResponse.error(400, e.getMessage()), response);
            return;
        }
        RateLimitResponse answer;
        try {
            answer = RateLimitResponse.of(limiter.tryAcquire(key, tokens));
        } catch (IllegalArgumentException | NullPointerException e) {
            // The limiter names the rule (key too long, blank): 400.
            answer = RateLimitResponse.rejected(e);
        } catch (StoreUnavailableException | IllegalStateException e) {
            // No failure policy and the store failed, or the limiter is closed: 503.
            countError();
            answer = RateLimitResponse.rejected(e);
        }
        if (!answer.proceed()) {
            Responders.write(answer, response);
            return;
        }
        Responders.headers(answer, response);
        chain.doFilter(request, response);
    }

    private void countError() {
        if (metrics != null) {
            metrics.checkError();
        }
    }

    private String client(HttpServletRequest request) {
        if (mode == Mode.HEADER) {
            String value = request.getHeader(header);
            if (value != null && !value.isBlank()) {
                return value.trim();
            }
        } else if (mode == Mode.PRINCIPAL) {
            Principal p = request.getUserPrincipal();
            if (p != null && p.getName() != null && !p.getName().isBlank()) {
                return p.getName();
            }
        }
        String ip = ip(request);
        return mode == Mode.IP ? ip : "ip:" + ip;
    }

    private String ip(HttpServletRequest request) {
        List<String> forwarded = Collections.list(request.getHeaders("X-Forwarded-For"));
        return proxies.client(request.getRemoteAddr(), forwarded);
    }

    @Override
    public String toString() {
        return "RateLimitServletFilter[" + mode.name().toLowerCase(Locale.ROOT)
                + (header == null ? "" : ":" + header) + ", paths=" + paths + "]";
    }
}
