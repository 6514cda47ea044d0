package dev.pollen.examples;

import dev.pollen.spi.PollerProvider;
import dev.pollen.spi.Pollers;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code --poller NAME} option shared by the subcommands that run a loop. An unknown or
 * unavailable name is a usage error whose message lists every poller and why it is or is not
 * available.
 *
 * <p><b>Threading:</b> the main thread.
 */
public final class PollerOption {

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    private String name = Pollers.AUTO;

    /**
     * Sets the poller name from the command line.
     *
     * @param value a provider name or {@code auto}
     */
    @Option(names = "--poller", paramLabel = "NAME", defaultValue = "auto",
            description = "Poller to use: auto (default), epoll, netty-epoll, kqueue or nio.")
    public void setName(String value) {
        try {
            Pollers.select(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(mixee.commandLine(), "--poller: " + e.getMessage());
        }
        this.name = value;
    }

    /**
     * The chosen name as given ({@code auto} or a provider name).
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The provider the name resolves to.
     *
     * @return the provider
     */
    public PollerProvider provider() {
        return Pollers.select(name);
    }
}
