package dev.pollen.linux.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.Poller;
import dev.pollen.spi.SocketOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A ring is bound to the thread that enables it (Netty registers its fd with that thread, see
 * {@link RingThread}): the poller must still work when it is built on one thread, polled on
 * others (virtual ones too, whose carrier changes), then polled and closed on yet another, as a
 * loop group or a late close does.
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

    @Test
    void aPollerWaitedOnByManyThreadsInTurnReportsOnEach() throws Exception {
        // A ring driven by many threads in turn, by threads coming back, and by a virtual thread
        // (whose carrier changes) must keep working, and close from yet another thread (a ring
        // fd registered with one thread, as Netty's is and as the ffm engine's was in a trial,
        // means nothing or another ring on the others).
        Poller poller = IoUringTesting.newPoller();
        ListenSocket listener = poller.sockets().listen(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16, SocketOptions.none());
        AtomicInteger ready = new AtomicInteger();
        poller.register(listener, Poller.READ, ops -> ready.incrementAndGet());
        ExecutorService pool = Executors.newFixedThreadPool(7);
        try (SocketChannel client = SocketChannel.open(listener.localAddress())) {
            int expected = 0;
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 7; i++) {
                    // a fixed pool runs these on its threads in turn; level-triggered, so each sees the connection
                    pool.submit(() -> poller.poll(SECOND)).get();
                    assertEquals(++expected, ready.get(), "reported on pool thread, round " + round);
                }
                Thread v = Thread.ofVirtual().start(() -> {
                    poller.poll(SECOND);
                    Thread.yield();
                    poller.poll(SECOND);
                });
                v.join();
                expected += 2;
                assertEquals(expected, ready.get(), "reported on a virtual thread, round " + round);
            }
            listener.accept().close();
            listener.close();
        } finally {
            pool.shutdown();
            poller.close(); // neither a thread it registered with nor a pool thread
        }
        assertTrue(poller.isClosed());
    }
}
