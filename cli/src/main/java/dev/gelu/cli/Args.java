package dev.gelu.cli;

import dev.gelu.Accuracy;
import dev.gelu.Form;
import dev.gelu.Gelu;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * What every command's option parsing shares: forms and backends named in any case, numbers
 * checked with a one-line message, and the {@code --help} and {@code --version} answers.
 */
final class Args {
    private Args() {}

    /** A bad command line; the message is the one line to print after {@code "gelu CMD: "}. */
    static final class BadArgs extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        BadArgs(String message) {
            super(message);
        }
    }

    static boolean isHelp(String arg) {
        return arg.equals("-h") || arg.equals("--help");
    }

    static boolean isVersion(String arg) {
        return arg.equals("-V") || arg.equals("--version");
    }

    /** The line {@code --version} prints. */
    static String version() {
        return "gelu " + Gelu.version();
    }

    /** The value after {@code option}, or a BadArgs naming the option. */
    static String value(String option, String[] args, int i) {
        if (i + 1 >= args.length) {
            throw new BadArgs(option + " needs a value");
        }
        return args[i + 1];
    }

    /** The command-line names of the forms, in {@link Form}'s order: {@code erf}, {@code tanh}, ... */
    static final List<String> FORMS = Stream.of(Form.values()).map(Args::name).toList();

    /** The forms for a usage line, {@code erf|tanh|...}. */
    static final String FORM_CHOICES = String.join("|", FORMS);

    /** The command-line name of a form: its name in lower case. */
    static String name(Form form) {
        return form.name().toLowerCase(Locale.ROOT);
    }

    /**
     * A form's name ({@link #FORMS}) in any case, {@code both} (erf and tanh, the two forms there
     * were first) or {@code all} (every form).
     */
    static List<Form> forms(String option, String value) {
        String v = value.toLowerCase(Locale.ROOT);
        int i = FORMS.indexOf(v);
        if (i >= 0) {
            return List.of(Form.values()[i]);
        }
        return switch (v) {
            case "both" -> List.of(Form.ERF, Form.TANH);
            case "all" -> List.of(Form.values());
            default ->
                throw new BadArgs(
                        option + " must be " + String.join(", ", FORMS) + ", both or all, not '" + value + "'");
        };
    }

    /** {@code correct} or {@code faithful} in any case, plus {@code both} when allowed. */
    static List<Accuracy> accuracies(String option, String value, boolean bothAllowed) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "correct" -> List.of(Accuracy.CORRECTLY_ROUNDED);
            case "faithful" -> List.of(Accuracy.FAITHFUL);
            case "both" -> {
                if (!bothAllowed) {
                    throw new BadArgs(option + " must be correct or faithful, not '" + value + "'");
                }
                yield List.of(Accuracy.values());
            }
            default ->
                throw new BadArgs(option + " must be correct, faithful" + (bothAllowed ? " or both" : "") + ", not '"
                        + value + "'");
        };
    }

    /** The command-line name of an accuracy. */
    static String name(Accuracy accuracy) {
        return accuracy == Accuracy.FAITHFUL ? "faithful" : "correct";
    }

    /** A whole number of at least {@code min}. */
    static long longAtLeast(String option, String value, long min) {
        long v;
        try {
            v = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new BadArgs(option + " must be a whole number, not '" + value + "'");
        }
        if (v < min) {
            throw new BadArgs(option + " must be at least " + min + ", not " + v);
        }
        return v;
    }

    /** An int of at least {@code min}. */
    static int intAtLeast(String option, String value, int min) {
        long v = longAtLeast(option, value, min);
        if (v > Integer.MAX_VALUE) {
            throw new BadArgs(option + " must be at most " + Integer.MAX_VALUE + ", not " + v);
        }
        return (int) v;
    }

    /** A positive, finite number of seconds. */
    static double seconds(String option, String value) {
        double v;
        try {
            v = Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new BadArgs(option + " must be a number of seconds, not '" + value + "'");
        }
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new BadArgs(option + " must be a positive number of seconds, not '" + value + "'");
        }
        return v;
    }

    /** Progress lines (with carriage returns) only when the output is a terminal, never in a file or pipe. */
    static boolean interactive() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }
}
