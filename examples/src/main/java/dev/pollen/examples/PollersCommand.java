package dev.pollen.examples;

import dev.pollen.spi.PollerInfo;
import dev.pollen.spi.Pollers;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code pollers}: one line per poller provider found (name, available or not, priority,
 * reason), then {@code default: NAME}, the one {@code auto} (or {@code -Dpollen.poller}) picks.
 *
 * <p><b>Threading:</b> the main thread.
 */
@Command(name = "pollers", mixinStandardHelpOptions = true,
        description = "List the poller providers: name, availability, priority and reason; then the default.")
public final class PollersCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        print(System.out);
        return 0;
    }

    /**
     * Prints the listing.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param out where to print
     */
    static void print(PrintStream out) {
        for (PollerInfo p : Pollers.list()) {
            out.printf("%-12s %-11s priority %-3d %s%n", p.name(),
                    p.available() ? "available" : "unavailable", p.priority(), p.reason());
        }
        String chosen;
        try {
            chosen = Pollers.selectDefault().name();
        } catch (IllegalArgumentException e) {
            chosen = "none: -D" + Pollers.PROPERTY + "=" + Pollers.configuredName()
                    + " names no poller available here";
        }
        out.println("default: " + chosen);
    }
}
