package dev.pollen.examples;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Value checks for command-line options: a bad value is a usage error (exit 2) naming the
 * option and what it expects.
 *
 * <p><b>Threading:</b> stateless, any thread.
 */
final class Checks {

    private Checks() {
    }

    static void port(CommandSpec spec, int port, String option) {
        if (port < 0 || port > 65535) {
            throw bad(spec, option + " must be 0 to 65535, got " + port);
        }
    }

    static void positive(CommandSpec spec, long value, String option) {
        if (value < 1) {
            throw bad(spec, option + " must be at least 1, got " + value);
        }
    }

    /** A usage error of the subcommand {@code spec} (its usage is printed with the message). */
    static CommandLine.ParameterException bad(CommandSpec spec, String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
