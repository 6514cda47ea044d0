package dev.pollen.examples;

import dev.pollen.spi.PollerProvider;
import dev.pollen.spi.Pollers;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code --poller NAME} option shared by the subcommands that run a loop. Without it, the
 * poller is what {@code -Dpollen.poller} says (as for any Pollen program), else {@code auto}; an
 * explicit {@code --poller} wins over the property. An unknown or unavailable name, from either
 * place, is a usage error (exit 2) of two short lines: which name, from where, the pollers there
 * are, and what to do.
 *
 * <p><b>Threading:</b> the main thread.
 */
public final class PollerOption {

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    private String explicit;

    /**
     * Sets the poller name from the command line.
     *
     * @param value a provider name or {@code auto}
     */
    @Option(names = "--poller", paramLabel = "NAME",
            description = "Poller to use: auto, epoll, netty-epoll, kqueue or nio "
                    + "(default: -Dpollen.poller, else auto).")
    public void setName(String value) {
        check(value, "--poller");
        this.explicit = value;
    }

    /**
     * The chosen name as given: {@code --poller}'s, else {@code -Dpollen.poller}'s, else
     * {@code auto}.
     *
     * @return the name
     * @throws CommandLine.ParameterException if {@code -Dpollen.poller} names no poller available
     *                                        here (a usage error)
     */
    public String name() {
        if (explicit != null) {
            return explicit;
        }
        String configured = Pollers.configuredName();
        check(configured, "-D" + Pollers.PROPERTY);
        return configured;
    }

    /**
     * The provider the name resolves to.
     *
     * @return the provider
     */
    public PollerProvider provider() {
        return Pollers.select(name());
    }

    private void check(String name, String source) {
        try {
            Pollers.select(name);
        } catch (IllegalArgumentException e) {
            boolean known = Pollers.list().stream().anyMatch(p -> p.name().equalsIgnoreCase(name.trim()));
            throw new CommandLine.ParameterException(mixee.commandLine(), source + ": "
                    + (known ? "poller '" + name.trim() + "' is not available here"
                            : "unknown poller '" + name.trim() + "'")
                    + "; pollers: " + Pollers.summary() + ".\nUse --poller NAME or -D"
                    + Pollers.PROPERTY + "=NAME (auto picks the best available); "
                    + "'pollen-examples pollers' says why one is not available.");
        }
    }
}
