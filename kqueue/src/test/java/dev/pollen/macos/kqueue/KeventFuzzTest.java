package dev.pollen.macos.kqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.pollen.posix.OsConstants;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.Registration;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.StreamSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@code struct kevent} encoding and decoding: (1) {@link KeventArray} round-trips any
 * field values at both strides (32-byte macOS/libkqueue, 64-byte FreeBSD) without touching the
 * neighbouring entries; (2) the kqueue poller, over the libkqueue emulation, gets arbitrary
 * extra events mixed into what {@code kevent} returns (any ident, filter, flags including
 * EV_ERROR and EV_EOF, data, udata: live, stale or unknown registrations, the wakeup event) and
 * must never throw, and must call a handler only for a valid registration with a non-empty
 * subset of its interest.
 *
 * <p>Runs in Jazzer's regression mode and with a fixed list of random seeds in every test run
 * (no real kqueue needed); fuzz for longer with
 * {@code JAZZER_FUZZ=1 mvn -o -pl kqueue test -Dtest=KeventFuzzTest#fuzzPoller
 * -Dpollen.jazzer.hooks=true} (see docs/reliability.md).
 *
 * <p><b>Threading:</b> JUnit's thread plays the loop thread.
 */
class KeventFuzzTest {

    // ------------------------------------------------------------------ KeventArray round trip

    @FuzzTest(maxDuration = "20s")
    void fuzzEncoding(FuzzedDataProvider data) {
        roundTrip(ByteBuffer.wrap(data.consumeRemainingAsBytes()));
    }

    @Test
    void randomEncodings() {
        Random r = new Random(1);
        for (int i = 0; i < 2000; i++) {
            byte[] in = new byte[r.nextInt(200)];
            r.nextBytes(in);
            roundTrip(ByteBuffer.wrap(in));
        }
    }

    static void roundTrip(ByteBuffer in) {
        int stride = next(in) % 2 == 0 ? Kevent.BASE_SIZE : KqueueTarget.FREEBSD.keventSize;
        int capacity = 1 + next(in) % 4;
        KeventArray a = new KeventArray(capacity, stride);
        try {
            long[][] want = new long[capacity][];
            for (int i = 0; i < capacity; i++) {
                long ident = nextLong(in);
                short filter = (short) nextLong(in);
                int flags = (int) nextLong(in) & 0xffff;
                int fflags = (int) nextLong(in);
                long data = nextLong(in);
                long udata = nextLong(in);
                a.set(i, ident, filter, flags, fflags, data, udata);
                want[i] = new long[] {ident, filter, flags, fflags, data, udata};
            }
            for (int i = 0; i < capacity; i++) {
                long[] got = {a.ident(i), a.filter(i), a.flags(i), a.fflags(i), a.data(i),
                    a.udata(i)};
                for (int f = 0; f < 6; f++) {
                    assertEquals(want[i][f], got[f], "entry " + i + " field " + f + " (stride "
                            + stride + ")");
                }
                assertTrue(a.flags(i) >= 0 && a.flags(i) <= 0xffff, "flags are unsigned 16-bit");
            }
        } finally {
            a.free();
        }
    }

    // ------------------------------------------------------------------ the poller's decoding

    @FuzzTest(maxDuration = "30s")
    void fuzzPoller(FuzzedDataProvider data) throws Exception {
        pollerCase(ByteBuffer.wrap(data.consumeRemainingAsBytes()));
    }

    @Test
    void randomEventsIntoThePoller() throws Exception {
        long before = handlerCalls;
        for (long seed = 0; seed < 300; seed++) {
            Random r = new Random(seed);
            byte[] in = new byte[r.nextInt(600)];
            r.nextBytes(in);
            pollerCase(ByteBuffer.wrap(in));
        }
        assertTrue(handlerCalls - before > 100, "the injected events hardly reached a handler: "
                + (handlerCalls - before));
    }

    /** Handler calls so far (the random test checks the cases do reach handlers). */
    private static long handlerCalls;

    /** Adds fuzzed events after the ones the emulation returns. */
    private static final class Injecting implements KqueueSyscalls {
        final EmulatedKqueue real = new EmulatedKqueue(KqueueTarget.LIBKQUEUE);
        final List<long[]> pending = new ArrayList<>();

        @Override
        public int kqueue() {
            return real.kqueue();
        }

        @Override
        public int kevent(int kq, KeventArray changes, int nChanges, KeventArray events,
                int nEvents, Timespec timeout) {
            int n = real.kevent(kq, changes, nChanges, events, nEvents, timeout);
            if (n < 0 || events == null) {
                return n;
            }
            while (n < nEvents && !pending.isEmpty()) {
                long[] e = pending.remove(0);
                events.set(n++, e[0], (short) e[1], (int) e[2], (int) e[3], e[4], e[5]);
            }
            return n;
        }

        @Override
        public int close(int fd) {
            return real.close(fd);
        }

        @Override
        public int lastError() {
            return real.lastError();
        }
    }

    static void pollerCase(ByteBuffer in) throws Exception {
        Injecting sys = new Injecting();
        KqueuePoller poller = new KqueuePoller(sys, KqueueTarget.LIBKQUEUE, OsConstants.current(),
                16, 64);
        List<StreamSocket> sockets = new ArrayList<>();
        try (ListenSocket l = poller.sockets().listen(new InetSocketAddress(
                InetAddress.getLoopbackAddress(), 0), 8, SocketOptions.none())) {
            int n = 1 + next(in) % 4;
            List<KqueueRegistration> regs = new ArrayList<>();
            List<Long> idents = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                StreamSocket s = poller.sockets().connect(l.localAddress(), SocketOptions.none());
                sockets.add(s);
                int interest = next(in) & 3;
                KqueueRegistration[] self = new KqueueRegistration[1];
                Registration r = poller.register(s, interest, ops -> {
                    assertTrue(self[0].isValid(), "a cancelled registration was called");
                    assertTrue(ops != 0 && (ops & ~self[0].interest()) == 0,
                            "ops " + ops + " outside interest " + self[0].interest());
                    handlerCalls++;
                });
                self[0] = (KqueueRegistration) r;
                regs.add(self[0]);
                idents.add((long) ((dev.pollen.posix.FdSource) s).fd());
            }
            if (next(in) % 3 == 0) {
                regs.get(0).cancel(); // its udata becomes stale
            }
            for (int round = 0; round < 3; round++) {
                int count = next(in) % 12;
                for (int e = 0; e < count; e++) {
                    int which = next(in) % 4;
                    long ident = which < 2 ? idents.get(next(in) % idents.size())
                            : which == 2 ? KqueuePoller.WAKEUP_IDENT : nextLong(in) & 0x3ff;
                    int f = next(in) % 5;
                    short filter = f == 0 ? Kevent.EVFILT_READ : f == 1 ? Kevent.EVFILT_WRITE
                            : f == 2 ? KqueueTarget.LIBKQUEUE.evfiltUser : (short) nextLong(in);
                    long udata = next(in) % 2 == 0 ? regs.get(next(in) % regs.size()).id
                            : nextLong(in);
                    int flags = (int) nextLong(in) & 0xffff;
                    long data = next(in) % 2 == 0 ? next(in) % 40 : nextLong(in);
                    sys.pending.add(new long[] {ident, filter, flags, nextLong(in), data, udata});
                }
                poller.poll(0); // must not throw, whatever came back
                if (next(in) % 2 == 0 && regs.get(regs.size() - 1).isValid()) {
                    regs.get(regs.size() - 1).interest(next(in) & 3);
                }
            }
        } finally {
            for (StreamSocket s : sockets) {
                s.close();
            }
            poller.close();
        }
    }

    private static int next(ByteBuffer in) {
        return in.hasRemaining() ? in.get() & 0xff : 0;
    }

    private static long nextLong(ByteBuffer in) {
        return in.remaining() >= 8 ? in.getLong() : next(in);
    }
}
