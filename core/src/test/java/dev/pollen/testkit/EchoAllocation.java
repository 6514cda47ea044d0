package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.IoHandler;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.Poller;
import dev.pollen.spi.ReadDrainedHint;
import dev.pollen.spi.Registration;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Measures what a poller's loop thread allocates per echoed message: a blocking NIO client
 * sends {@value #SIZE}-byte messages one at a time, the loop thread (the caller) reads each
 * through the raw SPI and writes it back. After a warm-up, the best of {@value #WINDOWS} windows
 * counts (the JIT may still compile, and deoptimise, during the first ones; a per-message object
 * shows in all of them).
 *
 * <p><b>Threading:</b> the calling thread is the poller's loop thread.
 */
public final class EchoAllocation {

    /** Message size in bytes. */
    public static final int SIZE = 64;
    private static final int WARMUP = 50_000;
    private static final int MEASURED = 50_000;
    private static final int WINDOWS = 5;

    private EchoAllocation() {
    }

    /**
     * Echoes through {@code poller} (which the caller closes) and returns the bytes allocated on
     * the calling thread per message in the best window, less {@code foreign}'s count (bytes a
     * third-party library allocates that the caller accounts for; read before and after each
     * window).
     *
     * <p><b>Threading:</b> the poller's loop thread.
     *
     * @param poller  an open poller whose sockets() can listen on loopback
     * @param foreign a running count of bytes to subtract, or {@code () -> 0}
     * @return the best window's bytes per message, with a description for a failure message
     * @throws Exception if the echo fails or stalls
     */
    public static Result bestPerMessage(Poller poller, LongSupplier foreign) throws Exception {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (ListenSocket listener = poller.sockets().listen(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16, SocketOptions.none())) {
            AtomicReference<Throwable> clientFailure = new AtomicReference<>();
            Thread client = new Thread(() -> {
                try (SocketChannel ch = SocketChannel.open(listener.localAddress())) {
                    ByteBuffer out = ByteBuffer.allocateDirect(SIZE);
                    ByteBuffer in = ByteBuffer.allocateDirect(SIZE);
                    for (int i = 0; i < WARMUP + MEASURED; i++) {
                        out.clear();
                        while (out.hasRemaining()) {
                            ch.write(out);
                        }
                        in.clear();
                        while (in.hasRemaining()) {
                            if (ch.read(in) < 0) {
                                throw new IOException("the server closed after " + i + " messages");
                            }
                        }
                    }
                } catch (Throwable t) {
                    clientFailure.set(t);
                }
            }, "echo-client");
            client.start();
            StreamSocket server;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((server = listener.accept()) == null) {
                assertTrue(System.nanoTime() < deadline, "accept did not see the connection in 10 s");
                Thread.sleep(1);
            }
            try (StreamSocket s = server) {
                Echo echo = new Echo(s);
                echo.registration = poller.register(s, Poller.READ, echo);
                long t = System.nanoTime() + TimeUnit.SECONDS.toNanos(100);
                java.util.function.Supplier<String> stalled = () -> "echo stalled: " + clientFailure.get();
                while (echo.bytes < (long) WARMUP * SIZE) {
                    assertTrue(System.nanoTime() < t && client.isAlive(), stalled);
                    poller.poll(TimeUnit.MILLISECONDS.toNanos(100));
                }
                double best = Double.MAX_VALUE;
                long bestAllocated = 0;
                for (int w = 1; w <= WINDOWS; w++) {
                    long before = threads.getCurrentThreadAllocatedBytes();
                    long fromForeign = foreign.getAsLong();
                    long fromBytes = echo.bytes;
                    while (echo.bytes < (WARMUP + (long) MEASURED * w / WINDOWS) * SIZE) {
                        assertTrue(System.nanoTime() < t && client.isAlive(), stalled);
                        poller.poll(TimeUnit.MILLISECONDS.toNanos(100));
                    }
                    long allocated = threads.getCurrentThreadAllocatedBytes() - before
                            - (foreign.getAsLong() - fromForeign);
                    double perMessage = allocated / ((echo.bytes - fromBytes) / (double) SIZE);
                    if (perMessage < best) {
                        best = perMessage;
                        bestAllocated = allocated;
                    }
                }
                client.join(10_000);
                assertEquals(null, clientFailure.get());
                return new Result(best, "allocated " + bestAllocated + " bytes on the loop thread over "
                        + (MEASURED / WINDOWS) + " echoed messages in the best window (" + best
                        + " per message) on " + poller.name());
            }
        }
    }

    /**
     * A measurement.
     *
     * <p><b>Threading:</b> immutable.
     *
     * @param perMessage bytes per message in the best window
     * @param detail     what was measured, for a failure message
     */
    public record Result(double perMessage, String detail) {
    }

    /** Reads what is there and writes it back, telling the poller when it drained the socket. */
    private static final class Echo implements IoHandler {
        private final StreamSocket socket;
        private final ByteBuffer buf = ByteBuffer.allocateDirect(16 * 1024);
        Registration registration;
        long bytes;

        Echo(StreamSocket socket) {
            this.socket = socket;
        }

        @Override
        public void onReady(int readyOps) {
            try {
                buf.clear();
                int n = socket.read(buf);
                if (n < buf.capacity() && registration instanceof ReadDrainedHint hint) {
                    hint.readDrained();
                }
                if (n <= 0) {
                    return;
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    socket.write(buf); // 64 bytes: the send buffer has room
                }
                bytes += n;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
