package dev.pollen.bench;

import dev.pollen.loop.EventLoop;
import dev.pollen.spi.PollerInfo;
import dev.pollen.spi.Pollers;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Which pollers (and Netty transports) this machine can run, for the benchmarks' {@code poller}
 * and {@code server} parameters.
 *
 * <p>A benchmark whose parameter names an unavailable poller fails in its {@code @Setup} with
 * {@link #loop(String, String)}'s message; JMH then reports that one parameter combination as
 * failed and goes on with the others. {@code benchmarks/run-suite.sh} avoids even that by passing
 * only the available names: it runs {@link #main(String[])}, which prints them.
 *
 * <p><b>Threading:</b> any thread.
 */
public final class AvailablePollers {

    private AvailablePollers() {
    }

    /**
     * The names of the available Pollen pollers, best first.
     *
     * @return e.g. {@code [epoll, netty-epoll, nio]}
     */
    public static List<String> pollen() {
        List<String> names = new ArrayList<>();
        for (PollerInfo info : Pollers.list()) {
            if (info.available()) {
                names.add(info.name());
            }
        }
        return names;
    }

    /**
     * The echo servers {@link EchoBench} can run here: {@code pollen:<poller>} for every available
     * poller, then {@code netty:epoll} and {@code netty:io_uring} (if Netty's native transport
     * loads and, for io_uring, the kernel allows it) and {@code netty:nio}.
     *
     * @return the {@code server} parameter values
     */
    public static List<String> servers() {
        List<String> names = new ArrayList<>();
        for (String p : pollen()) {
            names.add("pollen:" + p);
        }
        if (Epoll.isAvailable()) {
            names.add("netty:epoll");
        }
        if (IoUring.isAvailable()) {
            names.add("netty:io_uring");
        }
        names.add("netty:nio");
        return names;
    }

    /**
     * Builds a loop on the named poller, or fails with a message that says how to skip it.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param poller   a poller name, or {@code auto}
     * @param loopName the loop's (and its thread's) name
     * @return a new loop, not running
     * @throws IllegalStateException if the poller is not available here
     */
    public static EventLoop loop(String poller, String loopName) {
        if (!Pollers.AUTO.equals(poller) && !pollen().contains(poller)) {
            throw new IllegalStateException("poller '" + poller + "' is not available on this "
                    + "machine, skipping this parameter (" + describe() + "). Pass only available "
                    + "ones, e.g. -p poller=" + String.join(",", pollen())
                    + ", or use benchmarks/run-suite.sh, which does.");
        }
        return EventLoop.builder().poller(poller).name(loopName).build();
    }

    /**
     * One line per provider: name, available or not, and why.
     *
     * @return the description
     */
    public static String describe() {
        return Pollers.list().stream()
                .map(i -> i.name() + ": " + (i.available() ? "available" : "unavailable, " + i.reason()))
                .collect(Collectors.joining("; "));
    }

    /**
     * Prints the available names, comma-separated, for a shell script: the pollers, or with
     * {@code --servers} the echo servers, or with {@code --describe} one line per provider.
     *
     * @param args {@code [--servers | --describe]}
     */
    public static void main(String[] args) {
        String mode = args.length > 0 ? args[0] : "";
        switch (mode) {
            case "" -> System.out.println(String.join(",", pollen()));
            case "--servers" -> System.out.println(String.join(",", servers()));
            case "--describe" -> Pollers.list().forEach(System.out::println);
            default -> {
                System.err.println("usage: AvailablePollers [--servers | --describe], got " + mode);
                System.exit(2);
            }
        }
    }
}
