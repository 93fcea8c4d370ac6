package dev.gelu.hardening;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of the test sources in a fresh JVM (the same java, class path and module
 * flags as the tests), for what happens once per JVM: backend choice and library loading.
 */
final class ChildJvm {
    private ChildJvm() {}

    /** System properties of this JVM that pick a backend; passed on where a child should inherit the leg's. */
    static final List<String> BACKEND_PROPERTIES = List.of("gelu.backend", "gelu.vector.bits", "gelu.library.path");

    /** What a child did: exit code and everything it printed. */
    record Result(int exitCode, String stdout, String stderr) {
        /** For assertion messages. */
        String describe() {
            return "exit code " + exitCode + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr;
        }

        /** The value of the first stdout line {@code key=value}, or null. */
        String value(String key) {
            for (String line : stdout.split("\n")) {
                if (line.startsWith(key + "=")) {
                    return line.substring(key.length() + 1);
                }
            }
            return null;
        }
    }

    /** -D options that repeat this JVM's backend choice (the leg's environment is inherited anyway). */
    static List<String> inheritedBackendProperties() {
        List<String> flags = new ArrayList<>();
        for (String p : BACKEND_PROPERTIES) {
            String v = System.getProperty(p);
            if (v != null) {
                flags.add("-D" + p + "=" + v);
            }
        }
        return flags;
    }

    /** Runs {@code main} with the extra JVM options; kills it and fails after {@code timeoutSeconds}. */
    static Result run(Class<?> main, List<String> jvmOptions, long timeoutSeconds, String... args) {
        return run(main, null, jvmOptions, timeoutSeconds, args);
    }

    /** The same, with {@code classpathFirst} ahead of this JVM's class path (to shadow a resource). */
    static Result run(
            Class<?> main, Path classpathFirst, List<String> jvmOptions, long timeoutSeconds, String... args) {
        return run(main, classpathFirst, java.util.Map.of(), jvmOptions, timeoutSeconds, args);
    }

    /** The same, with environment variables set (a null value removes the variable). */
    static Result run(
            Class<?> main,
            Path classpathFirst,
            java.util.Map<String, String> env,
            List<String> jvmOptions,
            long timeoutSeconds,
            String... args) {
        String classpath = System.getProperty("java.class.path");
        if (classpathFirst != null) {
            classpath = classpathFirst + java.io.File.pathSeparator + classpath;
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.addAll(jvmOptions);
        cmd.add(main.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("JAVA_TOOL_OPTIONS"); // its banner would land in stderr
        env.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            FutureTask<String> out = drain(p.getInputStream());
            FutureTask<String> err = drain(p.getErrorStream());
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("child JVM " + main.getSimpleName() + " ran over " + timeoutSeconds
                        + " s and was killed\n--- stdout ---\n" + out.get() + "--- stderr ---\n" + err.get());
            }
            return new Result(p.exitValue(), out.get(), err.get());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError("child JVM " + main.getSimpleName() + ": " + e, e);
        }
    }

    private static FutureTask<String> drain(InputStream in) {
        FutureTask<String> task = new FutureTask<>(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        });
        Thread t = new Thread(task, "child-jvm-drain");
        t.setDaemon(true);
        t.start();
        return task;
    }
}
