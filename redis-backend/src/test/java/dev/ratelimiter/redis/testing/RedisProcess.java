package dev.ratelimiter.redis.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.embedded.core.ExecutableProvider;

/**
 * A real {@code redis-server} on a loopback port, run from the binary inside the embedded-redis
 * jar (Redis 6.2), under the test's full control: it can be killed with SIGKILL mid-run and
 * restarted on the same port. A JVM shutdown hook kills it if a test forgets.
 *
 * <p>A test fixture, published in {@code ratelimiter-redis}'s test-jar so that every module's
 * Redis tests start servers the same way. Thread-safe.
 */
public final class RedisProcess implements AutoCloseable {

    private static File executable;

    private final int port;
    private final List<String> extraArgs;
    private final Path dir;
    private Process process;

    private RedisProcess(int port, List<String> extraArgs) throws IOException {
        this.port = port;
        this.extraArgs = List.copyOf(extraArgs);
        this.dir = Files.createTempDirectory("redis-" + port + "-");
        Runtime.getRuntime().addShutdownHook(new Thread(this::kill));
    }

    /**
     * Starts a server on a free loopback port and waits until it answers PING.
     *
     * @param extraArgs more {@code redis-server} arguments, such as {@code "--requirepass", "x"}
     * @return the running server
     */
    public static RedisProcess start(String... extraArgs) {
        try {
            RedisProcess p = new RedisProcess(freePort(false), List.of(extraArgs));
            p.startProcess();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * As {@link #start}, with cluster mode on, on a port whose bus port (port + 10000) is free.
     *
     * @return the running node, not yet part of a cluster
     */
    public static RedisProcess startClusterNode() {
        try {
            RedisProcess p = new RedisProcess(freePort(true), List.of("--cluster-enabled", "yes",
                    "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000"));
            p.startProcess();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the loopback port */
    public int port() {
        return port;
    }

    /** @return {@code redis://127.0.0.1:<port>} */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Kills the server with SIGKILL, as a crash would, and waits until it is gone. */
    public synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    /** Starts the server again on the same port (empty: nothing is persisted). */
    public synchronized void restart() {
        kill();
        try {
            startProcess();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private synchronized void startProcess() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(executable().getAbsolutePath(),
                "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(),
                "--daemonize", "no", "--loglevel", "warning"));
        cmd.addAll(extraArgs);
        process = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile())
                .start();
        awaitPing();
    }

    private void awaitPing() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server on port " + port + " exited: "
                        + log());
            }
            try (Jedis jedis = new Jedis("127.0.0.1", port, 200)) {
                if ("PONG".equals(jedis.ping())) {
                    return;
                }
            } catch (JedisDataException e) {
                return; // it answered, with an error such as NOAUTH: it is up
            } catch (RuntimeException e) {
                last = e;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // polling, with a deadline
        }
        throw new IllegalStateException("redis-server on port " + port
                + " did not answer within 10 s: " + log(), last);
    }

    /** @return what the server has logged, for failure messages */
    public String log() {
        try {
            return Files.readString(dir.resolve("redis.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** @return a new connection to the server (2 s timeout); the caller closes it */
    public Jedis jedis() {
        return new Jedis("127.0.0.1", port, 2000);
    }

    @Override
    public void close() {
        kill();
    }

    private static synchronized File executable() throws IOException {
        if (executable == null) {
            executable = ExecutableProvider.newJarResourceProvider().get();
            executable.setExecutable(true);
        }
        return executable;
    }

    private static int freePort(boolean withBus) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = s.getLocalPort();
                if (!withBus) {
                    return port;
                }
                if (port + 10000 > 65535) {
                    continue;
                }
                try (ServerSocket bus = new ServerSocket(port + 10000, 1,
                        InetAddress.getLoopbackAddress())) {
                    if (bus.isBound()) {
                        return port;
                    }
                } catch (IOException busTaken) {
                    // try another
                }
            }
        }
        throw new IOException("no free loopback port pair found");
    }
}
