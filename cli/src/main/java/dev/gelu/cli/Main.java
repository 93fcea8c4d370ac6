package dev.gelu.cli;

import java.util.Arrays;

/** The {@code gelu} command: {@code bench}, {@code apply} and {@code info}. */
public final class Main {
    private Main() {}

    static final String USAGE = """
            usage: gelu bench [--n N] [--form erf|tanh|both] [--min-seconds S]
                   gelu apply [--form erf|tanh] [--backend native|vector|scalar] IN.npy OUT.npy
                   gelu info
                   gelu verify [--stride K] [--threads N] [--form erf|tanh|both]""";

    public static void main(String[] args) {
        String cmd = args.length == 0 ? "" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        int rc = switch (cmd) {
            case "bench" -> BenchCommand.run(rest, System.out, System.err);
            case "apply" -> ApplyCommand.run(rest, System.out, System.err);
            case "info" -> InfoCommand.run(rest, System.out, System.err);
            case "verify" -> VerifyCommand.run(rest, System.out, System.err);
            case "-h", "--help", "help" -> {
                System.out.println(USAGE);
                yield 0;
            }
            default -> {
                System.err.println(cmd.isEmpty() ? "gelu: missing command" : "gelu: unknown command '" + cmd + "'");
                System.err.println(USAGE);
                yield 2;
            }
        };
        System.exit(rc);
    }
}
