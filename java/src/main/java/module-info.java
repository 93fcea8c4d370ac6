/**
 * Correctly rounded GELU activations (erf, tanh and quick forms; faithful on request) for float32,
 * bf16 and f16 data, on heap arrays and off-heap
 * {@link java.lang.foreign.MemorySegment}s. See {@link dev.gelu.Gelu}.
 *
 * <h2>Native access on JDK 25</h2>
 * The native backend loads {@code libgelu} (bundled in the jar under
 * {@code natives/linux-x86_64/} and {@code natives/linux-aarch64/}, picked by {@code os.arch}) and
 * calls it through FFM, which the JDK calls restricted
 * methods. What the JDK does with them:
 * <ul>
 *   <li>with {@code --enable-native-access=dev.gelu} (module path) or
 *       {@code --enable-native-access=ALL-UNNAMED} (class path): native runs, nothing is
 *       printed;</li>
 *   <li>with no flag: native still runs, and the JDK itself prints a four-line
 *       {@code WARNING: A restricted method in java.lang.System has been called ...} naming the
 *       flag; this library logs nothing then;</li>
 *   <li>with {@code --illegal-native-access=deny}: the JDK refuses, and the library falls back to
 *       the Vector API or scalar Java backend (the same bits) and logs once, through
 *       {@link System.Logger} {@code "dev.gelu"} at {@code WARNING}, the flag to add.</li>
 * </ul>
 * The jar's {@code Enable-Native-Access: ALL-UNNAMED} manifest entry counts only when this jar
 * is the one launched with {@code java -jar}; as a dependency it does nothing. An application
 * grants native access to the library by putting the same entry in the manifest of its own
 * executable jar (class path), or by passing the flag: a module declaration cannot grant it,
 * so on the module path it is {@code --enable-native-access=dev.gelu} on the command line (or
 * baked into a jlink image with {@code --add-options}).
 *
 * <h2>The Vector API module</h2>
 * {@code jdk.incubator.vector} matters only when the native backend is unavailable (another
 * platform, native access denied, a library that does not load) or forced off with
 * {@code -Dgelu.backend=vector}: then {@code --add-modules jdk.incubator.vector} selects the
 * Vector API backend instead of scalar Java. When native runs the module is never used, and
 * adding it only makes the JDK print {@code WARNING: Using incubator modules}.
 *
 * <h2>Settings</h2>
 * <ul>
 *   <li>{@code -Dgelu.backend=native|vector|scalar} forces a backend. If it cannot run, the
 *       choice fails: every call (and {@code Gelu.backend()}, {@code Gelu.isa()}) throws an
 *       {@link java.lang.IllegalStateException} whose message gives the reason; the library never
 *       silently runs another backend. Any other value fails the same way.</li>
 *   <li>{@code -Dgelu.library.path=/path/libgelu.so} loads that file instead of the bundled
 *       copy. If it cannot be loaded (missing, not a library, another version, missing
 *       functions), every call throws an {@link java.lang.IllegalStateException} naming the
 *       file and the reason, unless a Java backend is forced with {@code -Dgelu.backend}.</li>
 *   <li>{@code -Dgelu.vector.bits=256|512} sets the Vector API backend's vector width instead
 *       of the platform's preferred one (to test the 256-bit path on an AVX-512 machine).</li>
 *   <li>Environment variable {@code GELU_MAX_ISA=scalar|avx2|avx512} ({@code scalar|neon} on
 *       aarch64) caps the instruction set
 *       that the native library chooses (it reads the variable once, at its first call).</li>
 *   <li>{@code java.io.tmpdir} is where the bundled library is extracted; the file is deleted
 *       as soon as it is loaded.</li>
 * </ul>
 * A backend that is skipped without being forced is logged once through {@link System.Logger}
 * {@code "dev.gelu"} ({@code WARNING} with the reason and the flag that would enable it).
 */
module dev.gelu {
    requires static jdk.incubator.vector;

    exports dev.gelu;
}
