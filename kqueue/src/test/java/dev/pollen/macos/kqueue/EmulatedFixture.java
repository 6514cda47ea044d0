package dev.pollen.macos.kqueue;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.posix.OsConstants;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;

/**
 * A {@link KqueuePoller} on an {@link EmulatedKqueue}, with real sockets from the poller's POSIX
 * layer. After each test: every source and the poller are closed, and the emulator must have
 * seen no change the real libkqueue would mishandle.
 *
 * <p><b>Threading:</b> JUnit's test thread plays the loop thread.
 */
abstract class EmulatedFixture {

    static final long MS = 1_000_000L;

    EmulatedKqueue k;
    KqueuePoller poller;
    int kq;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private ListenSocket listener;

    KqueuePoller open(KqueueTarget target, int changes) {
        k = new EmulatedKqueue(target);
        poller = new KqueuePoller(k, target, OsConstants.current(), changes, KqueuePoller.DEFAULT_EVENTS);
        kq = k.onlyKq();
        return poller;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        toClose.clear();
        listener = null;
        if (poller != null) {
            poller.close();
            assertTrue(k.violations().isEmpty(), "changes libkqueue would mishandle: " + k.violations());
        }
    }

    /** A connected pair: [0] client, [1] accepted. */
    StreamSocket[] pair() throws IOException, InterruptedException {
        if (listener == null) {
            listener = poller.sockets().listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    64, SocketOptions.none());
            toClose.add(listener);
        }
        StreamSocket c = poller.sockets().connect(listener.localAddress(), SocketOptions.none());
        toClose.add(c);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        StreamSocket s;
        while ((s = listener.accept()) == null) {
            assertTrue(System.nanoTime() < deadline, "accept timed out");
            Thread.sleep(1);
        }
        toClose.add(s);
        while (!c.finishConnect()) {
            assertTrue(System.nanoTime() < deadline, "connect timed out");
            Thread.sleep(1);
        }
        return new StreamSocket[] {c, s};
    }

    static int fd(Object source) {
        return ((dev.pollen.posix.FdSource) source).fd();
    }

    /** Every change of every recorded call, as "fdTag:filter:FLAGS", with fds renamed by tags. */
    static String changes(EmulatedKqueue.Call call, Object... sourcesAndTags) {
        List<String> out = new ArrayList<>();
        for (EmulatedKqueue.Change c : call.changes()) {
            String id = String.valueOf(c.ident());
            for (int i = 0; i < sourcesAndTags.length; i += 2) {
                if (fd(sourcesAndTags[i]) == c.ident()) {
                    id = (String) sourcesAndTags[i + 1];
                }
            }
            out.add(id + ":" + (c.filter() == Kevent.EVFILT_READ ? "R" : c.filter() == Kevent.EVFILT_WRITE
                    ? "W" : String.valueOf(c.filter())) + ":" + Kevent.flagsToString(c.flags()));
        }
        return String.join(" ", out);
    }
}
