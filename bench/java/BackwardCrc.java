// The float32 backward over all 2^32 inputs x, dy constant, as a CRC32C of dx per form, on the
// chosen backend: equal CRCs from two backends mean equal bits (docs/ACCURACY.md, "Backward").
// Outside the build:
//   javac -cp java/target/gelu-ffm.jar -d /tmp/bc bench/java/BackwardCrc.java
//   for b in native vector; do java -Dgelu.backend=$b --add-modules jdk.incubator.vector \
//       --enable-native-access=ALL-UNNAMED -cp java/target/gelu-ffm.jar:/tmp/bc BackwardCrc 1; done
// (-Dgelu.vector.bits=256 for the Vector API's 8-lane layout.) About 30 s a form on the Vector API.
import dev.gelu.*;
import java.lang.foreign.*;
import java.util.zip.CRC32C;
import java.nio.*;

/** CRC of dx = backward(x, dy) over all 2^32 x, chunks of 2^24, dy constant; prints one line per form. */
public class BackwardCrc {
    public static void main(String[] a) {
        float dyv = Float.parseFloat(a[0]);
        int n = 1 << 24;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocate(4L * n, 64), dy = arena.allocate(4L * n, 64), dx = arena.allocate(4L * n, 64);
            for (int i = 0; i < n; i++) dy.setAtIndex(ValueLayout.JAVA_FLOAT, i, dyv);
            for (Form form : Form.values()) {
                Gelu g = Gelu.of(form);
                CRC32C crc = new CRC32C();
                long t0 = System.nanoTime();
                for (long base = 0; base < (1L << 32); base += n) {
                    for (int i = 0; i < n; i++) x.setAtIndex(ValueLayout.JAVA_INT, i, (int) (base + i));
                    g.backward(x, dy, dx);
                    crc.update(dx.asByteBuffer());
                }
                System.out.printf("%s dy=%s backend=%s crc=%08x (%.0f s)%n", form, a[0], Gelu.backend(), crc.getValue(), (System.nanoTime() - t0) / 1e9);
            }
        }
    }
}
