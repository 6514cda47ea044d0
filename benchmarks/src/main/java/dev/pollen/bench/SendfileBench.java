package dev.pollen.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.net.Connection;
import dev.pollen.net.Net;
import dev.pollen.net.Protocol;
import dev.pollen.net.SendfileStats;
import dev.pollen.net.Transport;
import dev.pollen.spi.Pollers;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * {@code Net.sendfile}'s zero-copy path against its read/write fallback, same run, interleaved
 * rounds: a loop on each poller sends one file (in the page cache) over loopback TCP to a reader
 * thread that drains it with a blocking channel. Reports MB/s and the sending side's CPU seconds
 * per GB (process CPU minus the reader thread's: the loop thread, the executor that reads the file
 * for the fallback, and the GC). The fallback is forced by handing {@code Net.sendfile} a
 * delegating proxy of the transport (it takes the zero-copy path only for the loop's own stream
 * transports), so both modes run the same build on the same connection kind.
 *
 * <pre>
 * java --add-exports java.base/jdk.internal.vm=ALL-UNNAMED --enable-native-access=ALL-UNNAMED \
 *      -cp benchmarks/target/benchmarks.jar dev.pollen.bench.SendfileBench \
 *      [--pollers epoll,io_uring,nio] [--mb 512] [--rounds 5]
 *      [--small 0,1000,10000]
 * </pre>
 *
 * <p>{@code --small} measures instead the cost per call of a 16 KiB file, each path, with that
 * many extra descriptors open: the posix pollers' zero-copy path lists {@code /proc/self/fd} to
 * find the file's descriptor, once per call.
 *
 * <p><b>Threading:</b> the main thread runs the loops; one reader thread per transfer.
 */
public final class SendfileBench {

    private SendfileBench() {
    }

    /**
     * Runs the comparison and prints a Markdown table.
     *
     * @param args see the class comment
     * @throws Exception on a failure
     */
    public static void main(String[] args) throws Exception {
        List<String> pollers = List.of("epoll", "io_uring", "nio");
        int mb = 512;
        int rounds = 5;
        List<Integer> small = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--pollers" -> pollers = List.of(args[++i].split(","));
                case "--mb" -> mb = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--small" -> small = java.util.Arrays.stream(args[++i].split(","))
                        .map(Integer::valueOf).toList();
                default -> {
                    System.err.println("unknown argument " + args[i]
                            + "; use --pollers a,b --mb N --rounds N");
                    System.exit(2);
                }
            }
        }
        if (small != null) {
            small(pollers, small, rounds);
            return;
        }
        Path file = Files.createTempFile("pollen-sendfile", ".bin");
        try {
            byte[] chunk = new byte[1 << 20];
            new Random(1).nextBytes(chunk);
            try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
                for (int i = 0; i < mb; i++) {
                    out.write(ByteBuffer.wrap(chunk));
                }
            }
            System.out.println("file " + mb + " MiB at " + file + "; load average before: "
                    + loadAverage());
            List<String> rows = new ArrayList<>();
            for (String poller : pollers) {
                double[][] mbps = new double[2][rounds];
                double[][] cpu = new double[2][rounds];
                for (int r = 0; r < rounds; r++) {
                    for (int mode = 0; mode < 2; mode++) {
                        // alternate which mode goes first, so drift hurts both alike
                        int m = (r % 2 == 0) ? mode : 1 - mode;
                        double[] res = once(poller, file, m == 0);
                        mbps[m][r] = res[0];
                        cpu[m][r] = res[1];
                    }
                }
                for (int m = 0; m < 2; m++) {
                    rows.add(String.format(Locale.ROOT, "| %s | %s | %.0f | %.0f–%.0f | %.3f | "
                                    + "%.3f–%.3f |", poller, m == 0 ? "zero-copy" : "fallback",
                            median(mbps[m]), min(mbps[m]), max(mbps[m]), median(cpu[m]),
                            min(cpu[m]), max(cpu[m])));
                }
            }
            System.out.println();
            System.out.println("| poller | path | MB/s (median) | MB/s (range) | sender CPU s/GB "
                    + "(median) | CPU s/GB (range) |");
            System.out.println("|---|---|---:|---:|---:|---:|");
            rows.forEach(System.out::println);
            System.out.println();
            System.out.println("load average after: " + loadAverage() + "; " + rounds
                    + " interleaved rounds of " + mb + " MiB per poller and path");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** One transfer: {MB/s, sender CPU seconds per GB}. */
    private static double[] once(String poller, Path file, boolean zeroCopy) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        OperatingSystemMXBean os = (OperatingSystemMXBean)
                ManagementFactory.getOperatingSystemMXBean();
        try (EventLoop loop = EventLoop.builder().poller(Pollers.create(poller)).build();
             ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            long size = Files.size(file);
            long[] readerCpu = new long[1];
            Thread reader = Thread.ofPlatform().name("sink").start(() -> {
                try (SocketChannel in = listener.accept()) {
                    ByteBuffer buf = ByteBuffer.allocateDirect(256 * 1024);
                    long got = 0;
                    while (got < size) {
                        buf.clear();
                        int n = in.read(buf);
                        if (n < 0) {
                            break;
                        }
                        got += n;
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                } finally {
                    readerCpu[0] = threads.getCurrentThreadCpuTime();
                }
            });
            Connection<Protocol> c = loop.runUntilComplete(Net.createConnection(loop,
                    () -> new Protocol() { }, "127.0.0.1", port));
            Transport t = zeroCopy ? c.transport() : delegate(c.transport());
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                SendfileStats before = Net.sendfileStats(loop);
                long cpu0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                Future<Long> f = Net.sendfile(t, ch, 0, -1, !zeroCopy);
                long sent = loop.runUntilComplete(f);
                c.transport().close();
                reader.join();
                long elapsed = System.nanoTime() - t0;
                long cpu = os.getProcessCpuTime() - cpu0 - readerCpu[0];
                SendfileStats after = Net.sendfileStats(loop);
                long kernel = after.kernelBytes() - before.kernelBytes();
                if (sent != size || (zeroCopy ? kernel != size : kernel != 0)) {
                    throw new IllegalStateException(poller + (zeroCopy ? " zero-copy" : " fallback")
                            + ": sent " + sent + " of " + size + ", kernel bytes " + kernel);
                }
                double gb = size / 1e9;
                return new double[] {size / 1e6 / (elapsed / 1e9), cpu / 1e9 / gb};
            }
        }
    }

    /** Microseconds per call for a 16 KiB file, with extra descriptors open. */
    private static void small(List<String> pollers, List<Integer> fdCounts, int rounds)
            throws Exception {
        Path file = Files.createTempFile("pollen-sendfile-small", ".bin");
        Files.write(file, new byte[16 * 1024]);
        int calls = 200;
        System.out.println("load average before: " + loadAverage());
        System.out.println();
        System.out.println("| poller | extra fds | zero-copy µs/call | fallback µs/call "
                + "| calls that went zero-copy |");
        System.out.println("|---|---:|---:|---:|---:|");
        try {
            for (int fds : fdCounts) {
                List<FileChannel> extra = new ArrayList<>();
                try {
                    for (int i = 0; i < fds; i++) {
                        extra.add(FileChannel.open(Path.of("/dev/null")));
                    }
                    for (String poller : pollers) {
                        double[][] us = new double[2][rounds];
                        long zeroCopyRuns = 0;
                        for (int r = 0; r < rounds; r++) {
                            for (int mode = 0; mode < 2; mode++) {
                                int m = (r % 2 == 0) ? mode : 1 - mode;
                                us[m][r] = smallOnce(poller, file, m == 0, calls);
                                if (m == 0) {
                                    zeroCopyRuns += lastZeroCopyRuns;
                                }
                            }
                        }
                        System.out.println(String.format(Locale.ROOT,
                                "| %s | %d | %.1f | %.1f | %d%% |", poller, fds, median(us[0]),
                                median(us[1]), 100 * zeroCopyRuns / ((long) rounds * calls)));
                    }
                } finally {
                    for (FileChannel c : extra) {
                        c.close();
                    }
                }
            }
            System.out.println();
            System.out.println("load average after: " + loadAverage() + "; median of " + rounds
                    + " interleaved rounds of " + calls + " calls");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Zero-copy runs of the last {@link #smallOnce}. */
    private static long lastZeroCopyRuns;

    private static double smallOnce(String poller, Path file, boolean zeroCopy, int calls)
            throws Exception {
        try (EventLoop loop = EventLoop.builder().poller(Pollers.create(poller)).build();
             ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            Thread reader = Thread.ofPlatform().name("sink").start(() -> {
                try (SocketChannel in = listener.accept()) {
                    ByteBuffer buf = ByteBuffer.allocateDirect(256 * 1024);
                    while (in.read(buf.clear()) >= 0) {
                        // drain
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            Connection<Protocol> c = loop.runUntilComplete(Net.createConnection(loop,
                    () -> new Protocol() { }, "127.0.0.1", port));
            Transport t = zeroCopy ? c.transport() : delegate(c.transport());
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                // open, send, close: a static file server's pattern (no descriptor remembered)
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                    // fallback allowed: a descriptor the posix pollers do not find falls back
                    loop.runUntilComplete(Net.sendfile(t, ch, 0, -1, true));
                }
            }
            long elapsed = System.nanoTime() - t0;
            lastZeroCopyRuns = Net.sendfileStats(loop).zeroCopyRuns();
            c.transport().close();
            reader.join();
            return elapsed / 1e3 / calls;
        }
    }

    /** A transport proxy: not the loop's own stream transport, so Net.sendfile falls back. */
    private static Transport delegate(Transport real) {
        return (Transport) Proxy.newProxyInstance(Transport.class.getClassLoader(),
                new Class<?>[] {Transport.class}, (proxy, method, a) -> {
                    try {
                        return method.invoke(real, a);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(double[] v) {
        return java.util.Arrays.stream(v).min().orElse(0);
    }

    private static double max(double[] v) {
        return java.util.Arrays.stream(v).max().orElse(0);
    }
}
