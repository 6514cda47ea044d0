package dev.pollen.linux.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.DatagramSocket;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.Poller;
import dev.pollen.spi.SocketOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A ring's fd is registered with the threads that drive it (Netty's with the thread that enables
 * it, see {@link RingThread}; the ffm engine's with the first few threads that wait on it), and
 * such an index is the thread's own: the poller must still work when it is built on one thread,
 * polled on others, then polled and closed on yet another, as a loop group or a late close does.
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
        // The ffm engine registers its ring fd with the threads that wait on it (a few at most)
        // and enters by that index only on the thread it belongs to: a ring driven by more
        // threads than it registers with, by threads coming back, and by a virtual thread
        // (whose carrier changes) must keep working, and close from yet another thread.
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

    @Test
    void morePollersThanAThreadCanRegisterRingsWithAllWork() throws Exception {
        // A thread can register 16 ring fds with the kernel: the 17th ring it waits on is entered
        // by its plain fd. Pollers closed on the thread give their registration back; pollers
        // closed elsewhere leave it with the thread until it exits.
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Poller> closeLater = new ArrayList<>();
        Thread t = new Thread(() -> {
            try {
                for (int i = 0; i < 40; i++) {
                    Poller p = IoUringTesting.newPoller();
                    DatagramSocket s = p.sockets().openDatagram(
                            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null, SocketOptions.none());
                    AtomicInteger ready = new AtomicInteger();
                    p.register(s, Poller.WRITE, ops -> ready.incrementAndGet());
                    p.poll(SECOND);
                    assertEquals(1, ready.get(), "poller " + i + " reports a writable socket");
                    s.close();
                    if (i % 2 == 0) {
                        p.close(); // here: its registration with this thread goes
                    } else {
                        closeLater.add(p); // closed from the test's thread: stays with this one
                    }
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "many-rings");
        t.start();
        t.join();
        for (Poller p : closeLater) {
            p.close();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals(20, closeLater.size());
    }
}
