package dev.pollen.bench;

import dev.pollen.bench.echo.EchoClient;
import dev.pollen.bench.echo.EchoServer;
import dev.pollen.bench.echo.ThreadMeter;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Echo ping-pong over loopback: Pollen on every poller against Netty 4.2 on epoll and NIO, with
 * the same blocking-socket client ({@link EchoClient}) for every server.
 *
 * <p>One operation is one round: every connection sends a {@code size}-byte message and reads the
 * echo back. The primary score is rounds per second; the secondary results (JMH aux counters,
 * all per second of the iteration) are:
 * <ul>
 *   <li>{@code messages}: messages echoed per second (rounds x connections);</li>
 *   <li>{@code serverCpuNanos}: CPU nanoseconds the server's one thread used per second (1e9 is
 *       one full core);</li>
 *   <li>{@code serverAllocBytes}: bytes the server's thread allocated per second.</li>
 * </ul>
 * The cost figures are their ratios: {@code serverCpuNanos / messages} is the server's CPU time
 * per echoed message (what the comparison ranks; the client shares the 2 cores, so throughput
 * alone hides who is cheaper) and {@code serverAllocBytes / messages} its allocation per message
 * (target 0). JMH cannot publish a ratio as an aux counter (its EVENTS counters are summed over
 * iterations), so the results step ({@code dev.pollen.bench.report.Report}) computes them from the
 * JSON, and each trial also prints them for its measured iterations.
 *
 * <p><b>Threading:</b> JMH calls everything on its one benchmark thread (the client); the server
 * runs on its own thread and is only started, measured and stopped from here.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// 3 warm-up seconds, so that even the 1-connection configurations (the fewest messages per second)
// run C2-compiled code before the server's allocation per message is measured.
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g",
        "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED"})
public class EchoBench {

    /**
     * One message out and back on every connection.
     *
     * @param echo the server, its clients and the counters
     */
    @Benchmark
    public void pingPong(Echo echo) {
        echo.client.round();
        echo.messages += echo.connections;
    }

    /**
     * The server under test, the client connected to it, and the server's costs over each
     * iteration, published as JMH secondary results (one state: JMH would give each helper
     * method that takes a thread-scoped state as an argument its own instance, hence its own
     * server).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Echo {
        /**
         * The server: {@code pollen:<poller>} or {@code netty:epoll} / {@code netty:nio}.
         * Unavailable ones fail in setup with a clear message; {@code benchmarks/run-suite.sh}
         * passes only the available ones. (Parameters are not public: public fields of an
         * {@code @AuxCounters} state are published as counters.)
         */
        @Param({"pollen:nio", "pollen:epoll", "pollen:netty-epoll", "pollen:kqueue",
                "netty:epoll", "netty:nio"})
        String server;

        /** Concurrent connections, each with one message in flight. */
        @Param({"1", "64"})
        int connections;

        /** Message size in bytes. */
        @Param({"64", "16384"})
        int size;

        /** Messages echoed in this iteration. */
        public long messages;
        /** CPU nanoseconds the server thread used in this iteration. */
        public long serverCpuNanos;
        /** Bytes the server thread allocated in this iteration. */
        public long serverAllocBytes;

        EchoServer echoServer;
        EchoClient client;
        ThreadMeter serverThread;

        private long cpuAtStart;
        private long allocAtStart;
        private boolean measuring;
        private long totalMessages;
        private long totalCpu;
        private long totalAlloc;

        /** Starts the server, connects the clients and checks that the echo is exact. */
        @Setup(Level.Trial)
        public void start() {
            echoServer = EchoServer.start(server);
            try {
                client = new EchoClient(echoServer.address(), connections, size);
                serverThread = new ThreadMeter(echoServer.thread());
                for (int i = 0; i < 10; i++) {
                    client.verifiedRound();
                }
            } catch (RuntimeException e) {
                stop();
                throw e;
            }
        }

        /**
         * Prints the server's cost per message over the measured iterations (for people reading
         * the console), closes the clients, then the server.
         */
        @TearDown(Level.Trial)
        public void stop() {
            if (totalMessages > 0) {
                System.out.printf(Locale.ROOT, "%n[%s, %d conn, %d B] server CPU per message: "
                                + "%.0f ns; server allocation per message: %.2f B%n",
                        server, connections, size,
                        (double) totalCpu / totalMessages, (double) totalAlloc / totalMessages);
            }
            if (client != null) {
                client.close();
            }
            if (echoServer != null) {
                echoServer.close();
            }
        }

        /**
         * Resets the counters and samples the server thread.
         *
         * @param iteration whether this is a warm-up or a measured iteration
         */
        @Setup(Level.Iteration)
        public void begin(IterationParams iteration) {
            messages = 0;
            serverCpuNanos = 0;
            serverAllocBytes = 0;
            measuring = iteration.getType() == IterationType.MEASUREMENT;
            allocAtStart = serverThread.allocatedBytes();
            cpuAtStart = serverThread.cpuNanos();
        }

        /**
         * Charges the server thread's CPU time and allocation since {@link #begin} to this
         * iteration (JMH reads the counters after this).
         */
        @TearDown(Level.Iteration)
        public void end() {
            serverCpuNanos = serverThread.cpuNanos() - cpuAtStart;
            serverAllocBytes = serverThread.allocatedBytes() - allocAtStart;
            if (measuring) {
                totalMessages += messages;
                totalCpu += serverCpuNanos;
                totalAlloc += serverAllocBytes;
            }
        }
    }
}
