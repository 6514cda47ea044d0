package dev.pollen.bench.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One server in one echo configuration, with the cost ratios derived from
 * {@code EchoBench}'s aux counters.
 *
 * <p><b>Threading:</b> immutable, any thread.
 *
 * @param server         {@code pollen:<poller>}, {@code netty:epoll} or {@code netty:nio}
 * @param connections    concurrent connections
 * @param size           message size in bytes
 * @param messagesPerSec messages echoed per second
 * @param messagesError  its 99.9% confidence half-width (NaN with one iteration)
 * @param cpuNsPerMsg    the server thread's CPU nanoseconds per echoed message
 * @param allocPerMsg    bytes the server thread allocated per echoed message
 * @param jvmAllocPerMsg bytes the whole JVM allocated per message ({@code -prof gc}), or NaN
 */
record EchoRow(String server, int connections, int size, double messagesPerSec,
               double messagesError, double cpuNsPerMsg, double allocPerMsg,
               double jvmAllocPerMsg) {

    /** The benchmark these rows come from. */
    static final String BENCHMARK = "EchoBench.pingPong";

    /**
     * The echo rows of a run, ordered by configuration, then Pollen pollers before Netty.
     *
     * @param runs every entry of the result file
     * @return the echo rows
     */
    static List<EchoRow> of(List<Run> runs) {
        List<EchoRow> rows = new ArrayList<>();
        for (Run r : runs) {
            if (!r.shortName().equals(BENCHMARK) || r.param("server") == null) {
                continue;
            }
            Run.Metric messages = r.secondary().get("messages");
            Run.Metric cpu = r.secondary().get("serverCpuNanos");
            Run.Metric alloc = r.secondary().get("serverAllocBytes");
            if (messages == null || cpu == null || alloc == null) {
                continue;
            }
            int connections = Integer.parseInt(r.param("connections"));
            rows.add(new EchoRow(r.param("server"), connections,
                    Integer.parseInt(r.param("size")), messages.score(), messages.error(),
                    cpu.score() / messages.score(), alloc.score() / messages.score(),
                    r.gcBytesPerOp() / connections));
        }
        rows.sort(Comparator.comparingInt(EchoRow::connections).thenComparingInt(EchoRow::size)
                .thenComparing(EchoRow::serverOrder));
        return rows;
    }

    /**
     * Whether this is one of Pollen's pollers.
     *
     * @return true for {@code pollen:*}
     */
    boolean isPollen() {
        return server.startsWith("pollen:");
    }

    /**
     * The configuration as text, e.g. {@code 64 conn, 16 KiB}.
     *
     * @return the label
     */
    String config() {
        return configLabel(connections, size);
    }

    static String configLabel(int connections, int size) {
        String s = size % 1024 == 0 ? size / 1024 + " KiB" : size + " B";
        return connections + (connections == 1 ? " conn, " : " conns, ") + s;
    }

    /**
     * A stable order: Pollen's epoll, netty-epoll, kqueue, nio, any other poller, then Netty's
     * epoll, io_uring and NIO.
     *
     * @return a sort key
     */
    String serverOrder() {
        return switch (server) {
            case "pollen:epoll" -> "0";
            case "pollen:netty-epoll" -> "1";
            case "pollen:kqueue" -> "2";
            case "pollen:nio" -> "3";
            case "netty:epoll" -> "8";
            case "netty:io_uring" -> "85";
            case "netty:nio" -> "9";
            default -> (isPollen() ? "4" : "7") + server;
        };
    }
}
