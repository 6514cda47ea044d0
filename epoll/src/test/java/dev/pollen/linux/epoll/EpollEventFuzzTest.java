package dev.pollen.linux.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.Poller;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.StreamSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the epoll poller's event decoding: arbitrary {@code struct epoll_event} arrays (any
 * event bits, keys of live, cancelled and never-issued registrations, the wakeup key, garbage)
 * dispatched to registrations with arbitrary interests, whose handlers may cancel each other.
 *
 * <p>Properties, checked against a model: a handler is called only for a live registration,
 * with a non-empty subset of its interest, exactly when the model says (EPOLLIN/HUP/ERR map to
 * READ, EPOLLOUT/HUP/ERR to WRITE; the events of one registration merge into one call, in the
 * order of its first event); stale or unknown keys are dropped; nothing throws.
 *
 * <p>Runs in Jazzer's regression mode and with a fixed list of random seeds in every test run;
 * fuzz for longer with
 * {@code JAZZER_FUZZ=1 mvn -o -pl epoll test -Dtest=EpollEventFuzzTest#fuzz
 * -Dpollen.jazzer.hooks=true} (see docs/reliability.md).
 *
 * <p><b>Threading:</b> JUnit's thread plays the loop thread.
 */
class EpollEventFuzzTest {

    private static final int SOURCES = 6;
    private static EpollPoller poller;
    private static ListenSocket listener;
    private static final List<StreamSocket> sockets = new ArrayList<>();

    @BeforeAll
    static void open() throws Exception {
        poller = EpollTesting.newPoller();
        listener = poller.sockets().listen(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                0), 16, SocketOptions.none());
        for (int i = 0; i < SOURCES; i++) {
            StreamSocket c = poller.sockets().connect(listener.localAddress(),
                    SocketOptions.none());
            sockets.add(c);
        }
    }

    @AfterAll
    static void close() {
        if (poller == null) {
            return;
        }
        for (StreamSocket s : sockets) {
            s.close();
        }
        listener.close();
        poller.close();
    }

    @FuzzTest(maxDuration = "30s")
    void fuzz(FuzzedDataProvider data) {
        check(data.consumeRemainingAsBytes());
    }

    @Test
    void randomEventArrays() {
        for (long seed = 0; seed < 2000; seed++) {
            Random r = new Random(seed);
            byte[] in = new byte[r.nextInt(400)];
            r.nextBytes(in);
            check(in);
        }
    }

    /** A registration of the case with its model state. */
    private static final class Reg {
        EpollRegistration r;
        int interest;
        boolean live;
        int cancelOnCall = -1;
    }

    private record Call(int reg, int ops) {
    }

    static void check(byte[] input) {
        ByteBuffer in = ByteBuffer.wrap(input);
        Reg[] regs = new Reg[SOURCES];
        List<Call> calls = new ArrayList<>();
        List<Long> staleKeys = new ArrayList<>();
        try {
            for (int i = 0; i < SOURCES; i++) {
                Reg g = new Reg();
                regs[i] = g;
                int idx = i;
                g.interest = next(in) & 3;
                g.r = (EpollRegistration) poller.register(sockets.get(i), g.interest, ops -> {
                    assertTrue(g.live, "a cancelled registration was called");
                    assertTrue(ops != 0 && (ops & ~g.interest) == 0,
                            "ops " + ops + " outside interest " + g.interest);
                    calls.add(new Call(idx, ops));
                    if (g.cancelOnCall >= 0 && regs[g.cancelOnCall].live) {
                        regs[g.cancelOnCall].live = false;
                        regs[g.cancelOnCall].r.cancel();
                    }
                });
                g.live = true;
                int action = next(in) % 8;
                if (action == 0) { // cancelled before the poll: its key is stale
                    staleKeys.add(g.r.key);
                    g.r.cancel();
                    g.live = false;
                } else if (action == 1) {
                    g.cancelOnCall = next(in) % SOURCES;
                }
            }
            // The event array, as the kernel would write it.
            EpollEventLayout layout = poller.layout();
            int count = next(in) % 32;
            ByteBuffer raw = ByteBuffer.allocate(count * layout.size())
                    .order(ByteOrder.nativeOrder());
            List<Call> expected = new ArrayList<>();
            boolean[] modelLive = new boolean[SOURCES];
            int[] collected = new int[SOURCES];
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < SOURCES; i++) {
                modelLive[i] = regs[i].live;
            }
            for (int e = 0; e < count; e++) {
                int bits = nextInt(in);
                long key;
                int target = -1;
                int choice = next(in) % 5;
                if (choice <= 1) {
                    target = next(in) % SOURCES;
                    key = regs[target].r.key;
                } else if (choice == 2 && !staleKeys.isEmpty()) {
                    key = staleKeys.get(next(in) % staleKeys.size());
                } else if (choice == 3) {
                    key = -1L; // the wakeup eventfd
                } else {
                    key = nextLong(in);
                    for (int i = 0; i < SOURCES; i++) {
                        if (regs[i].r.key == key) {
                            target = i;
                        }
                    }
                }
                raw.putInt(e * layout.size(), bits);
                raw.putLong(e * layout.size() + layout.dataOffset(), key);
                if (target >= 0) {
                    // The ready list: one entry per registration, in the order of its first
                    // event, with the readiness of all its events (epoll itself never reports
                    // an fd twice in one wait, but the decoding must not depend on it).
                    int ready = ((bits & (EpollNative.EPOLLIN | EpollNative.EPOLLHUP
                            | EpollNative.EPOLLERR)) != 0 ? Poller.READ : 0)
                            | ((bits & (EpollNative.EPOLLOUT | EpollNative.EPOLLHUP
                            | EpollNative.EPOLLERR)) != 0 ? Poller.WRITE : 0);
                    if (regs[target].live && ready != 0) {
                        if (collected[target] == 0) {
                            order.add(target);
                        }
                        collected[target] |= ready;
                    }
                }
            }
            // Dispatch: the interest masks, a handler may cancel a registration later in the list.
            for (int target : order) {
                int ready = collected[target] & regs[target].interest;
                if (modelLive[target] && ready != 0) {
                    expected.add(new Call(target, ready));
                    int victim = regs[target].cancelOnCall;
                    if (victim >= 0) {
                        modelLive[victim] = false;
                    }
                }
            }
            int called = poller.dispatchRaw(raw.array(), count);
            assertEquals(expected, calls, "dispatch differs from the model");
            assertEquals(calls.size(), called);
        } finally {
            for (Reg g : regs) {
                if (g != null && g.r != null) {
                    g.r.cancel();
                }
            }
        }
    }

    private static int next(ByteBuffer in) {
        return in.hasRemaining() ? in.get() & 0xff : 0;
    }

    private static int nextInt(ByteBuffer in) {
        return in.remaining() >= 4 ? in.getInt() : next(in);
    }

    private static long nextLong(ByteBuffer in) {
        return in.remaining() >= 8 ? in.getLong() : next(in);
    }
}
