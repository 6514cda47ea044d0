package dev.pollen.linux.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.IoSource;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.Poller;
import dev.pollen.spi.Registration;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What is specific to the epoll poller, beyond the conformance kit. */
class EpollPollerBehaviourTest {

    private EpollPoller poller;
    private ListenSocket listener;
    private final List<IoSource> toClose = new ArrayList<>();

    @BeforeEach
    void open() throws IOException {
        poller = EpollTesting.newPoller();
        listener = poller.sockets().listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                1024, SocketOptions.none());
        toClose.add(listener);
    }

    @AfterEach
    void close() {
        for (IoSource s : toClose) {
            s.close();
        }
        poller.close();
    }

    /** [0] client, [1] accepted. */
    private StreamSocket[] pair() throws Exception {
        StreamSocket c = poller.sockets().connect(listener.localAddress(), SocketOptions.none());
        toClose.add(c);
        StreamSocket s;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((s = listener.accept()) == null) {
            assertTrue(System.nanoTime() < deadline);
            Thread.sleep(1);
        }
        toClose.add(s);
        while (!c.finishConnect()) {
            assertTrue(System.nanoTime() < deadline);
            Thread.sleep(1);
        }
        return new StreamSocket[] {c, s};
    }

    @Test
    void timeoutsRoundUpToWholeMilliseconds() {
        assertEquals(-1, EpollPoller.toMillis(-1));
        assertEquals(-1, EpollPoller.toMillis(Long.MIN_VALUE));
        assertEquals(0, EpollPoller.toMillis(0));
        assertEquals(1, EpollPoller.toMillis(1));
        assertEquals(1, EpollPoller.toMillis(1_000_000));
        assertEquals(2, EpollPoller.toMillis(1_000_001));
        assertEquals(Integer.MAX_VALUE, EpollPoller.toMillis(Long.MAX_VALUE));
    }

    @Test
    void aReusedSlotDoesNotReceiveTheCancelledRegistrationsEvent() throws Exception {
        // Both are writable, so one poll returns both. Whichever runs first cancels the other and
        // registers a fresh, writable source, which takes the freed slot. The stale event of the
        // cancelled registration must not reach the newcomer (the generation in the key says so).
        StreamSocket[] a = pair();
        StreamSocket[] b = pair();
        StreamSocket[] fresh = pair();
        List<String> calls = new ArrayList<>();
        Registration[] regs = new Registration[2];
        boolean[] swapped = {false};
        for (int i = 0; i < 2; i++) {
            int me = i;
            regs[i] = poller.register(i == 0 ? a[0] : b[0], Poller.WRITE, ops -> {
                calls.add("reg" + me);
                if (!swapped[0]) {
                    swapped[0] = true;
                    regs[1 - me].cancel();
                    poller.register(fresh[0], Poller.WRITE, o -> calls.add("fresh"));
                }
            });
        }
        assertEquals(2, poller.registrations());
        poller.poll(TimeUnit.SECONDS.toNanos(5));
        assertEquals(1, calls.size(), "only the first handler runs in that poll: " + calls);
        poller.poll(TimeUnit.SECONDS.toNanos(5));
        assertTrue(calls.contains("fresh"), "the newcomer is reported from the next poll: " + calls);
    }

    @Test
    void aThrowingHandlerLeavesTheRestForTheNextPoll() throws Exception {
        List<String> calls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int me = i;
            poller.register(pair()[0], Poller.WRITE, ops -> {
                calls.add("h" + me);
                if (calls.size() == 1) {
                    throw new IllegalStateException("boom");
                }
            });
        }
        assertThrows(IllegalStateException.class, () -> poller.poll(TimeUnit.SECONDS.toNanos(5)));
        assertEquals(1, calls.size());
        assertEquals(2, poller.poll(TimeUnit.SECONDS.toNanos(5)), "the two remaining events");
        assertEquals(3, calls.size());
        assertEquals(3, calls.stream().distinct().count(), "each handler once: " + calls);
    }

    @Test
    void aHandlerMayCloseThePollerMidDispatch() throws Exception {
        int[] calls = {0};
        for (int i = 0; i < 4; i++) {
            poller.register(pair()[0], Poller.WRITE, ops -> {
                calls[0]++;
                poller.close();
            });
        }
        assertEquals(1, poller.poll(TimeUnit.SECONDS.toNanos(5)));
        assertEquals(1, calls[0], "no handler runs after close (the event array is freed)");
        assertTrue(poller.isClosed());
    }

    @Test
    void theEventArrayGrowsWhenAWaitFillsIt() throws Exception {
        int initial = poller.eventCapacity();
        int n = initial + 10;
        int[] seen = new int[n];
        for (int i = 0; i < n; i++) {
            int me = i;
            StreamSocket s = poller.sockets().connect(listener.localAddress(), SocketOptions.none());
            toClose.add(s);
            poller.register(s, Poller.WRITE, ops -> seen[me]++);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int first = 0;
        while (first < initial) { // connects complete asynchronously
            assertTrue(System.nanoTime() < deadline, "not enough writable sockets in 10 s");
            java.util.Arrays.fill(seen, 0);
            first = poller.poll(TimeUnit.MILLISECONDS.toNanos(50));
            while (listener.accept() instanceof StreamSocket acc) {
                toClose.add(acc);
            }
        }
        assertEquals(initial, first, "one wait returns at most the array's capacity");
        assertEquals(initial * 2, poller.eventCapacity());
        java.util.Arrays.fill(seen, 0);
        assertEquals(n, poller.poll(TimeUnit.SECONDS.toNanos(5)), "all fit in the grown array");
    }

    @Test
    void closingTheSourceCancelsItsRegistrationBeforeTheFdCloses() throws Exception {
        StreamSocket[] p = pair();
        Registration r = poller.register(p[1], Poller.READ, ops -> { });
        assertEquals(1, poller.registrations());
        p[1].close();
        assertFalse(r.isValid());
        assertEquals(0, poller.registrations());
        assertEquals(null, ((dev.pollen.posix.FdSource) p[1]).registration());
    }

    @Test
    void aCancelledSourceCanRegisterAgainAndZeroInterestCostsNoRegistration() throws Exception {
        StreamSocket[] p = pair();
        Registration r = poller.register(p[0], 0, ops -> { });
        r.interest(Poller.WRITE);
        r.interest(Poller.WRITE); // same mask: no call, no error
        r.interest(0);
        r.interest(Poller.READ | Poller.WRITE);
        r.cancel();
        Registration again = poller.register(p[0], Poller.WRITE, ops -> { });
        assertTrue(again.isValid());
        assertEquals(1, poller.poll(TimeUnit.SECONDS.toNanos(5)));
    }

    @Test
    void wakeupsFromManyThreadsEndOnePollAndLeaveNothing() throws Exception {
        Thread[] threads = new Thread[3];
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < threads.length; i++) {
                threads[i] = new Thread(() -> {
                    for (int j = 0; j < 200; j++) {
                        poller.wakeup();
                    }
                });
                threads[i].start();
            }
            for (Thread t : threads) {
                t.join();
            }
            long start = System.nanoTime();
            assertEquals(0, poller.poll(TimeUnit.SECONDS.toNanos(10)), "a wakeup calls no handler");
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "wakeup lost");
            start = System.nanoTime();
            poller.poll(TimeUnit.MILLISECONDS.toNanos(2));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(2),
                    "a leftover wakeup ended the next poll early (round " + round + ")");
        }
    }
}
