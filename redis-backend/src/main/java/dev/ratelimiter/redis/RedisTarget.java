package dev.ratelimiter.redis;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.net.URLDecoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import redis.clients.jedis.HostAndPort;

/**
 * Where a store connects: one Redis server from a {@code redis://} or {@code rediss://} URL, or
 * the seed nodes of a Redis Cluster. Parsed and validated once, with messages that name the
 * option; {@link #toString()} never shows the password.
 */
final class RedisTarget {

    static final int DEFAULT_PORT = 6379;

    final List<HostAndPort> nodes;
    final boolean cluster;
    final String user;
    final String password;
    final int database;
    final boolean ssl;

    private RedisTarget(List<HostAndPort> nodes, boolean cluster, String user, String password,
                        int database, boolean ssl) {
        this.nodes = List.copyOf(nodes);
        this.cluster = cluster;
        this.user = user;
        this.password = password;
        this.database = database;
        this.ssl = ssl;
    }

    /**
     * Parses {@code redis://[user:password@]host[:port][/database]} or {@code rediss://...}.
     *
     * @throws IllegalArgumentException naming {@code option} and what is wrong
     */
    static RedisTarget parseUrl(String option, String url) {
        Objects.requireNonNull(url, option);
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(option + " is not a valid URL (" + e.getReason()
                    + "): " + mask(url));
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equals("redis") || scheme.equals("rediss"))) {
            throw new IllegalArgumentException(option + " must start with redis:// or rediss://, was "
                    + mask(url));
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException(option + " has no host: " + mask(url));
        }
        int port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(option + " port must be 1..65535, was " + port);
        }
        int database = 0;
        String path = uri.getPath();
        if (path != null && !path.isEmpty() && !path.equals("/")) {
            try {
                database = Integer.parseInt(path.substring(1));
            } catch (NumberFormatException e) {
                database = -1;
            }
            if (database < 0) {
                throw new IllegalArgumentException(option
                        + " database (the path) must be a number >= 0, was '" + path.substring(1)
                        + "': " + mask(url));
            }
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException(option
                    + " must not have a query or fragment: " + mask(url));
        }
        String user = null;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null && !userInfo.isEmpty()) {
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                // redis://secret@host is the common shorthand for a password without a user.
                password = decode(userInfo);
            } else {
                String u = decode(userInfo.substring(0, colon));
                user = u.isEmpty() ? null : u;
                password = decode(userInfo.substring(colon + 1));
            }
        }
        return new RedisTarget(List.of(new HostAndPort(host, port)), false, user, password,
                database, scheme.equals("rediss"));
    }

    /**
     * Parses a comma-separated list of {@code host:port} seed nodes of a cluster.
     *
     * @throws IllegalArgumentException naming {@code option} and the bad entry
     */
    static RedisTarget parseClusterNodes(String option, String nodes, String user,
                                         String password, boolean ssl) {
        Objects.requireNonNull(nodes, option);
        List<HostAndPort> parsed = new ArrayList<>();
        for (String entry : nodes.split(",")) {
            String node = entry.trim();
            if (node.isEmpty()) {
                continue;
            }
            int colon = node.lastIndexOf(':');
            if (colon <= 0 || colon == node.length() - 1) {
                throw new IllegalArgumentException(option
                        + " entries must be host:port, was '" + node + "'");
            }
            int port;
            try {
                port = Integer.parseInt(node.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(option
                        + " port must be 1..65535, was '" + node + "'");
            }
            parsed.add(new HostAndPort(node.substring(0, colon), port));
        }
        if (parsed.isEmpty()) {
            throw new IllegalArgumentException(option + " must list at least one host:port");
        }
        return new RedisTarget(parsed, true, user, password, 0, ssl);
    }

    /** The target with credentials replaced; used when they come from separate options. */
    RedisTarget withCredentials(String newUser, String newPassword) {
        return new RedisTarget(nodes, cluster, newUser != null ? newUser : user,
                newPassword != null ? newPassword : password, database, ssl);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** The URL with any password replaced by {@code ***}, for messages. */
    static String mask(String url) {
        int scheme = url.indexOf("://");
        int at = url.lastIndexOf('@');
        if (scheme < 0 || at < scheme) {
            return url;
        }
        String userInfo = url.substring(scheme + 3, at);
        int colon = userInfo.indexOf(':');
        String shown = colon < 0 ? "***" : userInfo.substring(0, colon) + ":***";
        return url.substring(0, scheme + 3) + shown + url.substring(at);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (cluster) {
            sb.append("cluster ").append(ssl ? "(tls) " : "");
            for (int i = 0; i < nodes.size(); i++) {
                sb.append(i == 0 ? "" : ",").append(nodes.get(i));
            }
            return sb.toString();
        }
        sb.append(ssl ? "rediss://" : "redis://");
        if (user != null || password != null) {
            sb.append(user != null ? user : "").append(password != null ? ":***" : "").append('@');
        }
        sb.append(nodes.get(0));
        if (database != 0) {
            sb.append('/').append(database);
        }
        return sb.toString();
    }
}
