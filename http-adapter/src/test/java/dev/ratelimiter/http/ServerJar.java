package dev.ratelimiter.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The built standalone jar, run as a separate process for the integration tests: started with a
 * clean {@code RATE_LIMITER_*} environment plus the given variables, its startup line read (within
 * 60 s), and its output drained so it never blocks on a full pipe.
 *
 * @param process the running JVM
 * @param url the base URL from the startup line, such as {@code http://127.0.0.1:41234}
 * @param startupLine the line the server printed on start
 * @param output every later line it printed (standard output and error), as they come
 */
record ServerJar(Process process, String url, String startupLine, List<String> output) {

    static final Path JAR = Path.of(System.getProperty("ratelimiter.http.jar",
            "target/ratelimiter-http-0.1.0-SNAPSHOT-all.jar"));
    private static final String PREFIX = "ratelimiter-http listening on ";

    static ServerJar start(Map<String, String> env) throws Exception {
        return start(env, List.of());
    }

    static ServerJar start(Map<String, String> env, List<String> args) throws Exception {
        assertTrue(Files.isRegularFile(JAR), "build the jar first: " + JAR);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"),
                "bin", "java").toString(), "-jar", JAR.toString()));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().keySet().removeIf(name -> name.startsWith("RATE_LIMITER_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                return "read failed: " + e;
            }
        }).get(60, TimeUnit.SECONDS);
        List<String> output = new CopyOnWriteArrayList<>();
        Thread drain = new Thread(() -> {
            try {
                for (String l; (l = out.readLine()) != null; ) {
                    output.add(l);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "drain-" + p.pid());
        drain.setDaemon(true);
        drain.start();
        if (line == null || !line.startsWith(PREFIX + "http://")) {
            p.destroyForcibly();
            throw new AssertionError("startup line: " + line);
        }
        String url = line.substring(PREFIX.length(), line.indexOf(' ', PREFIX.length()));
        return new ServerJar(p, url, line, output);
    }
}
