package dev.gelu.cli;

import dev.gelu.Gelu;
import dev.gelu.internal.Backends;
import dev.gelu.internal.nativelib.NativeLibrary;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** {@code gelu info}: version, backend, ISA, library path and the CPU features that matter. */
final class InfoCommand {
    private InfoCommand() {}

    /** The CPU features that matter, and the /proc/cpuinfo line that lists them, per architecture. */
    private static final List<String> FEATURES =
            List.of("sse4_2", "avx", "fma", "avx2", "avx512f", "avx512dq", "avx512vl", "avx512bw");

    private static final List<String> FEATURES_AARCH64 = List.of("asimd", "fphp", "asimdhp", "sve", "sve2");

    static final String USAGE = "usage: gelu info";

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 1 && Args.isHelp(args[0])) {
            out.println(USAGE);
            return 0;
        }
        if (args.length == 1 && Args.isVersion(args[0])) {
            out.println(Args.version());
            return 0;
        }
        if (args.length != 0) {
            err.println("gelu info: takes no arguments, got '" + args[0] + "'");
            err.println(USAGE);
            return 2;
        }
        String nativeWhy = Backends.nativeUnavailableReason();
        String vectorWhy = Backends.vectorUnavailableReason();
        out.println("gelu-ffm " + Gelu.version());
        out.println("java      " + Runtime.version() + " (" + System.getProperty("java.home") + ")");
        out.println("backend   " + Gelu.backend() + " (" + Gelu.isa() + ")");
        String platform = NativeLibrary.platform();
        out.println("native    "
                + (nativeWhy == null ? "loaded from " + NativeLibrary.origin() : "unavailable: " + nativeWhy)
                + " [platform " + (platform == null ? "none bundled" : platform) + "]");
        out.println("vector    " + (vectorWhy == null ? "available" : "unavailable: " + vectorWhy));
        out.println("backends  "
                + Backends.available().stream()
                        .map(k -> k.name() + "/" + k.isa())
                        .collect(Collectors.joining(" ")));
        out.println("cpu       " + cpuModel() + "; " + String.join(" ", cpuFeatures()));
        String cap = NativeLibrary.maxIsaReport();
        if (cap != null) {
            out.println("cap       " + cap);
        }
        return 0;
    }

    private static String cpuModel() {
        return cpuinfo("model name").orElse(System.getProperty("os.arch"));
    }

    private static List<String> cpuFeatures() {
        boolean aarch64 = "linux-aarch64".equals(NativeLibrary.platform());
        Set<String> flags = cpuinfo(aarch64 ? "Features" : "flags")
                .map(s -> Set.of(s.split("\\s+")))
                .orElse(Set.of());
        return (aarch64 ? FEATURES_AARCH64 : FEATURES)
                .stream().filter(flags::contains).toList();
    }

    private static java.util.Optional<String> cpuinfo(String key) {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith(key))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst();
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }
}
