package dev.gelu.hardening;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gelu.Form;
import dev.gelu.Gelu;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A shared arena closed by one thread while another is inside {@code Gelu.apply} on its memory:
 * the close either waits for the call (FFM keeps the segment alive during a downcall, so close
 * throws IllegalStateException until the call returns) or the call stops with an
 * IllegalStateException; the JVM never crashes and later calls name the closed arena.
 */
@Tag("slow")
class ArenaCloseDuringCallTest {
    private static final long FLOATS = 4L << 20; // 16 MiB: a call takes 2 ms (AVX-512) to 0.2 s (scalar)
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;

    @ParameterizedTest(name = "close after {0} ms, in place={1}")
    @ValueSource(ints = {0, 2, 15})
    void closingWhileAnotherThreadIsInACallIsSafe(int delayMs) throws Exception {
        for (boolean inPlace : new boolean[] {true, false}) {
            run(delayMs, inPlace);
        }
    }

    private static void run(int delayMs, boolean inPlace) throws Exception {
        Arena arena = Arena.ofShared();
        MemorySegment src = arena.allocate(4 * FLOATS, 64);
        MemorySegment dst = inPlace ? src : arena.allocate(4 * FLOATS, 64);
        fill(src);
        CountDownLatch inFirstCall = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        AtomicReference<Throwable> stop = new AtomicReference<>();
        Thread worker = new Thread(
                () -> {
                    try {
                        for (int i = 0; ; i++) {
                            inFirstCall.countDown();
                            Gelu.apply(i % 2 == 0 ? Form.ERF : Form.TANH, src, dst);
                            calls.incrementAndGet();
                        }
                    } catch (Throwable t) {
                        stop.set(t);
                    }
                },
                "gelu-caller");
        worker.start();
        assertTrue(inFirstCall.await(30, TimeUnit.SECONDS));
        Thread.sleep(delayMs);

        int refused = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                arena.close();
                break;
            } catch (IllegalStateException busy) {
                // a downcall holds the segment: close must wait for it, never free it under the call
                refused++;
                if (System.nanoTime() > deadline) {
                    fail("arena.close() refused " + refused + " times for 60 s: " + busy);
                }
                Thread.onSpinWait();
            }
        }
        worker.join(TimeUnit.SECONDS.toMillis(60));
        assertTrue(!worker.isAlive(), "the caller did not stop after the arena closed");

        // the worker's loop ended with the first call after (or during) the close
        Throwable t = stop.get();
        assertNotNull(t);
        if (!(t instanceof IllegalStateException)) {
            throw new AssertionError("the call racing close() failed with " + t, t);
        }
        assertTrue(chainMentions(t, "closed"), "no mention of the closed arena: " + chain(t));

        // and every later call fails before doing anything, naming the arena
        IllegalStateException later = assertThrows(IllegalStateException.class, () -> Gelu.apply(Form.ERF, src, dst));
        assertEquals("src belongs to an arena that is already closed", later.getMessage());
        try (Arena live = Arena.ofConfined()) {
            MemorySegment other = live.allocate(4 * 16);
            IllegalStateException onDst = assertThrows(
                    IllegalStateException.class, () -> Gelu.apply(Form.TANH, other, dst.asSlice(0, 4 * 16)));
            assertEquals("dst belongs to an arena that is already closed", onDst.getMessage());
        }
        System.out.printf(
                "%s: close after %d ms (in place %b): %d calls completed, close refused %d times, caller stopped by %s%n",
                ArenaCloseDuringCallTest.class.getSimpleName(), delayMs, inPlace, calls.get(), refused, chain(t));
    }

    private static void fill(MemorySegment s) {
        float[] pattern = new float[1 << 16];
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = (i - pattern.length / 2) / 4096f;
        }
        for (long off = 0; off < FLOATS; off += pattern.length) {
            MemorySegment.copy(pattern, 0, s, F, 4 * off, pattern.length);
        }
    }

    private static boolean chainMentions(Throwable t, String word) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null
                    && c.getMessage().toLowerCase(java.util.Locale.ROOT).contains(word)) {
                return true;
            }
        }
        return false;
    }

    private static String chain(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(b.isEmpty() ? "" : " <- ").append(c);
        }
        return b.toString();
    }
}
