package dev.pollen.linux.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.Poller;
import dev.pollen.spi.SocketOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A ring is bound to the thread that enables it (Netty registers its fd with that thread, see
 * {@link RingThread}): the poller must still work when it is built on one thread, polled on
 * another, then polled and closed on a third, as a loop group or a late close does.
 */
class IoUringThreadsTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void aPollerBuiltHerePolledThereAndClosedHereStillReportsReadiness() throws Exception {
        Poller poller = IoUringTesting.newPoller();
        ListenSocket listener = poller.sockets().listen(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16, SocketOptions.none());
        AtomicInteger ready = new AtomicInteger();
        poller.register(listener, Poller.READ, ops -> ready.incrementAndGet());
        int port = ((InetSocketAddress) listener.localAddress()).getPort();
        try (SocketChannel client = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread other = new Thread(() -> {
                try {
                    poller.poll(SECOND); // enables the ring on this thread
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "first-poller-thread");
            other.start();
            other.join();
            assertEquals(null, failure.get());
            assertEquals(1, ready.get(), "the pending connection is readiness on the first thread");
            // not accepted: level-triggered, so this thread sees it again through the same ring
            poller.poll(SECOND);
            assertEquals(2, ready.get(), "readiness reported again on another thread");
            listener.accept().close();
            listener.close();
        } finally {
            poller.close();
        }
        assertTrue(poller.isClosed());
    }
}
