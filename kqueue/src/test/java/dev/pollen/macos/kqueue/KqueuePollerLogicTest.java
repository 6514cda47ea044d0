package dev.pollen.macos.kqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.posix.NativeMemory;
import dev.pollen.posix.OsConstants;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.Poller;
import dev.pollen.spi.Registration;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The poller's own logic against the recording kqueue emulator: change batching, early flushes,
 * filter states, the close hook, wakeup coalescing, EINTR, and the libkqueue repairs. Runs on any
 * POSIX machine; the kernel itself is exercised by the conformance subclasses where a kqueue
 * library loads.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KqueuePollerLogicTest extends EmulatedFixture {

    private static final int POLLIN = 0x1;
    private static final int POLLOUT = 0x4;

    @ParameterizedTest
    @EnumSource(KqueueTarget.class)
    void changesWaitForTheNextPollAndGoWithItsWaitInOneCall(KqueueTarget target) throws Exception {
        open(target, KqueuePoller.DEFAULT_CHANGES);
        assertEquals("0:" + target.evfiltUser + ":EV_ADD|EV_CLEAR", changes(k.calls().get(0)),
                "the wakeup user event is added at creation, with EV_CLEAR");
        StreamSocket[] a = pair();
        StreamSocket[] b = pair();
        k.clearCalls();
        poller.register(a[1], Poller.READ, ops -> { });
        Registration rb = poller.register(b[1], Poller.READ | Poller.WRITE, ops -> { });
        rb.interest(Poller.READ);
        poller.register(a[0], 0, ops -> { });
        assertEquals(List.of(), k.calls(), "nothing reaches the kernel before the poll");
        poller.poll(0);
        List<EmulatedKqueue.Call> calls = k.calls();
        assertEquals(1, calls.size(), "one system call per iteration: " + calls);
        assertEquals("a:R:EV_ADD b:R:EV_ADD b:W:EV_ADD b:W:EV_DISABLE",
                changes(calls.get(0), a[1], "a", b[1], "b"));
        assertEquals(KqueuePoller.DEFAULT_EVENTS, calls.get(0).nEvents());
        poller.poll(0);
        assertEquals(0, k.calls().get(1).changes().size(), "the batch is spent");
    }

    @Test
    void writeInterestTogglesByEnableAndDisableAndNeverReAddsALiveKnote() throws Exception {
        open(KqueueTarget.LIBKQUEUE, KqueuePoller.DEFAULT_CHANGES);
        StreamSocket[] p = pair();
        k.clearCalls();
        Registration r = poller.register(p[1], Poller.READ, ops -> { });
        int[] masks = {Poller.READ | Poller.WRITE, Poller.READ, Poller.READ | Poller.WRITE, 0, Poller.READ};
        poller.poll(0);
        for (int m : masks) {
            r.interest(m);
            poller.poll(0);
        }
        List<String> perPoll = new ArrayList<>();
        for (EmulatedKqueue.Call c : k.calls()) {
            perPoll.add(changes(c, p[1], "s"));
        }
        assertEquals(List.of("s:R:EV_ADD", "s:W:EV_ADD", "s:W:EV_DISABLE", "s:W:EV_ENABLE",
                "s:R:EV_DELETE s:W:EV_DELETE", "s:R:EV_ADD"), perPoll);
        assertEquals(0, k.liveReAdds());
        r.interest(Poller.READ);
        poller.poll(0);
        assertEquals(0, k.calls().get(k.calls().size() - 1).changes().size(),
                "setting the same mask again costs nothing");
    }

    @Test
    void aFullChangeListIsFlushedAtOnceWithoutWaiting() throws Exception {
        open(KqueueTarget.MACOS, 4);
        List<StreamSocket> s = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            StreamSocket[] p = pair();
            s.add(p[0]);
            s.add(p[1]);
        }
        k.clearCalls();
        for (int i = 0; i < 5; i++) {
            poller.register(s.get(i), Poller.READ, ops -> { });
        }
        List<EmulatedKqueue.Call> calls = k.calls();
        assertEquals(1, calls.size(), "the fifth change found the list full");
        assertEquals(4, calls.get(0).changes().size());
        assertEquals(0, calls.get(0).timeoutNanos(), "a flush never waits");
        assertEquals(4, calls.get(0).nEvents(), "room for every change's error");
        poller.poll(0);
        assertEquals(1, k.calls().get(1).changes().size(), "the rest goes with the next poll");
        assertEquals(6, k.knotes(kq).size(), "five READ knotes and the user event");
    }

    @Test
    void anErrorFoundByAnEarlyFlushIsReportedByTheNextPollWithoutBlocking() throws Exception {
        open(KqueueTarget.LIBKQUEUE, 4);
        List<StreamSocket> s = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            StreamSocket[] p = pair();
            s.add(p[0]);
            s.add(p[1]);
        }
        k.failChange(fd(s.get(0)), Kevent.EVFILT_READ, OsConstants.current().EBADF);
        List<Integer> first = new ArrayList<>();
        poller.register(s.get(0), Poller.READ, first::add);
        for (int i = 1; i < 5; i++) {
            poller.register(s.get(i), Poller.READ, ops -> { });
        }
        assertEquals(List.of(), first, "never called from inside register()");
        long start = System.nanoTime();
        assertEquals(1, poller.poll(TimeUnit.SECONDS.toNanos(10)));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "a pending error must not wait");
        assertEquals(List.of(Poller.READ), first);
    }

    @Test
    void closingASourceOnLibkqueueDeletesItsKnotesBeforeTheFdCloses() throws Exception {
        open(KqueueTarget.LIBKQUEUE, KqueuePoller.DEFAULT_CHANGES);
        StreamSocket[] p = pair();
        Registration r = poller.register(p[1], Poller.READ | Poller.WRITE, ops -> { });
        poller.poll(0);
        assertEquals(3, k.knotes(kq).size());
        k.clearCalls();
        p[1].close();
        assertFalse(r.isValid());
        List<EmulatedKqueue.Call> calls = k.calls();
        assertEquals(1, calls.size(), "the deletes are sent at once, not batched");
        assertEquals("s:R:EV_DELETE s:W:EV_DELETE", changes(calls.get(0), p[1], "s"));
        assertEquals(0, calls.get(0).timeoutNanos());
        assertEquals(1, k.knotes(kq).size(), "only the user event is left (the emulator, like "
                + "libkqueue, never learns of the close)");
    }

    @Test
    void closingASourceOnTheKernelsDropsItsQueuedChangesAndCostsNoCall() throws Exception {
        open(KqueueTarget.MACOS, KqueuePoller.DEFAULT_CHANGES);
        StreamSocket[] p = pair();
        k.clearCalls();
        poller.register(p[1], Poller.READ, ops -> { });
        poller.register(p[0], Poller.WRITE, ops -> { });
        p[1].close();
        assertEquals(List.of(), k.calls(), "macOS and FreeBSD drop an fd's knotes at close");
        poller.poll(0);
        assertEquals("c:W:EV_ADD", changes(k.calls().get(0), p[0], "c"),
                "the closed fd's queued EV_ADD must not reach the kernel");
    }

    @Test
    void readAndWriteEventsOfOneFdMakeOneHandlerCall() throws Exception {
        open(KqueueTarget.FREEBSD, KqueuePoller.DEFAULT_CHANGES);
        StreamSocket[] p = pair();
        List<Integer> calls = new ArrayList<>();
        poller.register(p[1], Poller.READ | Poller.WRITE, calls::add);
        k.script(Map.of(fd(p[1]), POLLIN | POLLOUT));
        assertEquals(1, poller.poll(0));
        assertEquals(List.of(Poller.READ | Poller.WRITE), calls);
    }

    @Test
    void aWakeupWhileAwakeCostsNoCallAndEndsTheNextPoll() {
        open(KqueueTarget.LIBKQUEUE, KqueuePoller.DEFAULT_CHANGES);
        k.clearCalls();
        poller.wakeup();
        poller.wakeup();
        assertEquals(List.of(), k.calls());
        long start = System.nanoTime();
        poller.poll(TimeUnit.SECONDS.toNanos(10));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
        assertEquals(0, k.calls().get(0).timeoutNanos(), "the pending wakeup made it a non-blocking poll");
        start = System.nanoTime();
        poller.poll(20 * MS);
        assertTrue(System.nanoTime() - start >= 20 * MS, "nothing left over");
    }

    @Test
    void aBurstOfWakeupsOfABlockedPollTriggersOnce() throws Exception {
        open(KqueueTarget.MACOS, KqueuePoller.DEFAULT_CHANGES);
        k.clearCalls();
        String loop = Thread.currentThread().getName();
        Thread[] wakers = new Thread[3];
        for (int i = 0; i < wakers.length; i++) {
            wakers[i] = new Thread(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (k.calls().stream().noneMatch(c -> c.thread().equals(loop) && c.waits())
                        && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                for (int j = 0; j < 1000; j++) {
                    poller.wakeup();
                }
            }, "waker-" + i);
            wakers[i].start();
        }
        long start = System.nanoTime();
        poller.poll(-1);
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
        for (Thread t : wakers) {
            t.join();
        }
        long triggers = k.calls().stream().filter(c -> !c.thread().equals(loop)).count();
        assertEquals(1, triggers, "one kevent(NOTE_TRIGGER) for the whole burst: " + k.calls());
        EmulatedKqueue.Call trigger = k.calls().stream().filter(c -> !c.thread().equals(loop)).findFirst()
                .orElseThrow();
        assertEquals(Kevent.NOTE_TRIGGER, trigger.changes().get(0).fflags());
        assertEquals((short) -10, trigger.changes().get(0).filter(), "EVFILT_USER of macOS");
        assertEquals(0, trigger.nEvents(), "the trigger never waits");
    }

    @Test
    void eintrIsRetriedForTheRestOfTheTimeout() {
        open(KqueueTarget.LIBKQUEUE, KqueuePoller.DEFAULT_CHANGES);
        k.clearCalls();
        k.failNextWaitWith(4); // EINTR
        long start = System.nanoTime();
        assertEquals(0, poller.poll(30 * MS));
        assertTrue(System.nanoTime() - start >= 30 * MS, "EINTR must not end the poll early");
        assertTrue(k.calls().size() >= 2);
    }

    @Test
    void otherKeventErrorsThrowWithTheErrnoName() {
        open(KqueueTarget.LIBKQUEUE, KqueuePoller.DEFAULT_CHANGES);
        k.failNextWaitWith(OsConstants.current().EBADF);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> poller.poll(0));
        assertTrue(e.getMessage().contains("kevent") && e.getMessage().contains("EBADF"), e.getMessage());
    }

    @Test
    void aLiveKnoteLeftByAClosedFdIsReplacedWhenLibkqueueFailsTheAddWithErrnoZero() throws Exception {
        open(KqueueTarget.LIBKQUEUE, KqueuePoller.DEFAULT_CHANGES);
        StreamSocket[] p = pair();
        k.injectKnote(kq, fd(p[1]), Kevent.EVFILT_READ, 777_777);
        AtomicInteger reads = new AtomicInteger();
        poller.register(p[1], Poller.READ, ops -> reads.incrementAndGet());
        poller.poll(0);
        assertEquals(1, k.liveReAdds(), "the EV_ADD met the stale knote");
        poller.poll(0); // applies the repair: EV_DELETE, then EV_ADD with the new udata
        assertFalse(k.knotes(kq).toString().contains("777777"), k.knotes(kq).toString());
        p[0].write(ByteBuffer.wrap(new byte[] {1}));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (reads.get() == 0 && System.nanoTime() < deadline) {
            poller.poll(20 * MS);
        }
        assertTrue(reads.get() > 0, "the repaired registration reports its data");
    }

    @Test
    void anOrphanKnoteOnLibkqueueIsDeletedInsteadOfReportingForever() throws Exception {
        open(KqueueTarget.LIBKQUEUE, KqueuePoller.DEFAULT_CHANGES);
        StreamSocket[] p = pair();
        k.injectKnote(kq, fd(p[1]), Kevent.EVFILT_READ, 777_777);
        p[0].write(ByteBuffer.wrap(new byte[] {1}));
        long start = System.nanoTime();
        assertEquals(0, poller.poll(50 * MS));
        assertTrue(System.nanoTime() - start >= 50 * MS);
        assertEquals(1, k.knotes(kq).size(), "only the user event is left: " + k.knotes(kq));
    }

    @Test
    void aFailedAddComesBackAsAnErrorEntryWithInputBitsAndIsReportedAsReadiness() throws Exception {
        open(KqueueTarget.LIBKQUEUE, KqueuePoller.DEFAULT_CHANGES);
        StreamSocket[] p = pair();
        k.failChange(fd(p[1]), Kevent.EVFILT_READ, OsConstants.current().EBADF);
        List<Integer> calls = new ArrayList<>();
        Registration r = poller.register(p[1], Poller.READ, calls::add);
        // libkqueue returns flags EV_ADD|EV_ERROR: only a bit test tells it is an error entry
        assertEquals(1, poller.poll(0));
        assertEquals(List.of(Poller.READ), calls, "the handler's read will meet the error itself");
        k.clearCalls();
        r.interest(Poller.READ | Poller.WRITE);
        poller.poll(0);
        assertEquals("s:R:EV_ADD s:W:EV_ADD", changes(k.calls().get(0), p[1], "s"),
                "the failed knote is known to be absent, so it is added again");
    }

    // ------------------------------------------------------------------ EV_EOF and socket errors

    @ParameterizedTest
    @EnumSource(KqueueTarget.class)
    void aPeerResetReadsAsAResetOnEveryTarget(KqueueTarget target) throws Exception {
        // libkqueue (and the emulator in its mode) consumes the socket error to fill fflags; the
        // poller must hand it back, or the read below would see a clean end-of-stream.
        open(target, KqueuePoller.DEFAULT_CHANGES);
        StreamSocket[] p = pair();
        List<Integer> calls = new ArrayList<>();
        poller.register(p[1], Poller.READ, calls::add);
        reset(p[0]);
        pollUntil(() -> !calls.isEmpty());
        IOException e = assertThrows(IOException.class, () -> p[1].read(ByteBuffer.allocate(16)));
        assertTrue(e.getMessage().contains("reset"), e.getMessage());
        assertEquals(-1, p[1].read(ByteBuffer.allocate(16)), "the error is reported once");
    }

    @ParameterizedTest
    @EnumSource(KqueueTarget.class)
    void aRefusedConnectIsWriteReadinessAndFailsFinishConnectOnEveryTarget(KqueueTarget target)
            throws Exception {
        open(target, KqueuePoller.DEFAULT_CHANGES);
        ListenSocket gone = poller.sockets().listen(new InetSocketAddress(
                InetAddress.getLoopbackAddress(), 0), 1, SocketOptions.none());
        SocketAddress nobody = gone.localAddress();
        gone.close();
        StreamSocket c = poller.sockets().connect(nobody, SocketOptions.none());
        try {
            List<Integer> calls = new ArrayList<>();
            poller.register(c, Poller.WRITE, calls::add);
            pollUntil(() -> !calls.isEmpty());
            assertEquals(Poller.WRITE, calls.get(0));
            assertThrows(ConnectException.class, c::finishConnect);
        } finally {
            c.close();
        }
    }

    @Test
    void aSocketErrorConsumedByAnEarlyFlushIsHandedBackAndReportedByTheNextPoll()
            throws Exception {
        open(KqueueTarget.LIBKQUEUE, 4);
        StreamSocket[] p = pair();
        List<StreamSocket> others = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            StreamSocket[] o = pair();
            others.add(o[0]);
            others.add(o[1]);
        }
        List<Integer> calls = new ArrayList<>();
        poller.register(p[1], Poller.READ, calls::add);
        poller.poll(0);
        calls.clear(); // (nothing was ready yet; be sure)
        reset(p[0]);
        Thread.sleep(50); // let the reset arrive before the flush scans
        k.clearCalls();
        for (int i = 0; i < 5; i++) {
            poller.register(others.get(i), Poller.WRITE, ops -> { });
        }
        assertEquals(1, k.calls().size(), "the fifth change flushed the list");
        assertEquals(List.of(), calls, "a flush calls no handler");
        poller.poll(0);
        assertEquals(List.of(Poller.READ), calls, "the flush's consumed error is reported");
        IOException e = assertThrows(IOException.class, () -> p[1].read(ByteBuffer.allocate(16)));
        assertTrue(e.getMessage().contains("reset"), e.getMessage());
    }

    /** Closes a socket with SO_LINGER 0: the peer gets a reset. */
    private static void reset(StreamSocket s) throws IOException {
        s.setOption(StandardSocketOptions.SO_LINGER, 0);
        s.close();
    }

    private void pollUntil(java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "no event within 10 s");
            poller.poll(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    @Test
    void aThrowingHandlerLeavesTheRestOfThePollForTheNextOne() throws Exception {
        open(KqueueTarget.MACOS, KqueuePoller.DEFAULT_CHANGES);
        StreamSocket[] a = pair();
        StreamSocket[] b = pair();
        List<String> seen = new ArrayList<>();
        poller.register(a[1], Poller.READ, ops -> {
            seen.add("a");
            throw new IllegalStateException("boom");
        });
        poller.register(b[1], Poller.READ, ops -> seen.add("b"));
        k.script(Map.of(fd(a[1]), POLLIN, fd(b[1]), POLLIN));
        assertThrows(IllegalStateException.class, () -> poller.poll(0));
        int callsBefore = k.calls().size();
        k.script(Map.of());
        assertEquals(1, poller.poll(0));
        assertEquals(List.of("a", "b"), seen);
        assertEquals(callsBefore, k.calls().size(), "the leftover is delivered without a kevent");
    }

    @Test
    void closingThePollerFreesItsNativeMemoryAndSilencesWakeups() {
        long before = NativeMemory.outstandingBytes();
        open(KqueueTarget.FREEBSD, KqueuePoller.DEFAULT_CHANGES);
        assertTrue(NativeMemory.outstandingBytes() > before);
        poller.close();
        assertEquals(before, NativeMemory.outstandingBytes());
        k.clearCalls();
        poller.wakeup();
        assertEquals(List.of(), k.calls());
        assertTrue(k.onlyKq() == null, "the kqueue fd is closed");
    }
}
