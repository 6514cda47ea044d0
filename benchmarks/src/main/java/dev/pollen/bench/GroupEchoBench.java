package dev.pollen.bench;

import dev.pollen.bench.echo.EchoClient;
import dev.pollen.bench.echo.ThreadMeter;
import dev.pollen.group.GroupServer;
import dev.pollen.group.LoopGroup;
import dev.pollen.net.Protocol;
import dev.pollen.net.Transport;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Echo ping-pong over loopback against a {@link LoopGroup} server with 1 or 2 loops: does a
 * second loop buy throughput on this machine?
 *
 * <p>Two JMH threads each drive their own {@link EchoClient} ({@code connections} blocking
 * sockets, one {@code size}-byte message in flight on each); one operation is one round of a
 * client (every connection sends and reads the echo back). The group server spreads connections
 * over its loops with {@code SO_REUSEPORT} where the poller supports it (Linux); on a 2-core
 * machine the two client threads and the loops share the cores, so compare the 1- and 2-loop
 * rows of one run, not absolute numbers. Secondary result {@code messages}: messages echoed per
 * second. {@code serverCpuNanos}: CPU nanoseconds all loop threads used per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Threads(2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g",
        "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED"})
public class GroupEchoBench {

    /**
     * One message out and back on every connection of this thread's client.
     *
     * @param client the thread's client and counters
     */
    @Benchmark
    public void pingPong(Client client) {
        client.client.round();
        client.messages += client.connections;
    }

    /** The group echo server, shared by the benchmark threads. */
    @State(Scope.Benchmark)
    public static class Server {
        /** The poller every loop uses (only available ones; see {@link AvailablePollers}). */
        @Param({"nio", "epoll"})
        public String poller;

        /** Loops in the group. */
        @Param({"1", "2"})
        public int loops;

        LoopGroup group;
        InetSocketAddress address;
        List<ThreadMeter> loopThreads;
        /** Claimed by the one client thread that reports the loops' CPU time. */
        final AtomicBoolean cpuCounter = new AtomicBoolean();

        /** Starts the group and its server. */
        @Setup(Level.Trial)
        public void start() throws Exception {
            if (!AvailablePollers.pollen().contains(poller)) {
                throw new IllegalStateException("poller '" + poller + "' is not available here ("
                        + AvailablePollers.describe() + "); pass -p poller=...");
            }
            group = LoopGroup.builder().loops(loops).poller(poller).name("pollen-echo-group")
                    .daemon(true).build();
            GroupServer server = group.createServer(Echo::new, "127.0.0.1", 0)
                    .get(10, TimeUnit.SECONDS);
            address = new InetSocketAddress("127.0.0.1", server.port());
            loopThreads = new ArrayList<>();
            for (var loop : group.loops()) {
                loopThreads.add(new ThreadMeter(group.submit(loop, Thread::currentThread)
                        .get(10, TimeUnit.SECONDS)));
            }
        }

        /** Stops the group (the clients closed their sockets first). */
        @TearDown(Level.Trial)
        public void stop() {
            if (group != null) {
                group.close();
            }
        }

        long cpuNanos() {
            long sum = 0;
            for (ThreadMeter m : loopThreads) {
                sum += m.cpuNanos();
            }
            return sum;
        }
    }

    /** One benchmark thread's client and its counters (JMH sums them over the threads). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Client {
        /** Connections per client, each with one message in flight. */
        @Param({"32"})
        int connections;

        /** Message size in bytes. */
        @Param({"64"})
        int size;

        /** Messages echoed in this iteration. */
        public long messages;
        /** Loop-thread CPU nanoseconds in this iteration (reported by one thread only). */
        public long serverCpuNanos;

        EchoClient client;
        private Server server;
        private boolean first;
        private long cpuAtStart;

        /**
         * Connects and checks that the echo is exact.
         *
         * @param server the shared server
         */
        @Setup(Level.Trial)
        public void connect(Server server) {
            this.server = server;
            client = new EchoClient(server.address, connections, size);
            for (int i = 0; i < 10; i++) {
                client.verifiedRound();
            }
            first = server.cpuCounter.compareAndSet(false, true);
        }

        /** Resets the counters. */
        @Setup(Level.Iteration)
        public void begin() {
            messages = 0;
            serverCpuNanos = 0;
            cpuAtStart = server.cpuNanos();
        }

        /** Charges the loops' CPU time to this iteration (once, not once per thread). */
        @TearDown(Level.Iteration)
        public void end() {
            serverCpuNanos = first ? server.cpuNanos() - cpuAtStart : 0;
        }

        /** Closes the client's sockets. */
        @TearDown(Level.Trial)
        public void close() {
            if (client != null) {
                client.close();
            }
        }
    }

    /** Writes every byte it receives back to the sender. */
    static final class Echo implements Protocol {
        private Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            transport.write(data);
        }
    }
}
