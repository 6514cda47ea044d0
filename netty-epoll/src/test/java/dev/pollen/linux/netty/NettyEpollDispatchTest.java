package dev.pollen.linux.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.Poller;
import dev.pollen.spi.Registration;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How the netty-epoll poller sits on Netty's dispatch loop: handler failures, fd numbers reused
 * during a dispatch, and allocation-free steady-state polling.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NettyEpollDispatchTest {

    private Poller poller;
    private ListenSocket listener;
    private final List<StreamSocket> sockets = new ArrayList<>();

    @BeforeEach
    void open() throws IOException {
        poller = NettyEpollTesting.newPoller();
        listener = poller.sockets().listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64,
                SocketOptions.none());
    }

    @AfterEach
    void close() {
        sockets.forEach(StreamSocket::close);
        listener.close();
        poller.close();
    }

    private StreamSocket[] pair() throws IOException {
        StreamSocket c = poller.sockets().connect(listener.localAddress(), SocketOptions.none());
        sockets.add(c);
        StreamSocket s;
        while ((s = listener.accept()) == null) {
            Thread.onSpinWait();
        }
        sockets.add(s);
        while (!c.finishConnect()) {
            Thread.onSpinWait();
        }
        return new StreamSocket[] {c, s};
    }

    private static void send(StreamSocket s) throws IOException {
        assertEquals(1, s.write(ByteBuffer.wrap(new byte[] {42})));
    }

    /** Polls until at least one handler ran (the peer's byte takes a moment to arrive). */
    private int pollSome() {
        int n = 0;
        for (int i = 0; i < 100 && n == 0; i++) {
            n = poller.poll(TimeUnit.MILLISECONDS.toNanos(50));
        }
        return n;
    }

    @Test
    void aThrowingHandlerFailsThatPollPromptlyAndOthersRunInTheNext() throws Exception {
        StreamSocket[] a = pair();
        StreamSocket[] b = pair();
        IllegalStateException boom = new IllegalStateException("boom");
        List<String> calls = new ArrayList<>();
        poller.register(a[1], Poller.READ, ops -> {
            calls.add("a");
            throw boom;
        });
        poller.register(b[1], Poller.READ, ops -> calls.add("b"));
        send(a[0]);
        send(b[0]);
        Thread.sleep(20); // both bytes arrive, so both are ready in the same epoll_wait
        long start = System.nanoTime();
        RuntimeException thrown = null;
        for (int i = 0; i < 3 && !calls.contains("b"); i++) {
            try {
                poller.poll(0);
            } catch (IllegalStateException e) {
                thrown = e;
            }
        }
        long took = System.nanoTime() - start;
        assertSame(boom, thrown, "the handler's exception leaves poll as it is");
        assertTrue(calls.contains("b"), "the other ready source is dispatched: " + calls);
        // Netty answers an exception escaping its dispatch with a one-second sleep
        assertTrue(took < TimeUnit.MILLISECONDS.toNanos(500), "polls took " + took + " ns");
    }

    @Test
    void aSourceRegisteredOnAReusedFdDuringDispatchGetsNoStaleEvent() throws Exception {
        StreamSocket[] a = pair();
        StreamSocket[] b = pair();
        List<String> calls = new ArrayList<>();
        StreamSocket[] replacement = new StreamSocket[1];
        Registration[] regs = new Registration[2];
        StreamSocket[] victims = {b[1], a[1]};
        for (int i = 0; i < 2; i++) {
            int self = i;
            regs[i] = poller.register(i == 0 ? a[1] : b[1], Poller.READ, ops -> {
                calls.add("handler " + self);
                if (replacement[0] != null) {
                    return;
                }
                // Close the other ready socket (its event is already collected) and open a new
                // one, which the kernel gives the lowest free fd: the one just closed.
                victims[self].close();
                try {
                    StreamSocket fresh = poller.sockets().connect(listener.localAddress(), SocketOptions.none());
                    sockets.add(fresh);
                    replacement[0] = fresh;
                    poller.register(fresh, Poller.READ, o -> calls.add("replacement"));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        send(a[0]);
        send(b[0]);
        Thread.sleep(20);
        assertEquals(1, poller.poll(0), "only one of the two ready handlers may run: " + calls);
        assertEquals(1, calls.size(), calls.toString());
        poller.poll(TimeUnit.MILLISECONDS.toNanos(20));
        assertTrue(!calls.contains("replacement"), "the replacement has nothing to read: " + calls);
    }

    @Test
    void steadyStateDispatchAllocatesNothing() throws Exception {
        StreamSocket[] p = pair();
        int[] seen = new int[1];
        poller.register(p[1], Poller.READ, ops -> seen[0]++);
        send(p[0]); // never read: level-triggered, so every poll reports it
        pollSome();
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        for (int i = 0; i < 20_000; i++) {
            poller.poll(0); // warm up and JIT the path
        }
        long before = threads.getThreadAllocatedBytes(tid);
        int polls = 50_000;
        for (int i = 0; i < polls; i++) {
            poller.poll(0);
        }
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertTrue(seen[0] >= 70_000, "the readable source was reported on every poll: " + seen[0]);
        assertTrue(allocated < polls, "polling allocated " + allocated + " bytes in " + polls + " polls");
    }

    @Test
    void aHugeTimeoutStillEndsOnWakeup() throws Exception {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(30);
            } catch (InterruptedException e) {
                return;
            }
            poller.wakeup();
        });
        t.start();
        assertEquals(0, poller.poll(Long.MAX_VALUE));
        t.join();
        assertThrows(IllegalArgumentException.class, () -> poller.register(pair()[1], 8, ops -> { }));
    }
}
