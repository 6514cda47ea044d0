package dev.pollen.linux.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The loop thread allocates nothing per echoed message once warm.
 *
 * <p>On the {@code ffm} engine (Pollen's own ring): nothing at all, with the default one-shot
 * polls and with multishot READ polls alike (a request is written into the mapped submission
 * queue, a completion read from the mapped completion queue, nothing is wrapped).
 *
 * <p>On the {@code netty} engine only with multishot READ polls
 * ({@code -Dpollen.io_uring.multishot=true}): each one-shot poll of the default costs a Netty
 * {@code IoUringIoOps}. What is left with multishot polls is Netty's:
 * {@code IoUringIoHandler.run} makes a new method reference ({@code this::handle}, 16 bytes) for
 * each call, one per wait, which in this one-message ping-pong is at least one per message; the
 * test counts the runs and subtracts them.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IoUringAllocationTest {

    private static final int WARMUP = 50_000;
    private static final int MEASURED = 50_000;
    private static final int WINDOWS = 5;
    private static final int SIZE = 64;
    /** Bytes Netty 4.2.18's {@code IoUringIoHandler.run} allocates per call (its completion callback). */
    private static final long NETTY_PER_RUN = 16;

    @Test
    void anEchoOfSmallMessagesAllocatesNothingPerMessageOnTheLoopThread() throws Exception {
        echo(IoUringMultishotTest.pollerWithMultishot("true"), 1.0, "none");
    }

    /**
     * With receives ahead of the reader ({@code -Dpollen.io_uring.recv=ahead}) each message costs
     * one receive. On the ffm engine it is written into the mapped submission queue: nothing is
     * allocated. On the netty engine it is a new Netty {@code IoUringIoOps} (80 bytes on a 64-bit
     * JVM with compressed pointers), which the JIT usually removes (Netty copies it into the
     * submission at once: 0.01-0.03 bytes per message were measured), so the bound there is one
     * such object; nothing else of Pollen's may allocate per message.
     */
    @Test
    void withReceivesAheadNothingOfPollensIsAllocatedPerMessage() throws Exception {
        Poller poller = IoUringTesting.newPoller(IoUringPoller.RECV_PROPERTY, "ahead");
        if ("ffm".equals(((IoUringPoller) poller).engine())) {
            echo(poller, 1.0, "none");
        } else {
            echo(poller, 88.0, "at most one IoUringIoOps (80 bytes) per receive");
        }
    }

    @Test
    void theFfmEngineAllocatesNothingPerMessageWithOneShotPollsToo() throws Exception {
        Poller poller = IoUringMultishotTest.pollerWithMultishot("false");
        if (!"ffm".equals(((IoUringPoller) poller).engine())) {
            poller.close();
            org.junit.jupiter.api.Assumptions.assumeTrue(false,
                    "the netty engine allocates a Netty IoUringIoOps per one-shot poll (docs/pollers-io_uring.md)");
        }
        echo(poller, 1.0, "none");
    }

    /**
     * With sends through the ring ({@code -Dpollen.io_uring.send=ring}, ffm engine only) each
     * message is copied into the socket's native send buffer and sent by an
     * {@code IORING_OP_SEND} written into the mapped submission queue: nothing is allocated.
     */
    @Test
    void withSendsThroughTheRingNothingIsAllocatedPerMessage() throws Exception {
        Poller poller = IoUringTesting.newPoller(IoUringPoller.SEND_PROPERTY, "ring");
        if (!"ffm".equals(((IoUringPoller) poller).engine())) {
            poller.close();
            org.junit.jupiter.api.Assumptions.assumeTrue(false,
                    "sends through the ring are the ffm engine's only (the netty engine falls back to send(2))");
        }
        echo(poller, 1.0, "none");
    }

    /** Echoes small messages through {@code poller} (closed afterwards): fewer than {@code limit} bytes per message. */
    private static void echo(Poller poller, double limit, String expected) throws Exception {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        IoUringPoller uring = (IoUringPoller) poller;
        long nettyPerRun = "netty".equals(uring.engine()) ? NETTY_PER_RUN : 0;
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
            StreamSocket server = null;
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
                // Windows of MEASURED / WINDOWS messages; the best one counts (the JIT may still
                // compile, and deoptimise, during the first ones; a per-message object shows in all).
                double best = Double.MAX_VALUE;
                long bestAllocated = 0;
                for (int w = 1; w <= WINDOWS; w++) {
                    long before = threads.getCurrentThreadAllocatedBytes();
                    long fromBytes = echo.bytes;
                    long fromRuns = uring.runs;
                    while (echo.bytes < (WARMUP + (long) MEASURED * w / WINDOWS) * SIZE) {
                        assertTrue(System.nanoTime() < t && client.isAlive(), stalled);
                        poller.poll(TimeUnit.MILLISECONDS.toNanos(100));
                    }
                    // what Netty allocates per run is Netty's; what is left is Pollen's
                    long allocated = threads.getCurrentThreadAllocatedBytes() - before
                            - nettyPerRun * (uring.runs - fromRuns);
                    double perMessage = allocated / ((echo.bytes - fromBytes) / (double) SIZE);
                    if (perMessage < best) {
                        best = perMessage;
                        bestAllocated = allocated;
                    }
                }
                client.join(10_000);
                assertEquals(null, clientFailure.get());
                assertTrue(best < limit, "allocated " + bestAllocated + " bytes on the loop thread over "
                        + (MEASURED / WINDOWS) + " echoed messages in the best window (" + best
                        + " per message) on the " + uring.engine() + " engine, besides Netty's " + nettyPerRun
                        + " per run; expected " + expected);
            }
        } finally {
            poller.close();
        }
    }

    /** Reads what is there and writes it back, telling the poller when it drained the socket. */
    private static final class Echo implements dev.pollen.spi.IoHandler {
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
                if (n < buf.capacity()) {
                    ((ReadDrainedHint) registration).readDrained();
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
