package dev.pollen.examples;

import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code loadgen}: closed-loop ping-pong load against an echo service (or a proxy in front of
 * one), checking every echoed byte.
 *
 * <p><b>Threading:</b> the main thread waits; the load runs on the generator's loop.
 */
@Command(name = "loadgen", mixinStandardHelpOptions = true,
        description = {"Closed-loop ping-pong load against an echo service; checks every echoed byte.",
            "Prints one line: messages/s, MB/s, p50/p99/p999 latency, errors; a progress",
            "line each second on stderr when running longer than 3 s. Exits 1 on any error."})
public final class LoadgenCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    PollerOption poller;

    @Option(names = "--connect", required = true, paramLabel = "H:P", converter = HostPort.Converter.class,
            description = "The echo service, e.g. 127.0.0.1:9000.")
    HostPort connect;

    @Option(names = "--conns", defaultValue = "16", paramLabel = "C",
            description = "Concurrent connections (default: ${DEFAULT-VALUE}).")
    int conns;

    @Option(names = "--size", defaultValue = "64", paramLabel = "S",
            description = "Message size in bytes (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--seconds", defaultValue = "5", paramLabel = "D",
            description = "How long to send, in seconds (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--depth", defaultValue = "1", paramLabel = "K",
            description = "Messages in flight per connection (default: ${DEFAULT-VALUE}).")
    int depth;

    @Override
    public Integer call() throws Exception {
        Checks.positive(spec, conns, "--conns");
        Checks.positive(spec, size, "--size");
        Checks.positive(spec, depth, "--depth");
        if (!(seconds > 0) || seconds > 86_400) {
            throw Checks.bad(spec, "--seconds must be more than 0 and at most 86400, got " + seconds);
        }
        if (connect.port() == 0) {
            throw Checks.bad(spec, "--connect needs a real port, got 0");
        }
        LoadGenerator.Result r = new LoadGenerator(connect, conns, size, depth,
                Duration.ofNanos((long) (seconds * 1e9)), System.err).run(poller.name());
        System.out.println(r.line());
        return r.errors() == 0 && r.messages() > 0 ? 0 : 1;
    }
}
