package dev.gelu.cli;

import java.io.Serial;

/** A {@code .npy} file that {@link Npy} cannot read; the message is one line naming the problem. */
public final class NpyException extends Exception {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception whose message names the problem.
     *
     * @param message the problem, such as {@code "empty file"}
     */
    public NpyException(String message) {
        super(message);
    }
}
