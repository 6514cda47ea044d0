package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.IoHandler;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.Poller;
import dev.pollen.spi.Registration;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link Poller} contract (see its Javadoc), run against every backend: readiness, interest
 * changes, deregistration, zero-mask removal, wakeups, timeouts, close, hang-up and scale.
 * Modelled on CPython's {@code test_selectors.py} (its cases are named where ported).
 *
 * <p><b>Threading:</b> JUnit's test thread plays the loop thread.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class PollerContract extends BackendFixture {

    /** Tolerance for a sleep that the kernel may end a little late, never early. */
    private static final long MS = 1_000_000L;

    protected Poller poller;
    private final List<StreamSocket> sockets = new ArrayList<>();
    private ListenSocket listener;

    @BeforeEach
    void openPoller() {
        poller = newPoller();
    }

    @AfterEach
    void closePoller() {
        for (StreamSocket s : sockets) {
            s.close();
        }
        if (listener != null) {
            listener.close();
        }
        if (poller != null) { // null when the backend skipped the test before it was made
            poller.close();
        }
    }

    /** A connected pair: [0] the client side, [1] the accepted side. */
    protected StreamSocket[] pair() throws IOException, InterruptedException {
        if (listener == null) {
            listener = poller.sockets().listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    1024, SocketOptions.none());
        }
        StreamSocket client = poller.sockets().connect(listener.localAddress(), SocketOptions.none());
        sockets.add(client);
        StreamSocket server = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server == null) {
            server = listener.accept();
            if (server == null) {
                assertTrue(System.nanoTime() < deadline, "accept did not see the connection in 10 s");
                Thread.sleep(1);
            }
        }
        sockets.add(server);
        while (!client.finishConnect()) {
            assertTrue(System.nanoTime() < deadline, "connect did not complete in 10 s");
            Thread.sleep(1);
        }
        return new StreamSocket[] {client, server};
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    /** Polls until {@code done} reports true or 5 s pass. */
    private void pollUntil(java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "the expected readiness was not reported in 5 s");
            poller.poll(50 * MS);
        }
    }

    /** Records the ops of each call. */
    private static final class Recorder implements IoHandler {
        final List<Integer> calls = new ArrayList<>();

        @Override
        public void onReady(int readyOps) {
            calls.add(readyOps);
        }

        int ored() {
            int o = 0;
            for (int c : calls) {
                o |= c;
            }
            return o;
        }
    }

    @Test
    void nameIsNotEmpty() {
        assertFalse(poller.name().isBlank());
        assertFalse(poller.isClosed());
    }

    // test_selectors: test_select (read side)
    @Test
    void readReadinessIsReportedWhenDataArrives() throws Exception {
        StreamSocket[] p = pair();
        Recorder r = new Recorder();
        poller.register(p[1], Poller.READ, r);
        assertEquals(0, poller.poll(0), "nothing should be readable before the peer writes");
        assertTrue(r.calls.isEmpty());
        assertEquals(4, p[0].write(bytes("ping")));
        pollUntil(() -> !r.calls.isEmpty());
        assertEquals(Poller.READ, r.calls.get(0));
        ByteBuffer dst = ByteBuffer.allocateDirect(16);
        assertEquals(4, p[1].read(dst));
        assertEquals(0, p[1].read(dst), "a drained socket reads 0, not EOF");
    }

    @Test
    void levelTriggeredReportsAgainUntilConsumed() throws Exception {
        StreamSocket[] p = pair();
        Recorder r = new Recorder();
        poller.register(p[1], Poller.READ, r);
        p[0].write(bytes("x"));
        pollUntil(() -> !r.calls.isEmpty());
        r.calls.clear();
        poller.poll(0);
        assertEquals(List.of(Poller.READ), r.calls, "unread data must be reported again");
        p[1].read(ByteBuffer.allocate(8));
        r.calls.clear();
        poller.poll(0);
        assertTrue(r.calls.isEmpty(), "consumed data must not be reported");
    }

    // test_selectors: test_select (write side)
    @Test
    void writeReadinessIsReportedForAConnectedSocket() throws Exception {
        StreamSocket[] p = pair();
        Recorder r = new Recorder();
        poller.register(p[0], Poller.WRITE, r);
        pollUntil(() -> !r.calls.isEmpty());
        assertEquals(Poller.WRITE, r.calls.get(0));
    }

    @Test
    void readinessIsRestrictedToTheInterestSet() throws Exception {
        StreamSocket[] p = pair();
        Recorder both = new Recorder();
        poller.register(p[1], Poller.READ | Poller.WRITE, both);
        p[0].write(bytes("x"));
        pollUntil(() -> (both.ored() & Poller.READ) != 0);
        assertEquals(Poller.READ | Poller.WRITE, both.ored());

        StreamSocket[] q = pair();
        Recorder w = new Recorder();
        Registration reg = poller.register(q[1], Poller.WRITE, w);
        q[0].write(bytes("x"));
        pollUntil(() -> !w.calls.isEmpty());
        for (int c : w.calls) {
            assertEquals(Poller.WRITE, c, "READ readiness reported without READ interest");
        }
        assertEquals(Poller.WRITE, reg.interest());
    }

    // test_selectors: test_modify
    @Test
    void interestCanBeChanged() throws Exception {
        StreamSocket[] p = pair();
        Recorder r = new Recorder();
        Registration reg = poller.register(p[0], Poller.READ, r);
        poller.poll(0);
        assertTrue(r.calls.isEmpty(), "no data yet, and WRITE is not in the interest set");
        reg.interest(Poller.WRITE);
        assertEquals(Poller.WRITE, reg.interest());
        pollUntil(() -> !r.calls.isEmpty());
        assertEquals(Poller.WRITE, r.calls.get(0));
        reg.interest(Poller.READ);
        r.calls.clear();
        poller.poll(0);
        assertTrue(r.calls.isEmpty(), "WRITE must stop being reported once removed");
        p[1].write(bytes("y"));
        pollUntil(() -> !r.calls.isEmpty());
        assertEquals(Poller.READ, r.calls.get(0));
    }

    // test_selectors: test_unregister
    @Test
    void cancelledRegistrationIsNeverCalledAgain() throws Exception {
        StreamSocket[] p = pair();
        Recorder r = new Recorder();
        Registration reg = poller.register(p[1], Poller.READ, r);
        assertTrue(reg.isValid());
        reg.cancel();
        reg.cancel(); // idempotent
        assertFalse(reg.isValid());
        p[0].write(bytes("x"));
        long start = System.nanoTime();
        poller.poll(30 * MS);
        assertTrue(r.calls.isEmpty());
        assertTrue(System.nanoTime() - start >= 30 * MS, "nothing registered: the poll must wait");
        assertThrows(IllegalStateException.class, () -> reg.interest(Poller.READ));
        // the source can be registered again
        Recorder again = new Recorder();
        poller.register(p[1], Poller.READ, again);
        pollUntil(() -> !again.calls.isEmpty());
    }

    @Test
    void zeroMaskRemovesTheSourceAndANonZeroMaskRestoresIt() throws Exception {
        StreamSocket[] p = pair();
        Recorder r = new Recorder();
        Registration reg = poller.register(p[1], Poller.READ, r);
        p[0].write(bytes("x"));
        pollUntil(() -> !r.calls.isEmpty());
        reg.interest(0);
        assertEquals(0, reg.interest());
        assertTrue(reg.isValid(), "a zero mask keeps the registration");
        r.calls.clear();
        long start = System.nanoTime();
        poller.poll(30 * MS);
        assertTrue(r.calls.isEmpty(), "a zero-mask source must not be reported");
        assertTrue(System.nanoTime() - start >= 30 * MS);
        reg.interest(Poller.READ);
        pollUntil(() -> !r.calls.isEmpty());
        assertEquals(Poller.READ, r.calls.get(0));
    }

    @Test
    void registeringWithAZeroMaskReportsNothing() throws Exception {
        StreamSocket[] p = pair();
        Recorder r = new Recorder();
        Registration reg = poller.register(p[1], 0, r);
        p[0].write(bytes("x"));
        poller.poll(20 * MS);
        assertTrue(r.calls.isEmpty());
        reg.interest(Poller.READ | Poller.WRITE);
        pollUntil(() -> (r.ored() & Poller.READ) != 0);
    }

    @Test
    void badInterestBitsAreRejected() throws Exception {
        StreamSocket[] p = pair();
        assertThrows(IllegalArgumentException.class, () -> poller.register(p[1], 4, ops -> { }));
        Registration reg = poller.register(p[1], Poller.READ, ops -> { });
        assertThrows(IllegalArgumentException.class, () -> reg.interest(-1));
        assertThrows(NullPointerException.class, () -> poller.register(p[0], Poller.READ, null));
        assertThrows(NullPointerException.class, () -> poller.register(null, Poller.READ, ops -> { }));
    }

    @Test
    void registeringTheSameSourceTwiceFails() throws Exception {
        StreamSocket[] p = pair();
        poller.register(p[1], Poller.READ, ops -> { });
        assertThrows(IllegalStateException.class, () -> poller.register(p[1], Poller.READ, ops -> { }));
    }

    @Test
    void registeringAClosedSourceFails() throws Exception {
        StreamSocket[] p = pair();
        p[1].close();
        assertFalse(p[1].isOpen());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> poller.register(p[1], Poller.READ, ops -> { }));
        assertNotNull(e.getMessage());
    }

    @Test
    void registeringASourceOfAnotherPollerFails() throws Exception {
        Poller other = newPoller();
        try {
            StreamSocket[] p = pair();
            assertThrows(IllegalArgumentException.class, () -> other.register(p[1], Poller.READ, ops -> { }));
        } finally {
            other.close();
        }
    }

    @Test
    void closingARegisteredSourceStopsItsEvents() throws Exception {
        StreamSocket[] p = pair();
        Recorder r = new Recorder();
        Registration reg = poller.register(p[1], Poller.READ | Poller.WRITE, r);
        p[1].close();
        assertFalse(reg.isValid(), "closing the source invalidates its registration");
        p[0].write(bytes("x"));
        poller.poll(20 * MS);
        assertTrue(r.calls.isEmpty());
    }

    @Test
    void aHandlerMayCancelAnotherRegistrationDuringDispatch() throws Exception {
        StreamSocket[] a = pair();
        StreamSocket[] b = pair();
        List<String> called = new ArrayList<>();
        Registration[] regs = new Registration[2];
        regs[0] = poller.register(a[0], Poller.WRITE, ops -> {
            called.add("a");
            regs[1].cancel();
        });
        regs[1] = poller.register(b[0], Poller.WRITE, ops -> {
            called.add("b");
            regs[0].cancel();
        });
        pollUntil(() -> !called.isEmpty());
        assertEquals(1, called.size(), "the cancelled one must not be called in the same poll: " + called);
    }

    @Test
    void connectCompletionIsWriteReadiness() throws Exception {
        try (ListenSocket l = poller.sockets().listen(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16, SocketOptions.none())) {
            StreamSocket c = poller.sockets().connect(l.localAddress(), SocketOptions.none());
            sockets.add(c);
            Recorder r = new Recorder();
            poller.register(c, Poller.WRITE, r);
            pollUntil(() -> !r.calls.isEmpty());
            assertTrue(c.finishConnect());
            assertEquals(l.localAddress(), c.remoteAddress());
            Recorder acc = new Recorder();
            poller.register(l, Poller.READ, acc);
            pollUntil(() -> !acc.calls.isEmpty());
            StreamSocket accepted = l.accept();
            assertNotNull(accepted, "READ on a listener means accept succeeds");
            sockets.add(accepted);
            assertEquals(null, l.accept(), "nothing else pending");
        }
    }

    @Test
    void refusedConnectFailsInFinishConnect() throws Exception {
        int port;
        try (ListenSocket l = poller.sockets().listen(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1, SocketOptions.none())) {
            port = ((InetSocketAddress) l.localAddress()).getPort();
        }
        InetSocketAddress dead = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        StreamSocket c;
        try {
            c = poller.sockets().connect(dead, SocketOptions.none());
        } catch (ConnectException refusedAtOnce) {
            return; // allowed by the contract
        }
        sockets.add(c);
        Recorder r = new Recorder();
        poller.register(c, Poller.WRITE, r);
        pollUntil(() -> !r.calls.isEmpty());
        ConnectException e = assertThrows(ConnectException.class, c::finishConnect);
        assertNotNull(e.getMessage());
    }

    // test_selectors: test_select_read_write / peer closed
    @Test
    void peerHangUpIsReportedAsReadableAndEndOfStream() throws Exception {
        StreamSocket[] p = pair();
        Recorder r = new Recorder();
        poller.register(p[1], Poller.READ, r);
        p[0].close();
        pollUntil(() -> !r.calls.isEmpty());
        assertEquals(-1, p[1].read(ByteBuffer.allocate(8)));
    }

    @Test
    void halfCloseIsReportedAsEndOfStreamWhileWritingStillWorks() throws Exception {
        StreamSocket[] p = pair();
        Recorder r = new Recorder();
        poller.register(p[1], Poller.READ, r);
        p[0].write(bytes("bye"));
        p[0].shutdownOutput();
        pollUntil(() -> !r.calls.isEmpty());
        ByteBuffer dst = ByteBuffer.allocate(8);
        assertEquals(3, p[1].read(dst));
        assertEquals(-1, p[1].read(dst));
        assertEquals(4, p[1].write(bytes("back")));
        ByteBuffer back = ByteBuffer.allocate(8);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (back.position() < 4 && System.nanoTime() < deadline) {
            p[0].read(back);
        }
        assertEquals(4, back.position());
    }

    /**
     * After {@code shutdownOutput()} a write fails (EPIPE, as the kernel answers) instead of
     * reporting bytes that can never arrive; what was written before still arrives, then the end
     * of stream. Done from a handler (a backend that sends behind the writer then still holds the
     * first bytes when the half-close comes) and again outside one.
     */
    @Test
    void aWriteAfterShutdownOutputFailsAndThePeerSeesOnlyWhatCameBefore() throws Exception {
        for (boolean inHandler : new boolean[] {true, false}) {
            StreamSocket[] p = pair();
            List<Object> outcome = new ArrayList<>();
            Runnable halfClose = () -> {
                try {
                    p[0].write(bytes("bye"));
                    p[0].shutdownOutput();
                } catch (IOException e) {
                    outcome.add(e);
                    return;
                }
                try {
                    outcome.add(p[0].write(bytes("late")));
                } catch (IOException e) {
                    outcome.add(e);
                }
            };
            Registration w = poller.register(p[0], Poller.WRITE, ops -> {
                if (outcome.isEmpty()) {
                    halfClose.run();
                }
            });
            if (inHandler) {
                pollUntil(() -> !outcome.isEmpty());
            } else {
                w.interest(0);
                halfClose.run();
            }
            w.interest(0);
            assertEquals(1, outcome.size());
            assertTrue(outcome.get(0) instanceof IOException, "a write after shutdownOutput() "
                    + (inHandler ? "in a handler" : "outside a handler") + " returned " + outcome.get(0)
                    + " instead of failing");
            ByteBuffer got = ByteBuffer.allocate(16);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            int n = 0;
            while (n >= 0) {
                assertTrue(System.nanoTime() < deadline, "no end of stream after " + got.position()
                        + " bytes");
                poller.poll(MS); // a backend that sends behind the writer sends here
                n = p[1].read(got);
            }
            assertEquals("bye", new String(got.array(), 0, got.position(),
                    java.nio.charset.StandardCharsets.US_ASCII));
        }
    }

    // test_selectors: test_timeout
    @Test
    void pollTimeoutIsNeverEarly() {
        for (long ms : new long[] {1, 3, 10, 25}) {
            long start = System.nanoTime();
            poller.poll(ms * MS);
            long took = System.nanoTime() - start;
            assertTrue(took >= ms * MS, "poll(" + ms + " ms) returned after " + took + " ns");
        }
        long start = System.nanoTime();
        poller.poll(1); // one nanosecond must not become "no wait" and must not be early either
        assertTrue(System.nanoTime() - start >= 1);
    }

    @Test
    void zeroTimeoutDoesNotBlock() {
        long start = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            assertEquals(0, poller.poll(0));
        }
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2));
    }

    @Test
    void wakeupFromAnotherThreadEndsABlockedPoll() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            try {
                started.await();
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
            poller.wakeup();
        });
        t.start();
        started.countDown();
        long start = System.nanoTime();
        poller.poll(-1);
        long took = System.nanoTime() - start;
        t.join();
        assertTrue(took < TimeUnit.SECONDS.toNanos(10), "wakeup did not end the poll");
    }

    @Test
    void wakeupBeforePollMakesItReturnAtOnce() {
        poller.wakeup();
        long start = System.nanoTime();
        poller.poll(TimeUnit.SECONDS.toNanos(10));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void manyWakeupsAreCoalescedIntoOne() throws Exception {
        Thread[] threads = new Thread[4];
        for (int i = 0; i < threads.length; i++) {
            threads[i] = new Thread(() -> {
                for (int j = 0; j < 2_500; j++) {
                    poller.wakeup();
                }
            });
            threads[i].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        long start = System.nanoTime();
        poller.poll(TimeUnit.SECONDS.toNanos(10));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "the wakeups were lost");
        // Nothing may be left over: the next polls must wait their full timeout.
        for (int i = 0; i < 3; i++) {
            start = System.nanoTime();
            poller.poll(20 * MS);
            long took = System.nanoTime() - start;
            assertTrue(took >= 20 * MS, "a leftover wakeup ended poll " + i + " after " + took + " ns");
        }
    }

    @Test
    void anInterruptedLoopThreadStillBlocksAndKeepsItsInterruptStatus() {
        // The contract: interrupts do not affect a poll. A bare Selector returns at once while the
        // interrupt status is set, which made an interrupted nio loop spin.
        Thread.currentThread().interrupt();
        try {
            long start = System.nanoTime();
            assertEquals(0, poller.poll(30 * MS));
            assertTrue(System.nanoTime() - start >= 30 * MS, "poll returned early: interrupted");
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt status is kept");
            poller.wakeup();
            start = System.nanoTime();
            poller.poll(TimeUnit.SECONDS.toNanos(10));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "wakeup lost");
        } finally {
            Thread.interrupted();
        }
    }

    // test_selectors: test_close
    @Test
    void afterCloseEverythingButCloseAndWakeupThrows() throws Exception {
        StreamSocket[] p = pair();
        Registration reg = poller.register(p[1], Poller.READ, ops -> { });
        poller.close();
        assertTrue(poller.isClosed());
        assertFalse(reg.isValid());
        poller.close(); // idempotent
        poller.wakeup(); // no-op
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> poller.register(p[0], Poller.READ, ops -> { }));
        assertNotNull(e.getMessage());
        assertThrows(IllegalStateException.class, () -> poller.poll(0));
        assertThrows(IllegalStateException.class, () -> reg.interest(Poller.WRITE));
        assertTrue(p[1].isOpen(), "closing the poller does not close the sources");
    }

    @Test
    void aThousandRegisteredSourcesAreAllReported() throws Exception {
        int n = 1000;
        StreamSocket[][] pairs = new StreamSocket[n][];
        AtomicInteger seen = new AtomicInteger();
        boolean[] reported = new boolean[n];
        for (int i = 0; i < n; i++) {
            pairs[i] = pair();
            int idx = i;
            poller.register(pairs[i][1], Poller.READ, ops -> {
                if (!reported[idx]) {
                    reported[idx] = true;
                    seen.incrementAndGet();
                }
            });
        }
        for (int i = 0; i < n; i++) {
            pairs[i][0].write(bytes("z"));
        }
        pollUntil(() -> seen.get() == n);
        assertEquals(n, seen.get());
    }

    // ------------------------------------------------------------------ adoption (SocketLayer.adopt)

    /** Polls {@code p} until {@code done} or 5 s. */
    private static void pollUntil(Poller p, java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "the expected readiness was not reported in 5 s");
            p.poll(50 * MS);
        }
    }

    @Test
    void aSocketAcceptedOnOnePollerIsAdoptedAndServedByAnother() throws Exception {
        Poller other = newPoller();
        StreamSocket moved = null;
        try {
            StreamSocket[] p = pair(); // accepted on this poller
            moved = other.sockets().adopt(p[1]);
            assertFalse(p[1].isOpen(), "the old socket gave up the descriptor");
            StreamSocket old = p[1];
            assertThrows(IOException.class, () -> old.read(ByteBuffer.allocate(4)),
                    "the old socket is unusable");
            old.close(); // does nothing: the descriptor now belongs to the adopted socket
            assertTrue(moved.isOpen());
            assertEquals(p[0].localAddress(), moved.remoteAddress());
            assertTrue(moved.finishConnect(), "an accepted socket stays connected");
            assertThrows(IllegalArgumentException.class,
                    () -> poller.register(old, Poller.READ, ops -> { }));

            Recorder r = new Recorder();
            other.register(moved, Poller.READ, r);
            assertEquals(4, p[0].write(bytes("ping")));
            pollUntil(other, () -> !r.calls.isEmpty());
            ByteBuffer dst = ByteBuffer.allocate(16);
            assertEquals(4, moved.read(dst));
            assertEquals("ping", new String(dst.array(), 0, 4,
                    java.nio.charset.StandardCharsets.US_ASCII));
            assertEquals(4, moved.write(bytes("pong")));
            ByteBuffer back = ByteBuffer.allocate(16);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (back.position() < 4) {
                assertTrue(System.nanoTime() < deadline, "the reply did not arrive in 5 s");
                if (p[0].read(back) == 0) {
                    Thread.sleep(1);
                }
            }
            assertEquals("pong", new String(back.array(), 0, 4,
                    java.nio.charset.StandardCharsets.US_ASCII));
            assertSame(moved, other.sockets().adopt(moved), "a layer's own socket is kept as is");
        } finally {
            if (moved != null) {
                moved.close();
            }
            other.close();
        }
    }

    @Test
    void adoptingARegisteredOrClosedSocketFailsAndLeavesItAlone() throws Exception {
        Poller other = newPoller();
        try {
            StreamSocket[] p = pair();
            Recorder r = new Recorder();
            poller.register(p[1], Poller.READ, r);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> other.sockets().adopt(p[1]));
            assertTrue(e.getMessage().contains("registered"), e.getMessage());
            assertTrue(p[1].isOpen(), "a refused adoption leaves the socket with its poller");
            p[0].write(bytes("x"));
            pollUntil(() -> !r.calls.isEmpty());

            p[0].close();
            assertThrows(IllegalArgumentException.class, () -> other.sockets().adopt(p[0]));
            assertThrows(NullPointerException.class, () -> other.sockets().adopt(null));
        } finally {
            other.close();
        }
    }

    @Test
    void adoptingASocketOfAnotherProviderFailsNamingBoth() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> poller.sockets().adopt(new ForeignSocket()));
        assertTrue(e.getMessage().contains(ForeignSocket.class.getName()), e.getMessage());
        Poller foreign = backend().newPollerOfAnotherProvider();
        if (foreign == null) {
            return;
        }
        try {
            pair(); // makes the listener
            StreamSocket s = foreign.sockets().connect(listener.localAddress(),
                    SocketOptions.none());
            try {
                IllegalArgumentException cross = assertThrows(IllegalArgumentException.class,
                        () -> poller.sockets().adopt(s));
                assertNotNull(cross.getMessage());
                assertTrue(s.isOpen(), "a refused adoption leaves the socket as it was");
            } finally {
                s.close();
            }
        } finally {
            foreign.close();
        }
    }

    /** A stream socket no backend made. */
    private static final class ForeignSocket implements StreamSocket {
        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }

        @Override
        public boolean finishConnect() {
            return true;
        }

        @Override
        public int read(ByteBuffer dst) {
            return 0;
        }

        @Override
        public int write(ByteBuffer src) {
            return 0;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            return 0;
        }

        @Override
        public void shutdownOutput() {
        }

        @Override
        public java.net.SocketAddress localAddress() {
            return null;
        }

        @Override
        public java.net.SocketAddress remoteAddress() {
            return null;
        }

        @Override
        public <T> void setOption(java.net.SocketOption<T> option, T value) {
        }

        @Override
        public <T> T getOption(java.net.SocketOption<T> option) {
            return null;
        }
    }
}
