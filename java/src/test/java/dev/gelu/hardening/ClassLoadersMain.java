package dev.gelu.hardening;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Child JVM of {@link ClassLoadersTest}: loads the library's classes afresh in each of several
 * class loaders (parent: the platform loader, so nothing is shared), applies GELU to the MPFR
 * golden inputs in each, and prints {@code loaderN.backend=...}, {@code loaderN.results=ok} or
 * {@code loaderN.error=...}.
 */
public final class ClassLoadersMain {
    private ClassLoadersMain() {}

    public static void main(String[] args) throws Exception {
        int loaders = Integer.parseInt(args[0]);
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            urls.add(Path.of(entry).toUri().toURL());
        }
        List<float[]> golden = golden();
        float[] x = new float[golden.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = golden.get(i)[0];
        }
        List<URLClassLoader> keep = new ArrayList<>();
        for (int n = 0; n < loaders; n++) {
            URLClassLoader loader =
                    new URLClassLoader("gelu-" + n, urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
            keep.add(loader);
            try {
                Class<?> gelu = Class.forName("dev.gelu.Gelu", true, loader);
                if (gelu == dev.gelu.Gelu.class) {
                    throw new AssertionError("the class loader shares dev.gelu.Gelu with the application's");
                }
                @SuppressWarnings({"unchecked", "rawtypes"})
                Object erf = Enum.valueOf((Class) Class.forName("dev.gelu.Form", true, loader), "ERF");
                Method apply = gelu.getMethod("apply", erf.getClass(), float[].class, float[].class);
                float[] y = new float[x.length];
                apply.invoke(null, erf, x, y);
                System.out.println(
                        "loader" + n + ".backend=" + gelu.getMethod("backend").invoke(null));
                String results = "ok";
                for (int i = 0; i < y.length; i++) {
                    float want = golden.get(i)[1];
                    if (!(Float.isNaN(want) && Float.isNaN(y[i]))
                            && Float.floatToRawIntBits(want) != Float.floatToRawIntBits(y[i])) {
                        results = "WRONG at x=" + x[i] + ": " + y[i] + ", correctly rounded " + want;
                        break;
                    }
                }
                System.out.println("loader" + n + ".results=" + results);
            } catch (InvocationTargetException e) {
                System.out.println(
                        "loader" + n + ".error=" + String.valueOf(e.getCause()).replace('\n', ' '));
            }
        }
        System.out.flush();
    }

    /** x and the erf form's MPFR value, from the golden file of the tests. */
    private static List<float[]> golden() throws Exception {
        List<float[]> rows = new ArrayList<>();
        try (InputStream in = ClassLoadersMain.class.getResourceAsStream("/dev/gelu/golden.tsv.gz");
                BufferedReader r =
                        new BufferedReader(new InputStreamReader(new GZIPInputStream(in), StandardCharsets.US_ASCII))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.startsWith("#")) {
                    String[] f = line.split(" ");
                    rows.add(new float[] {
                        Float.intBitsToFloat(Integer.parseUnsignedInt(f[0], 16)),
                        Float.intBitsToFloat(Integer.parseUnsignedInt(f[1], 16))
                    });
                }
            }
        }
        return rows;
    }
}
