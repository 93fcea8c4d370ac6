package dev.gelu.hardening;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.gelu.Form;
import dev.gelu.Gelu;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * What looks like the bad inputs of {@link BadInputMatrixTest} but is allowed, and must compute:
 * exact aliasing (in place, also through a read-only view), adjacent ranges, read-only sources,
 * a read-write mapped file, empty ranges at the very end.
 */
class AllowedLookAlikesTest {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    private static final int SENTINEL = 0x7fc0beef;

    @TempDir
    static Path dir;

    @TestFactory
    Stream<DynamicTest> lookAlikesThatAreAllowed() {
        return Stream.of(
                dynamicTest("segment: exact aliasing (in place)", () -> inPlaceSegment(false)),
                dynamicTest("segment: src a read-only view of dst's bytes (in place)", () -> inPlaceSegment(true)),
                dynamicTest("segment: adjacent, not overlapping", AllowedLookAlikesTest::adjacentSegments),
                dynamicTest("segment: read-only src", AllowedLookAlikesTest::readOnlySource),
                dynamicTest("segment: read-write mapped file in place", AllowedLookAlikesTest::mappedFileInPlace),
                dynamicTest(
                        "segment: empty, MemorySegment.NULL",
                        () -> Gelu.apply(Form.ERF, MemorySegment.NULL, MemorySegment.NULL)),
                dynamicTest("array range: in place", AllowedLookAlikesTest::inPlaceArray),
                dynamicTest("array range: adjacent ranges in one array", AllowedLookAlikesTest::adjacentArrayRanges),
                dynamicTest("array range: empty range at the very end", () -> {
                    float[] a = {Float.intBitsToFloat(SENTINEL)};
                    Gelu.apply(Form.ERF, a, 1, a, 0, 0);
                    Gelu.apply(Form.ERF, a, 1, a, 1, 0);
                    assertEquals(SENTINEL, Float.floatToRawIntBits(a[0]));
                }));
    }

    private static void inPlaceSegment(boolean readOnlySrc) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment all = arena.allocate(4 * 20);
            for (int i = 0; i < 20; i++) {
                all.setAtIndex(F, i, i - 9.5f);
            }
            MemorySegment dst = all.asSlice(4 * 3, 4 * 12);
            MemorySegment src = readOnlySrc ? dst.asReadOnly() : dst;
            Gelu.apply(Form.TANH, src, dst);
            for (int i = 0; i < 20; i++) {
                float x = i - 9.5f;
                float want = i >= 3 && i < 15 ? Gelu.apply(Form.TANH, x) : x;
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(all.getAtIndex(F, i)), "at " + i);
            }
        }
    }

    private static void adjacentSegments() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment all = arena.allocate(4 * 16);
            for (int i = 0; i < 16; i++) {
                all.setAtIndex(F, i, i * 0.25f - 2);
            }
            Gelu.apply(Form.ERF, all.asSlice(0, 32), all.asSlice(32, 32));
            for (int i = 0; i < 8; i++) {
                assertEquals(i * 0.25f - 2, all.getAtIndex(F, i));
                assertEquals(Gelu.apply(Form.ERF, i * 0.25f - 2), all.getAtIndex(F, 8 + i));
            }
        }
    }

    private static void readOnlySource() {
        float[] x = {-2f, -0.5f, 0.25f, 3f, Float.NaN};
        for (MemorySegment src : List.of(
                MemorySegment.ofArray(x).asReadOnly(),
                Arena.ofAuto().allocateFrom(F, x).asReadOnly())) {
            for (MemorySegment dst :
                    List.of(MemorySegment.ofArray(new float[5]), Arena.ofAuto().allocate(20))) {
                Gelu.apply(Form.ERF, src, dst);
                for (int i = 0; i < x.length; i++) {
                    assertEquals(
                            Float.floatToRawIntBits(Gelu.apply(Form.ERF, x[i])),
                            Float.floatToRawIntBits(dst.getAtIndex(F, i)),
                            src + " -> " + dst + " at " + i);
                }
            }
        }
    }

    private static void mappedFileInPlace() throws IOException {
        int n = 4096;
        float[] x = new float[n];
        ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.nativeOrder());
        for (int i = 0; i < n; i++) {
            x[i] = (i - n / 2) / 256f;
            b.putFloat(x[i]);
        }
        Path p = Files.write(Files.createTempFile(dir, "rw-", ".f32"), b.array());
        try (Arena arena = Arena.ofConfined();
                FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MemorySegment m = ch.map(FileChannel.MapMode.READ_WRITE, 0, 4L * n, arena);
            Gelu.apply(Form.TANH, m, m);
            m.force();
        }
        ByteBuffer back = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.nativeOrder());
        for (int i = 0; i < n; i++) {
            assertEquals(
                    Float.floatToRawIntBits(Gelu.apply(Form.TANH, x[i])),
                    Float.floatToRawIntBits(back.getFloat()),
                    "file at " + i);
        }
    }

    private static void inPlaceArray() {
        float[] a = new float[16];
        for (int i = 0; i < 16; i++) {
            a[i] = i - 8f;
        }
        float[] want = a.clone();
        for (int i = 2; i < 12; i++) {
            want[i] = Gelu.apply(Form.ERF, a[i]);
        }
        Gelu.apply(Form.ERF, a, 2, a, 2, 10);
        assertArrayEquals(want, a);
    }

    private static void adjacentArrayRanges() {
        float[] a = new float[16];
        for (int i = 0; i < 16; i++) {
            a[i] = i - 8f;
        }
        float[] want = a.clone();
        for (int i = 0; i < 8; i++) {
            want[8 + i] = Gelu.apply(Form.TANH, a[i]);
        }
        Gelu.apply(Form.TANH, a, 0, a, 8, 8);
        assertArrayEquals(want, a);
        Gelu.apply(Form.TANH, a, 8, a, 0, 8); // dst before src, touching
        for (int i = 0; i < 8; i++) {
            assertEquals(Gelu.apply(Form.TANH, want[8 + i]), a[i]);
        }
    }
}
