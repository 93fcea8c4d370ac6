/**
 * Correctly rounded GELU activations for float32 data, on heap arrays and off-heap
 * {@link java.lang.foreign.MemorySegment}s. See {@link dev.gelu.Gelu}.
 *
 * <p>The native backend needs {@code --enable-native-access=dev.gelu}; the Vector API backend
 * needs {@code --add-modules jdk.incubator.vector}. Without them the library still works and
 * says once, through {@link System.Logger}, which flag would enable the faster path.
 */
module dev.gelu {
    requires static jdk.incubator.vector;
    exports dev.gelu;
}
