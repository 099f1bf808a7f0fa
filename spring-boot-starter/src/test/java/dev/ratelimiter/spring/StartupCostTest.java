package dev.ratelimiter.spring;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The starter's start-up cost: a minimal Spring MVC app (Tomcat, one controller, actuator on the
 * class path either way) started in fresh JVMs, alternately without our jars on the class path
 * and with the starter (filter enabled), {@code startup.runs} times each; prints every time
 * from JVM start to {@code ApplicationReadyEvent} and the medians. Not a CI test: run it on a
 * quiet machine.
 *
 * <pre>
 * mvn -B -ntp -o -pl spring-boot-starter -am test -Dtest=StartupCostTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dstartup.runs=10
 * </pre>
 */
@EnabledIfSystemProperty(named = "startup.runs", matches = "\\d+")
class StartupCostTest {

    /** The measured app; references nothing of ours, so it starts without our jars. */
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    @Import(MinimalApp.Hello.class)
    public static class MinimalApp {

        /** One endpoint. */
        @RestController
        public static class Hello {
            @GetMapping("/api/hello")
            public String hello() {
                return "hello";
            }
        }

        public static void main(String[] args) {
            SpringApplication app = new SpringApplication(MinimalApp.class);
            app.addListeners(event -> {
                if (event instanceof ApplicationReadyEvent) {
                    System.out.println("ready-ms="
                            + ManagementFactory.getRuntimeMXBean().getUptime());
                }
            });
            app.run(args).close();
        }
    }

    @Test
    void printsStartUpTimeWithAndWithoutTheStarter() throws Exception {
        int runs = Integer.parseInt(System.getProperty("startup.runs"));
        String full = System.getProperty("java.class.path");
        Path moduleDir = Path.of("").toAbsolutePath();
        Path root = moduleDir.getParent();
        String testClasses = moduleDir.resolve("target/test-classes").toString();
        String without = Arrays.stream(full.split(File.pathSeparator))
                .filter(e -> e.equals(testClasses) || !(e.startsWith(root.toString())
                        || Path.of(e).getFileName().toString().startsWith("ratelimiter-")))
                .collect(Collectors.joining(File.pathSeparator));
        List<Long> with = new ArrayList<>();
        List<Long> bare = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            bare.add(start(without, false));
            with.add(start(full, true));
        }
        System.out.println("startup without the starter (ms): " + bare + ", median "
                + median(bare));
        System.out.println("startup with the starter (ms):    " + with + ", median "
                + median(with));
        System.out.println("starter cost (median difference): " + (median(with) - median(bare))
                + " ms");
        assertTrue(median(with) > 0 && median(bare) > 0);
    }

    private static long start(String classPath, boolean starter) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-cp", classPath, MinimalApp.class.getName(),
                "--server.port=0", "--spring.main.banner-mode=off",
                "--logging.level.root=WARN"));
        if (starter) {
            cmd.addAll(List.of("--ratelimiter.web.enabled=true",
                    "--ratelimiter.web.paths=/api/**"));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        long ready = -1;
        try (BufferedReader r = new BufferedReader(
                new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("ready-ms=")) {
                    ready = Long.parseLong(line.substring("ready-ms=".length()));
                }
            }
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        if (ready < 0) {
            throw new AssertionError("the app did not start: " + cmd);
        }
        return ready;
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }
}
