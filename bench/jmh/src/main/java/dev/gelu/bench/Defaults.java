package dev.gelu.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The settings every benchmark inherits (JMH reads them from the superclass): ns per call,
 * short iterations and one fork, so that the whole suite runs in about half an hour; the
 * command line overrides them (-wi, -w, -i, -r, -f). The forks run the jar on the class path,
 * so the library's flags name ALL-UNNAMED; JMH itself calls sun.misc.Unsafe, which JDK 24+
 * warns about in every fork unless allowed.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "--add-modules", "jdk.incubator.vector",
    "--enable-native-access=ALL-UNNAMED",
    "--sun-misc-unsafe-memory-access=allow"})
abstract class Defaults {}
