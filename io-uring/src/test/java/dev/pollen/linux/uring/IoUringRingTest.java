package dev.pollen.linux.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.DatagramSocket;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.Poller;
import dev.pollen.spi.Registration;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.StreamSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The ring under the poller, on whichever engine {@code -Dpollen.io_uring.engine} chose (the
 * module's tests run on both): more polls queued before one wait than the submission queue holds
 * (the {@code ffm} engine's has {@value FfmEngineSize#ENTRIES} entries and must submit the first
 * ones before it can queue the rest), registrations ended and replaced within one wait, whose
 * stale completions must not reach their successors, and sockets closed while the ring still
 * knows them (its polls hold references of their own, as a file table's slot would), which
 * must close at once all the same.
 */
class IoUringRingTest {

    /** Mirrors the ffm engine's queue size (its class is compiled for JDK 22 and not visible here). */
    static final class FfmEngineSize {
        static final int ENTRIES = 1024;
    }

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void morePollsInOneWaitThanTheSubmissionQueueHoldsAreAllReported() throws Exception {
        Poller poller = IoUringTesting.newPoller();
        List<DatagramSocket> sockets = new ArrayList<>();
        try {
            int n = FfmEngineSize.ENTRIES + 300;
            AtomicInteger reported = new AtomicInteger();
            for (int i = 0; i < n; i++) {
                DatagramSocket s = poller.sockets().openDatagram(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null, SocketOptions.none());
                sockets.add(s);
                Registration[] r = new Registration[1];
                r[0] = poller.register(s, Poller.WRITE, ops -> {
                    reported.incrementAndGet();
                    r[0].interest(0); // once each
                });
            }
            long deadline = System.nanoTime() + 10 * SECOND;
            while (reported.get() < n && System.nanoTime() < deadline) {
                poller.poll(SECOND / 10);
            }
            assertEquals(n, reported.get(), "every writable UDP socket is reported once");
            assertEquals(0, poller.poll(0), "nothing left with no interest");
        } finally {
            for (DatagramSocket s : sockets) {
                s.close();
            }
            poller.close();
        }
    }

    @Test
    void aRegistrationEndedWithItsPollInFlightDoesNotReportToItsSuccessor() throws Exception {
        Poller poller = IoUringTesting.newPoller();
        try {
            for (int round = 0; round < 200; round++) {
                DatagramSocket a = poller.sockets().openDatagram(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null, SocketOptions.none());
                AtomicInteger aCalls = new AtomicInteger();
                Registration ra = poller.register(a, Poller.READ, ops -> aCalls.incrementAndGet());
                poller.poll(0); // the poll for a is armed in the kernel
                ra.cancel();
                a.close();
                DatagramSocket b = poller.sockets().openDatagram(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null, SocketOptions.none());
                AtomicInteger bCalls = new AtomicInteger();
                poller.register(b, Poller.READ, ops -> bCalls.incrementAndGet());
                poller.poll(0);
                poller.poll(0);
                assertEquals(0, aCalls.get(), "a was never readable");
                assertEquals(0, bCalls.get(), "b is not readable: a cancelled poll of a must not reach it");
                b.close();
            }
            assertTrue(((IoUringPoller) poller).registrations() == 0, "all ended");
        } finally {
            poller.close();
        }
    }

    @Test
    void aListenerClosedRightAfterItsPollerFreesItsPortAtOnce() throws Exception {
        // A poll holds a reference to its socket: the poller must not leave one armed when it
        // closes, or the port stays bound until the kernel's teardown of the ring has run (a
        // loop group's next acceptor then fails to bind it).
        for (int round = 0; round < 50; round++) {
            Poller poller = IoUringTesting.newPoller();
            Poller next = IoUringTesting.newPoller();
            dev.pollen.spi.ListenSocket listener = poller.sockets().listen(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16, SocketOptions.none());
            try {
                poller.register(listener, Poller.READ, ops -> { });
                poller.poll(0); // the poll is armed in the kernel
                poller.close();
                listener.close();
                try (dev.pollen.spi.ListenSocket again = next.sockets().listen(listener.localAddress(), 16,
                        SocketOptions.none())) {
                    assertEquals(listener.localAddress(), again.localAddress());
                }
            } finally {
                listener.close();
                next.close();
            }
        }
    }

    @Test
    void aRegisteredSocketClosedWithoutAnotherPollSendsItsFinAtOnce() throws Exception {
        // A poll armed for a socket holds a reference of its own (and so would a slot of a ring's
        // file table): closing the socket (while registered, after its registration ended, or
        // after that was synced) must still close it at once, with no poll after it.
        Poller poller = IoUringTesting.newPoller();
        ListenSocket listener = poller.sockets().listen(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16, SocketOptions.none());
        try {
            for (int way = 0; way < 3; way++) {
                try (SocketChannel client = SocketChannel.open(listener.localAddress())) {
                    StreamSocket s = null;
                    long deadline = System.nanoTime() + 5 * SECOND;
                    while (s == null && System.nanoTime() < deadline) {
                        s = listener.accept();
                    }
                    assertTrue(s != null, "accepted");
                    Registration r = poller.register(s, Poller.READ, ops -> { });
                    poller.poll(0); // its poll (and its file) reach the kernel
                    if (way >= 1) {
                        r.cancel();
                    }
                    if (way == 2) {
                        poller.poll(0);
                    }
                    s.close();
                    client.socket().setSoTimeout(5_000);
                    assertEquals(-1, client.socket().getInputStream().read(),
                            "end of stream right after close (way " + way + ")");
                }
            }
        } finally {
            listener.close();
            poller.close();
        }
    }

    @Test
    void aListenerClosedWhileItsPollerLivesFreesItsPortAtOnce() throws Exception {
        // the same for a listener: its port is free again as soon as it is closed
        Poller poller = IoUringTesting.newPoller();
        try {
            for (int round = 0; round < 20; round++) {
                ListenSocket listener = poller.sockets().listen(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16, SocketOptions.none());
                poller.register(listener, Poller.READ, ops -> { });
                poller.poll(0);
                listener.close();
                try (ListenSocket again = poller.sockets().listen(listener.localAddress(), 16,
                        SocketOptions.none())) {
                    assertEquals(listener.localAddress(), again.localAddress());
                }
            }
        } finally {
            poller.close();
        }
    }
}
