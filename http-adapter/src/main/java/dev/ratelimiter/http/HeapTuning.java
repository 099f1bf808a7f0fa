package dev.ratelimiter.http;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * Lets the standalone server give memory back after a burst. A jar's manifest cannot carry JVM
 * flags, and {@code java -jar} on a big machine gets a maximum heap of a quarter of RAM: after
 * a load spike G1 keeps the heap it grew to (measured before this: RSS 909 MB after 10 s at
 * 2,000 connections, not released). At start-up this sets, where the JVM allows it at run
 * time ({@code manageable} HotSpot flags) and the user has not set them:
 * <ul>
 *   <li>{@code G1PeriodicGCInterval=10000}: an idle G1 runs a concurrent cycle every 10 s and
 *       uncommits what it does not need (JEP 346);</li>
 *   <li>{@code MaxHeapFreeRatio=30}, {@code MinHeapFreeRatio=10}: shrink the heap when more
 *       than 30% of it is free after a collection.</li>
 * </ul>
 * The README's run command also caps the heap ({@code -Xmx192m}). Stateless.
 */
final class HeapTuning {

    private HeapTuning() {
    }

    static void apply() {
        HotSpotDiagnosticMXBean hs;
        try {
            hs = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        } catch (RuntimeException | LinkageError e) {
            return;
        }
        if (hs == null) {
            return;
        }
        // MinHeapFreeRatio first: Max must stay >= Min.
        setIfDefault(hs, "MinHeapFreeRatio", "10");
        setIfDefault(hs, "MaxHeapFreeRatio", "30");
        setIfDefault(hs, "G1PeriodicGCInterval", "10000");
    }

    private static void setIfDefault(HotSpotDiagnosticMXBean hs, String name, String value) {
        try {
            if (hs.getVMOption(name).getOrigin() == com.sun.management.VMOption.Origin.DEFAULT) {
                hs.setVMOption(name, value);
            }
        } catch (RuntimeException e) {
            // not a manageable flag on this JVM, or not this collector: nothing to do
        }
    }
}
