package dev.gelu.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.gelu.Form;
import dev.gelu.Gelu;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The command line of every command: {@code --help} and {@code --version} everywhere, bad
 * numbers and forms as one line plus the usage (exit 2), forms in any case, and no progress
 * line when the output is not a terminal (as under Maven).
 */
class CommandLineTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "bench", "apply", "info", "verify"})
    void helpEverywhere(String command) {
        for (String flag : List.of("--help", "-h")) {
            out.reset();
            err.reset();
            int rc = command.isEmpty() ? run(flag) : run(command, flag);
            assertEquals(0, rc, err());
            assertTrue(out().startsWith("usage: gelu " + command), out());
            assertEquals("", err());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "bench", "apply", "info", "verify"})
    void versionEverywhere(String command) {
        int rc = command.isEmpty() ? run("--version") : run(command, "--version");
        assertEquals(0, rc, err());
        assertEquals("gelu " + Gelu.version() + "\n", out());
        assertEquals("", err());
    }

    static Stream<Arguments> badNumbers() {
        return Stream.of(
                arguments(
                        List.of("verify", "--stride", "abc"),
                        "gelu verify: --stride must be a whole number, not 'abc'"),
                arguments(List.of("verify", "--stride", "0"), "gelu verify: --stride must be at least 1, not 0"),
                arguments(
                        List.of("verify", "--threads", "1.5"),
                        "gelu verify: --threads must be a whole number, not '1.5'"),
                arguments(
                        List.of("verify", "--threads", "9999999999"),
                        "gelu verify: --threads must be at most 2147483647, not 9999999999"),
                arguments(List.of("verify", "--stride"), "gelu verify: --stride needs a value"),
                arguments(
                        List.of("verify", "--form", "relu"),
                        "gelu verify: --form must be "
                                + String.join(
                                        ", ",
                                        Stream.of(Form.values())
                                                .map(f -> f.name().toLowerCase(Locale.ROOT))
                                                .toList())
                                + ", both or all, not 'relu'"),
                arguments(List.of("verify", "--fast"), "gelu verify: unknown option '--fast'"),
                arguments(List.of("bench", "--n", "lots"), "gelu bench: --n must be a whole number, not 'lots'"),
                arguments(List.of("bench", "--n", "-4"), "gelu bench: --n must be at least 1, not -4"),
                arguments(
                        List.of("bench", "--min-seconds", "soon"),
                        "gelu bench: --min-seconds must be a number of seconds, not 'soon'"),
                arguments(
                        List.of("bench", "--min-seconds", "NaN"),
                        "gelu bench: --min-seconds must be a positive number of seconds, not 'NaN'"),
                arguments(List.of("bench", "--form"), "gelu bench: --form needs a value"),
                arguments(List.of("bench", "--fast"), "gelu bench: unknown option '--fast'"),
                arguments(List.of("info", "extra"), "gelu info: takes no arguments, got 'extra'"));
    }

    @ParameterizedTest
    @MethodSource("badNumbers")
    void badOptionsAreOneLineAndTheUsage(List<String> args, String line) {
        assertEquals(2, run(args.toArray(String[]::new)));
        String[] lines = err().split("\n");
        assertEquals(line, lines[0], err());
        assertTrue(lines[1].startsWith("usage: gelu " + args.get(0)), err());
        assertFalse(err().contains("Exception") || err().contains("For input string"), err());
        assertEquals("", out());
    }

    @Test
    void unknownCommand() {
        assertEquals(2, run("frobnicate"));
        assertTrue(err().startsWith("gelu: unknown command 'frobnicate'\nusage: gelu bench"), err());
    }

    @Test
    void benchAcceptsFormsInAnyCaseAndPrintsNoProgressWhenNotATerminal() {
        assertFalse(Args.interactive(), "the tests run without a terminal");
        assertEquals(0, run("bench", "--n", "64", "--form", "TANH", "--min-seconds", "0.001"), err());
        assertFalse(err().contains("\r"), "progress line in a non-terminal: " + err());
        assertTrue(out().contains("\ntanh  correct  native") && out().contains("\ntanh  faithful native"), out());
        assertFalse(out().contains("\nerf "), out());
        assertTrue(out().endsWith("all backends agree bit for bit\n"), out());
    }

    @Test
    void benchRunsTheSixteenBitPointsAndEveryBackendAgrees() {
        assertEquals(
                0, run("bench", "--n", "100", "--form", "erf", "--storage", "all", "--min-seconds", "0.001"), err());
        for (String storage : new String[] {"f32", "bf16", "f16", "f32-bf16", "f32-f16"}) {
            assertTrue(out().contains("storage " + storage + ":"), out());
        }
        assertTrue(out().endsWith("all backends agree bit for bit\n"), out());
        assertEquals(2, run("bench", "--storage", "f8"), err());
        assertTrue(err().startsWith("gelu bench: --storage must be"), err());
    }
}
