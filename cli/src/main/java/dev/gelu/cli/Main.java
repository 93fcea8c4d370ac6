package dev.gelu.cli;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * The {@code gelu} command: {@code bench}, {@code apply}, {@code info} and {@code verify}; each
 * takes {@code --help} and {@code --version}, as does {@code gelu} itself.
 */
public final class Main {
    private Main() {}

    static final String USAGE = """
            usage: gelu bench [--n N] [--form %1$s|both|all] [--accuracy correct|faithful|both]
                              [--dist normal|uniform8|student3] [--min-seconds S]
                   gelu apply [--form %1$s] [--accuracy correct|faithful] [--bf16] [--out-dtype f32|f16|bf16]
                              [--backend native|vector|scalar] IN.npy OUT.npy
                   gelu info
                   gelu verify [--stride K] [--threads N] [--form %1$s|both|all] [--accuracy correct|faithful|both]
                   gelu [COMMAND] --help | --version""".formatted(Args.FORM_CHOICES);

    /**
     * Runs one command and exits with its status: 0 on success, 1 when the work failed, 2 for a
     * bad command line.
     *
     * @param args the command and its arguments
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String cmd = args.length == 0 ? "" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        return switch (cmd) {
            case "bench" -> BenchCommand.run(rest, out, err);
            case "apply" -> ApplyCommand.run(rest, out, err);
            case "info" -> InfoCommand.run(rest, out, err);
            case "verify" -> VerifyCommand.run(rest, out, err);
            case "-h", "--help", "help" -> {
                out.println(USAGE);
                yield 0;
            }
            case "-V", "--version", "version" -> {
                out.println(Args.version());
                yield 0;
            }
            default -> {
                err.println(cmd.isEmpty() ? "gelu: missing command" : "gelu: unknown command '" + cmd + "'");
                err.println(USAGE);
                yield 2;
            }
        };
    }
}
