package dev.pollen.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.Poller;
import dev.pollen.spi.Registration;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.StreamSocket;
import java.lang.management.ManagementFactory;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * NIO-specific behaviour of {@link NioPoller} that the conformance kit cannot see: how interest
 * maps onto selection keys, lazy registration, the deferred close of registered channels, and the
 * dispatch edge cases.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NioPollerBehaviourTest extends NioFixture {

    private static SelectionKey keyOf(Poller p, StreamSocket s) {
        return ((NioSource) s).channel.keyFor(((NioPoller) p).selector());
    }

    private SelectionKey keyOf(ListenSocket l) {
        return ((NioSource) l).channel.keyFor(poller.selector());
    }

    @Test
    void zeroMaskRegistrationCreatesNoSelectionKeyUntilInterestIsRaised() throws Exception {
        StreamSocket[] p = pair(listen());
        Registration reg = poller.register(p[1], 0, ops -> { });
        assertNull(keyOf(poller, p[1]), "a zero-mask registration must not reach the selector");
        reg.interest(Poller.READ);
        SelectionKey key = keyOf(poller, p[1]);
        assertNotNull(key);
        assertEquals(SelectionKey.OP_READ, key.interestOps());
        reg.interest(0);
        assertSame(key, keyOf(poller, p[1]), "a zero mask keeps the key");
        assertEquals(0, key.interestOps(), "a zero mask clears the key's interest (EPOLL_CTL_DEL)");
        reg.interest(Poller.READ | Poller.WRITE);
        assertEquals(SelectionKey.OP_READ | SelectionKey.OP_WRITE, key.interestOps());
    }

    @Test
    void readOnAListenerIsOpAcceptAndWriteMapsToNothing() throws Exception {
        ListenSocket l = listen();
        Registration reg = poller.register(l, Poller.WRITE, ops -> { });
        assertNull(keyOf(l), "WRITE means nothing on a listener: no key");
        reg.interest(Poller.READ | Poller.WRITE);
        assertEquals(SelectionKey.OP_ACCEPT, keyOf(l).interestOps());
    }

    @Test
    void writeOnAConnectingSocketIsOpConnectThenOpWriteOnceConnected() throws Exception {
        ListenSocket l = listen();
        NioStreamSocket c = (NioStreamSocket) track(poller.sockets().connect(l.localAddress(),
                SocketOptions.none()));
        assumeTrue(c.isConnecting(), "the kernel completed the loopback connect at once");
        List<Integer> calls = new ArrayList<>();
        Registration reg = poller.register(c, Poller.WRITE, calls::add);
        assertEquals(SelectionKey.OP_CONNECT, keyOf(poller, c).interestOps());
        pollUntil(() -> !calls.isEmpty());
        assertEquals(Poller.WRITE, calls.get(0), "connect completion is WRITE readiness");
        assertTrue(c.finishConnect());
        assertEquals(SelectionKey.OP_WRITE, keyOf(poller, c).interestOps(),
                "after finishConnect the key must watch OP_WRITE,"
                        + " or POLLOUT would spin unreported");
        calls.clear();
        assertEquals(1, poller.poll(0));
        assertEquals(List.of(Poller.WRITE), calls, "a connected socket keeps reporting WRITE");
        reg.interest(Poller.READ | Poller.WRITE);
        assertEquals(SelectionKey.OP_READ | SelectionKey.OP_WRITE, keyOf(poller, c).interestOps());
    }

    @Test
    void aSourceCanBeRegisteredAgainAfterCancelInsideTheSameDispatch() throws Exception {
        StreamSocket[] p = pair(listen());
        List<String> calls = new ArrayList<>();
        Registration[] reg = new Registration[1];
        reg[0] = poller.register(p[0], Poller.WRITE, ops -> {
            calls.add("first");
            reg[0].cancel();
            reg[0] = poller.register(p[0], Poller.WRITE, ops2 -> calls.add("second"));
        });
        assertEquals(1, poller.poll(TimeUnit.SECONDS.toNanos(5)));
        assertEquals(List.of("first"), calls);
        assertEquals(1, poller.poll(TimeUnit.SECONDS.toNanos(5)));
        assertEquals(List.of("first", "second"), calls);
    }

    @Test
    void aHandlerMayRegisterANewSourceDuringDispatch() throws Exception {
        ListenSocket l = listen();
        StreamSocket[] a = pair(l);
        StreamSocket[] b = pair(l);
        List<String> calls = new ArrayList<>();
        Registration first = poller.register(a[0], Poller.WRITE, ops -> calls.add("a"));
        poller.register(b[0], 0, ops -> { }).cancel(); // b has no selection key yet
        assertNull(keyOf(poller, b[0]));
        Registration[] late = new Registration[1];
        poller.register(a[1], Poller.WRITE, ops -> {
            if (late[0] == null) {
                first.cancel();
                late[0] = poller.register(b[0], Poller.WRITE, ops2 -> calls.add("b"));
            }
        });
        pollUntil(() -> calls.contains("b"));
        assertTrue(late[0].isValid());
    }

    @Test
    void closingARegisteredListenerReleasesItsPortAtOnce() throws Exception {
        // The JDK defers close(2) of a registered channel to the next select; without the
        // poller's flush the port would stay bound and this second listen would fail.
        ListenSocket l = poller.sockets().listen(LOOPBACK_ANY_PORT, 16, SocketOptions.none());
        poller.register(l, Poller.READ, ops -> { });
        poller.poll(0);
        InetSocketAddress bound = (InetSocketAddress) l.localAddress();
        l.close();
        track(poller.sockets().listen(bound, 16, SocketOptions.none()));
    }

    @Test
    void closingARegisteredListenerInsideAHandlerReleasesItsPortWhenThePollReturns()
            throws Exception {
        ListenSocket l = poller.sockets().listen(LOOPBACK_ANY_PORT, 16, SocketOptions.none());
        StreamSocket[] p = pair(listen());
        poller.register(l, Poller.READ, ops -> { });
        poller.register(p[0], Poller.WRITE, ops -> l.close());
        assertTrue(poller.poll(TimeUnit.SECONDS.toNanos(5)) >= 1);
        assertFalse(l.isOpen());
        track(poller.sockets().listen(l.localAddress(), 16, SocketOptions.none()));
    }

    @Test
    void aWakeupPendingWhenARegisteredSourceIsClosedStillEndsTheNextPoll() throws Exception {
        // Closing a registered source flushes the selector with selectNow, which swallows a
        // pending Selector.wakeup(); the poller must re-arm it.
        StreamSocket[] p = pair(listen());
        poller.register(p[1], Poller.READ, ops -> { });
        poller.poll(0);
        poller.wakeup();
        p[1].close();
        long start = System.nanoTime();
        assertEquals(0, poller.poll(TimeUnit.SECONDS.toNanos(10)));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "the wakeup was lost");
        start = System.nanoTime();
        poller.poll(20 * MS);
        assertTrue(System.nanoTime() - start >= 20 * MS, "the re-armed wakeup was left behind");
    }

    @Test
    void anInterruptDuringABlockedPollEndsOnlyThatPoll() throws Exception {
        Thread loop = Thread.currentThread();
        Thread interrupter = new Thread(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
            loop.interrupt();
        });
        interrupter.start();
        try {
            long start = System.nanoTime();
            poller.poll(TimeUnit.SECONDS.toNanos(20));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10),
                    "an interrupt ends the poll it arrives in, like EINTR");
            assertTrue(Thread.interrupted(), "the interrupt status is kept (and cleared here)");
            interrupter.join();
            loop.interrupt(); // still set: later polls must block normally all the same
            for (int i = 0; i < 2; i++) {
                start = System.nanoTime();
                poller.poll(20 * MS);
                assertTrue(System.nanoTime() - start >= 20 * MS, "later polls must block normally");
            }
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void interestNarrowedByAnEarlierHandlerAppliesToTheSamePoll() throws Exception {
        ListenSocket l = listen();
        StreamSocket[] a = pair(l);
        StreamSocket[] b = pair(l);
        List<String> calls = new ArrayList<>();
        Registration[] regs = new Registration[2];
        regs[0] = poller.register(a[0], Poller.WRITE, ops -> {
            calls.add("a");
            regs[1].interest(0);
        });
        regs[1] = poller.register(b[0], Poller.WRITE, ops -> {
            calls.add("b");
            regs[0].interest(0);
        });
        assertEquals(1, poller.poll(TimeUnit.SECONDS.toNanos(5)),
                "only the first handler runs: " + calls);
        assertEquals(1, calls.size());
    }

    @Test
    void closingThePollerFromAHandlerEndsTheDispatch() throws Exception {
        ListenSocket l = listen();
        StreamSocket[] a = pair(l);
        StreamSocket[] b = pair(l);
        List<Integer> calls = new ArrayList<>();
        poller.register(a[0], Poller.WRITE, ops -> {
            calls.add(ops);
            poller.close();
        });
        poller.register(b[0], Poller.WRITE, ops -> {
            calls.add(ops);
            poller.close();
        });
        assertEquals(1, poller.poll(TimeUnit.SECONDS.toNanos(5)));
        assertEquals(1, calls.size());
        assertTrue(poller.isClosed());
        assertFalse(poller.selector().isOpen(), "the selector is closed once the dispatch ends");
        assertThrows(IllegalStateException.class, () -> poller.poll(0));
        a[0].close(); // closing sources after the poller is fine
    }

    @Test
    void aThrowingHandlerPropagatesAndTheRestOfItsPollIsDispatchedByTheNextCall()
            throws Exception {
        ListenSocket l = listen();
        StreamSocket[] a = pair(l);
        StreamSocket[] b = pair(l);
        List<String> calls = new ArrayList<>();
        poller.register(a[0], Poller.WRITE, ops -> {
            calls.add("a");
            throw new IllegalStateException("boom");
        });
        poller.register(b[0], Poller.WRITE, ops -> {
            calls.add("b");
            throw new IllegalStateException("boom");
        });
        assertThrows(IllegalStateException.class, () -> poller.poll(TimeUnit.SECONDS.toNanos(5)));
        assertEquals(1, calls.size());
        // Both handlers always throw: the next call must still reach the other one, not the
        // first again (level-triggered readiness would report the same order and starve it).
        assertThrows(IllegalStateException.class, () -> poller.poll(TimeUnit.SECONDS.toNanos(5)));
        assertEquals(java.util.Set.of("a", "b"), new java.util.HashSet<>(calls), calls.toString());
    }

    @Test
    void pollFromInsideAHandlerIsRefused() throws Exception {
        StreamSocket[] p = pair(listen());
        List<Throwable> errors = new ArrayList<>();
        poller.register(p[0], Poller.WRITE, ops -> {
            try {
                poller.poll(0);
            } catch (IllegalStateException e) {
                errors.add(e);
            }
        });
        poller.poll(TimeUnit.SECONDS.toNanos(5));
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).getMessage().contains("inside an IoHandler"));
    }

    @Test
    void aFailedConnectClosesTheSocketAndCancelsItsRegistration() throws Exception {
        int port;
        try (ListenSocket l = poller.sockets().listen(LOOPBACK_ANY_PORT, 1, SocketOptions.none())) {
            port = ((InetSocketAddress) l.localAddress()).getPort();
        }
        StreamSocket c = track(poller.sockets().connect(
                new InetSocketAddress(LOOPBACK_ANY_PORT.getAddress(), port), SocketOptions.none()));
        List<Integer> calls = new ArrayList<>();
        Registration reg = poller.register(c, Poller.WRITE, calls::add);
        pollUntil(() -> !calls.isEmpty());
        ConnectException e = assertThrows(ConnectException.class, c::finishConnect);
        assertTrue(e.getMessage().startsWith("connect(127.0.0.1:" + port + "): "), e.getMessage());
        assertFalse(c.isOpen());
        assertFalse(reg.isValid());
        calls.clear();
        poller.poll(10 * MS);
        assertTrue(calls.isEmpty());
    }

    @Test
    void readWhileConnectReportsTheConnectsOutcome() throws Exception {
        ListenSocket l = listen();
        StreamSocket c = track(poller.sockets().connect(l.localAddress(), SocketOptions.none()));
        // Whether or not the connect finished yet, reading must not throw NotYetConnected.
        assertEquals(0, c.read(ByteBuffer.allocate(4)));
    }

    @Test
    void steadyStatePollingAllocatesNothingOfItsOwn() throws Exception {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "needs HotSpot's per-thread allocation counter");
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        StreamSocket[] p = pair(listen());
        int[] seen = new int[1];
        poller.register(p[0], Poller.WRITE, ops -> seen[0]++);
        for (int i = 0; i < 30_000; i++) {
            poller.poll(0); // warm up: JIT, JDK-internal lazy state
        }
        long tid = Thread.currentThread().threadId();
        int polls = 20_000;
        long before = mx.getThreadAllocatedBytes(tid);
        for (int i = 0; i < polls; i++) {
            poller.poll(0);
        }
        long perPoll = (mx.getThreadAllocatedBytes(tid) - before) / polls;
        // One event per poll. The JDK's epoll selector may box the fd (16 bytes) when it looks up
        // the key of a descriptor >= 128; anything of ours (an iterator, a lambda, a boxed count)
        // would add at least another 16.
        assertTrue(perPoll < 24, "poll allocated " + perPoll + " bytes per call");
        assertEquals(30_000 + polls, seen[0]);
    }
}
