package dev.ratelimiter.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The parser's buffers are pooled across threads (each exchange may run on a new virtual
 * thread) and the pool is bounded. Runs in its own order-independent way: it only looks at how
 * many sets the pool holds after its own parses.
 */
class JsonCodecBuffersTest {

    private static final byte[] BODY = "{\"key\":\"user:42\",\"tokens\":2}"
            .getBytes(StandardCharsets.UTF_8);

    private static void parseOnce() {
        try {
            JsonCodec.CheckRequest r = JsonCodec.parseCheck(BODY, BODY.length);
            assertEquals("user:42", r.key());
            assertEquals(2, r.tokens());
        } catch (JsonCodec.BadRequestException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void parsesOnFreshThreadsOneAfterAnotherReuseOneSetOfBuffers() throws Exception {
        JsonCodec.BUFFERS.clear();
        for (int i = 0; i < 50; i++) {
            Thread t = new Thread(JsonCodecBuffersTest::parseOnce);
            t.start();
            t.join();
        }
        // A per-thread pool would keep none of these threads' buffers for the next thread.
        assertEquals(1, JsonCodec.BUFFERS.pooledCount());
    }

    @Test
    void manyParsesAtOnceKeepAtMostTheBoundOfBuffers() throws Exception {
        JsonCodec.BUFFERS.clear();
        int threads = JsonCodec.POOLED_BUFFERS * 3;
        CyclicBarrier together = new CyclicBarrier(threads);
        CountDownLatch done = new CountDownLatch(threads);
        AtomicInteger failures = new AtomicInteger();
        List<Thread> started = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                try {
                    together.await();
                    for (int k = 0; k < 20; k++) {
                        parseOnce();
                    }
                } catch (Exception | AssertionError e) {
                    failures.incrementAndGet();
                } finally {
                    done.countDown();
                }
            });
            t.start();
            started.add(t);
        }
        done.await();
        for (Thread t : started) {
            t.join();
        }
        assertEquals(0, failures.get());
        int pooled = JsonCodec.BUFFERS.pooledCount();
        assertTrue(pooled >= 1 && pooled <= JsonCodec.POOLED_BUFFERS,
                "pooled " + pooled + " sets; bound " + JsonCodec.POOLED_BUFFERS);
    }
}
