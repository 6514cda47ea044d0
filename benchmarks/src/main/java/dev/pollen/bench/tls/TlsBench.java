package dev.pollen.bench.tls;

import dev.pollen.bench.echo.EchoServer;
import dev.pollen.bench.echo.ThreadMeter;
import dev.pollen.bench.echo.TlsEchoServers;
import dev.pollen.testkit.TlsMaterial;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
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
 * TLS over loopback: Pollen's TLS transport against Netty's {@code SslHandler}, each with the
 * JDK's engine and with OpenSSL's (BoringSSL), the same blocking JDK {@code SSLSocket} client
 * (TLS 1.3) for all four servers ({@link TlsEchoServers}). The server runs on one thread whose CPU time and allocation are
 * measured ({@link ThreadMeter}), as in {@code EchoBench}.
 *
 * <ul>
 *   <li>{@link #bulk}: one operation echoes one {@code size}-byte message; aux counters
 *       {@code bytes} (each way), {@code serverCpuNanos}, {@code serverAllocBytes}. Ratios that
 *       matter: server CPU per byte ({@code serverCpuNanos / bytes}) and allocation per message
 *       ({@code serverAllocBytes / messages}).</li>
 *   <li>{@link #handshake}: one operation is a new connection's full handshake (the client's
 *       session is invalidated, so no resumption), one byte echoed to be sure the server finished
 *       it, and a close; aux counters {@code handshakes}, {@code serverCpuNanos},
 *       {@code serverAllocBytes}: server CPU per handshake.</li>
 * </ul>
 * Each trial prints its ratios at the end. Run: {@code java -jar benchmarks/target/benchmarks.jar
 * TlsBench}.
 *
 * <p><b>Threading:</b> JMH's benchmark thread is the client; the server has its own thread.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g",
        "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED"})
public class TlsBench {

    /**
     * Echoes one message over an established TLS connection.
     *
     * @param s the server and connection
     */
    @Benchmark
    public void bulk(Bulk s) throws IOException {
        s.out.write(s.message);
        s.out.flush();
        int got = 0;
        while (got < s.size) {
            int n = s.in.read(s.reply, got, s.size - got);
            if (n < 0) {
                throw new IOException("the server closed the connection");
            }
            got += n;
        }
        s.bytes += s.size;
        s.messages++;
    }

    /**
     * One full handshake on a new connection.
     *
     * @param s the server
     */
    @Benchmark
    public void handshake(Handshakes s) throws IOException {
        try (SSLSocket sock = (SSLSocket) s.client.getSocketFactory().createSocket(
                s.server.address().getAddress(), s.server.address().getPort())) {
            sock.setTcpNoDelay(true);
            sock.startHandshake();
            sock.getSession().invalidate(); // the next connection is a full handshake again
            sock.getOutputStream().write(1);
            if (sock.getInputStream().read() != 1) {
                throw new IOException("no echo after the handshake");
            }
        }
        s.handshakes++;
    }

    /** What both states share: the server, its thread meter and the per-iteration counters. */
    abstract static class Base {
        EchoServer server;
        ThreadMeter meter;
        SSLContext client;
        long cpuAtStart;
        long allocAtStart;
        boolean measuring;
        long totalCpu;
        long totalAlloc;
        long totalUnits;

        void startServer(String spec) {
            server = TlsEchoServers.start(spec);
            meter = new ThreadMeter(server.thread());
            client = clientContext();
        }

        void begin(IterationParams it) {
            measuring = it.getType() == IterationType.MEASUREMENT;
            cpuAtStart = meter.cpuNanos();
            allocAtStart = meter.allocatedBytes();
        }

        long[] end(long units) {
            long cpu = meter.cpuNanos() - cpuAtStart;
            long alloc = meter.allocatedBytes() - allocAtStart;
            if (measuring) {
                totalCpu += cpu;
                totalAlloc += alloc;
                totalUnits += units;
            }
            return new long[] {cpu, alloc};
        }
    }

    /** A server and one established connection. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bulk extends Base {
        /** {@code pollen:jdk}, {@code pollen:openssl}, {@code netty:jdk}, {@code netty:openssl}. */
        @Param({"pollen:jdk", "netty:jdk", "pollen:openssl", "netty:openssl"})
        String serverSpec;

        /** Message size in bytes. */
        @Param({"1024", "65536"})
        int size;

        /** Bytes echoed this iteration (each way). */
        public long bytes;
        /** Messages echoed this iteration. */
        public long messages;
        /** Server thread CPU nanoseconds this iteration. */
        public long serverCpuNanos;
        /** Server thread allocated bytes this iteration. */
        public long serverAllocBytes;

        SSLSocket socket;
        OutputStream out;
        InputStream in;
        byte[] message;
        byte[] reply;

        /** Starts the server and connects; checks one echo byte for byte. */
        @Setup(Level.Trial)
        public void start() throws IOException {
            startServer(serverSpec);
            InetSocketAddress a = server.address();
            socket = (SSLSocket) client.getSocketFactory().createSocket(a.getAddress(), a.getPort());
            socket.setTcpNoDelay(true);
            socket.startHandshake();
            out = socket.getOutputStream();
            in = socket.getInputStream();
            message = new byte[size];
            for (int i = 0; i < size; i++) {
                message[i] = (byte) (i * 31 + 7);
            }
            reply = new byte[size];
            bytes = 0;
            out.write(message);
            out.flush();
            if (in.readNBytes(reply, 0, size) != size || !Arrays.equals(message, reply)) {
                throw new IllegalStateException("the echo came back wrong from " + serverSpec);
            }
        }

        @Setup(Level.Iteration)
        public void begin(IterationParams it) {
            bytes = 0;
            messages = 0;
            super.begin(it);
        }

        @TearDown(Level.Iteration)
        public void end() {
            long[] c = end(bytes);
            serverCpuNanos = c[0];
            serverAllocBytes = c[1];
            if (measuring) {
                totalMsgs += messages;
            }
        }

        long totalMsgs;

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            if (totalUnits > 0) {
                System.out.printf(Locale.ROOT, "%n[%s, %d B] server CPU per KiB: %.0f ns; server "
                        + "allocation per message: %.1f B%n", serverSpec, size,
                        1024.0 * totalCpu / totalUnits, (double) totalAlloc / totalMsgs);
            }
            if (socket != null) {
                socket.close();
            }
            server.close();
        }
    }

    /** A server; every operation is a new connection. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Handshakes extends Base {
        /** {@code pollen:jdk}, {@code pollen:openssl}, {@code netty:jdk}, {@code netty:openssl}. */
        @Param({"pollen:jdk", "netty:jdk", "pollen:openssl", "netty:openssl"})
        String serverSpec;

        /** Handshakes this iteration. */
        public long handshakes;
        /** Server thread CPU nanoseconds this iteration. */
        public long serverCpuNanos;
        /** Server thread allocated bytes this iteration. */
        public long serverAllocBytes;

        @Setup(Level.Trial)
        public void start() {
            startServer(serverSpec);
        }

        @Setup(Level.Iteration)
        public void begin(IterationParams it) {
            handshakes = 0;
            super.begin(it);
        }

        @TearDown(Level.Iteration)
        public void end() {
            long[] c = end(handshakes);
            serverCpuNanos = c[0];
            serverAllocBytes = c[1];
        }

        @TearDown(Level.Trial)
        public void stop() {
            if (totalUnits > 0) {
                System.out.printf(Locale.ROOT, "%n[%s] server CPU per handshake: %.0f us; server "
                        + "allocation per handshake: %.0f KiB%n", serverSpec,
                        totalCpu / 1e3 / totalUnits, totalAlloc / 1024.0 / totalUnits);
            }
            server.close();
        }
    }

    /** A JDK client context trusting the test CA. */
    static SSLContext clientContext() {
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            try (InputStream in = Files.newInputStream(TlsMaterial.path("ca.pem"))) {
                ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509")
                        .generateCertificate(in));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(
                    TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
