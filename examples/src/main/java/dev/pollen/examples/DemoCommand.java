package dev.pollen.examples;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code demo}: the seed tutorial's programs in Java ({@link SeedDemos}): hello/world,
 * {@code say_after} in sequence and as tasks with their elapsed times, {@code compute} /
 * {@code print_sum}, and a Future driven by hand.
 *
 * <p><b>Threading:</b> runs each demo's loop on the calling thread.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the seed tutorial's asyncio programs in Java: hello/world; say_after",
            "in sequence (~3 s) and as tasks (~2 s); compute/print_sum; a Future driven by",
            "hand. About 8 s of real sleeping, or instant with --virtual-time."})
public final class DemoCommand implements Callable<Integer> {

    @Mixin
    PollerOption poller;

    @Option(names = "--virtual-time", description = "Run on virtual time: the sleeps take no real time.")
    boolean virtualTime;

    @Override
    public Integer call() {
        SeedDemos.runAll(poller.name(), virtualTime, System.out);
        return 0;
    }

    /**
     * Runs every demo in real time (used by the tour).
     *
     * <p><b>Threading:</b> the calling thread becomes each demo loop's thread in turn.
     *
     * @param pollerName the poller
     * @param out        where the demos print
     */
    static void runAll(String pollerName, PrintStream out) {
        SeedDemos.runAll(pollerName, out);
    }
}
