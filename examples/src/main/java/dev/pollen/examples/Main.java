package dev.pollen.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The examples jar's entry point: {@code java -jar pollen-examples.jar SUBCOMMAND [options]}.
 * Every subcommand has {@code --help}; a bad flag or value exits with status 2 and a message
 * saying which and why.
 *
 * <p><b>Threading:</b> runs on the JVM's main thread; subcommands start their own loops.
 */
@Command(name = "pollen-examples", mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {"Pollen's examples: an asyncio-style event loop for the JVM.",
            "Subcommands that run a loop take --poller NAME (default: auto)."},
        subcommands = {PollersCommand.class, DemoCommand.class, EchoCommand.class,
            ProxyCommand.class, LoadgenCommand.class, TourCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Spec
    CommandSpec spec;

    /**
     * Runs the command line and exits with its status.
     *
     * <p><b>Threading:</b> the main thread.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs the command line and returns its exit status (for tests and the tour).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param args the arguments
     * @return 0 on success, 2 for bad usage, 1 for a failure while running
     */
    public static int run(String... args) {
        return new CommandLine(new Main())
                .setParameterExceptionHandler(Main::usageError)
                .execute(args);
    }

    /**
     * A usage error is one or two lines on stderr: what was wrong, then what to do (the
     * message's own second line, picocli's "did you mean" for a misspelt name, or a pointer to
     * {@code --help}); never the whole usage, which buried the message. Exit status 2.
     */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        java.io.PrintWriter err = cmd.getErr();
        String message = e.getMessage();
        if (e instanceof CommandLine.UnmatchedArgumentException u && !cmd.getSubcommands().isEmpty()
                && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
            // picocli says "Unmatched argument at index 0" and guesses oddly ("nosuch" -> echo)
            err.println("unknown subcommand '" + u.getUnmatched().get(0) + "': choose one of "
                    + String.join(", ", cmd.getSubcommands().keySet()));
            err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for what "
                    + "each does.");
            err.flush();
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        }
        err.println(message);
        if (!message.contains("\n")
                && !CommandLine.UnmatchedArgumentException.printSuggestions(e, err)) {
            err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for "
                    + (cmd.getSubcommands().isEmpty() ? "the options." : "what each does."));
        }
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "missing subcommand: choose one of " + String.join(", ", spec.subcommands().keySet()));
    }

    /** Reports the project version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"pollen-examples " + (v != null ? v : "(development build)"),
                "JVM: " + Runtime.version() + " " + System.getProperty("java.vm.name")};
        }
    }
}
