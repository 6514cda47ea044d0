package dev.pollen.macos.kqueue;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import dev.pollen.posix.NativeMemory;
import dev.pollen.posix.OsConstants;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A recording fake of {@link KqueueSyscalls} that also behaves like kqueue, in pure Java over
 * {@code poll(2)} on the real fds, so the poller's logic (batching, filter states, wakeups,
 * timeouts, error repair) runs against real sockets on any POSIX machine. It is strict where
 * libkqueue deviates, so the work-arounds are exercised:
 * <ul>
 *   <li>every {@code kevent} call is recorded with its decoded change list;</li>
 *   <li>{@code EV_ADD|EV_DISABLE} in one change is counted as a {@link #violations() violation}
 *       when emulating libkqueue (the poller must send two changes);</li>
 *   <li>an {@code EV_ADD} of a live knote fails with errno 0 and keeps the old udata
 *       (libkqueue);</li>
 *   <li>knotes outlive their fd's close (libkqueue): the emulator never learns of closes;</li>
 *   <li>error entries keep the change's input flags plus EV_ERROR (libkqueue) or carry exactly
 *       EV_ERROR (the kernels);</li>
 *   <li>a change error ends the call without a scan, as the kernels do;</li>
 *   <li>timeouts are rounded <em>down</em> to milliseconds, so a wait can end early, as
 *       libkqueue's may: the poller must wait again;</li>
 *   <li>a socket error ({@code POLLERR}) is reported as {@code EV_EOF} with the error in
 *       {@code fflags}, read with {@code getsockopt(SO_ERROR)}, which clears it, as libkqueue
 *       does (the kernels leave it pending; in their mode the emulator reports EV_EOF without
 *       touching the error).</li>
 *   <li>{@code EVFILT_PROC} with {@code NOTE_EXIT} watches a pid through
 *       {@code /proc/<pid>/stat} (Linux only): the exit (a zombie, or a pid gone) is reported once
 *       with {@code EV_EOF}, and the knote is then deleted, as every kqueue does. A knote added
 *       for a zombie never fires when emulating macOS (its kernel attaches to the zombie, but the
 *       exit was told before: the register-after-exit race, seen by Bun on current macOS) and
 *       fires at once otherwise (FreeBSD, libkqueue's pidfd); a pid that does not exist fails
 *       with {@code ESRCH} everywhere. The emulator never reaps.</li>
 * </ul>
 * Readiness can also be scripted ({@link #script}) for tests that need exact events.
 *
 * <p><b>Threading:</b> {@code kevent} may be called from several threads, as the real one.
 */
final class EmulatedKqueue implements KqueueSyscalls {

    /** One decoded change. */
    record Change(long ident, short filter, int flags, int fflags, long udata) {
        @Override
        public String toString() {
            return ident + ":" + filter + ":" + Kevent.flagsToString(flags)
                    + (fflags != 0 ? ":0x" + Integer.toHexString(fflags) : "");
        }
    }

    /** One recorded kevent call. */
    record Call(int kq, List<Change> changes, int nEvents, long timeoutNanos, String thread) {
        /** @return whether the call could wait (an event list and a non-zero or absent timeout) */
        boolean waits() {
            return nEvents > 0 && timeoutNanos != 0;
        }
    }

    private static final class Knote {
        long udata;
        int fflags;
        /** A process knote attached after the exit was told (macOS): never fires. */
        boolean deaf;
        boolean enabled;
        boolean clear;
        boolean triggered;
    }

    private record Key(long ident, short filter) {
    }

    private static final class Queue {
        final Map<Key, Knote> knotes = new LinkedHashMap<>();
        long pollfds;
        int pollfdCapacity;
    }

    private static final int POLLIN = 0x1;
    private static final int POLLOUT = 0x4;
    private static final int POLLERR = 0x8;
    private static final int POLLHUP = 0x10;
    private static final int POLLNVAL = 0x20;
    /** Longest single poll(2) slice: a trigger from another thread is seen within this. */
    private static final int SLICE_MS = 5;

    private final KqueueTarget target;
    private final Map<Integer, Queue> queues = new HashMap<>();
    private final AtomicInteger nextKq = new AtomicInteger(1_000_000);
    private final ThreadLocal<int[]> errno = ThreadLocal.withInitial(() -> new int[1]);
    private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger liveReAdds = new AtomicInteger();
    /** fd -> poll(2) revents to report instead of asking the kernel; null = use poll(2). */
    private volatile Map<Integer, Integer> script;
    /** errno to fail the next call with (-1), once; 0 = none. */
    private volatile int failNextWith;
    /** (ident, filter) -> errno to fail the next EV_ADD/EV_ENABLE of that knote with, once. */
    private final Map<Key, Integer> failChange = new HashMap<>();
    private final Object lock = new Object();

    EmulatedKqueue(KqueueTarget target) {
        this.target = target;
        PollCall.load();
    }

    KqueueTarget target() {
        return target;
    }

    List<Call> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    void clearCalls() {
        calls.clear();
    }

    List<String> violations() {
        synchronized (violations) {
            return List.copyOf(violations);
        }
    }

    int liveReAdds() {
        return liveReAdds.get();
    }

    /** Makes readiness come from {@code revents} (fd -> POLLIN/POLLOUT/...) instead of poll(2). */
    void script(Map<Integer, Integer> revents) {
        this.script = revents == null ? null : Map.copyOf(revents);
    }

    /** The next kevent call fails with -1 and this errno (changes are still applied first). */
    void failNextWaitWith(int err) {
        this.failNextWith = err;
    }

    /** The next EV_ADD or EV_ENABLE of (ident, filter) fails with {@code err}, once. */
    void failChange(long ident, short filter, int err) {
        synchronized (lock) {
            failChange.put(new Key(ident, filter), err);
        }
    }

    /** Puts a knote into a kqueue behind the poller's back (a leftover of a closed fd). */
    void injectKnote(int kq, long ident, short filter, long udata) {
        synchronized (lock) {
            Knote k = new Knote();
            k.udata = udata;
            k.enabled = true;
            queues.get(kq).knotes.put(new Key(ident, filter), k);
        }
    }

    /** Knotes of a kqueue as "ident:filter:enabled:udata" strings, for assertions. */
    List<String> knotes(int kq) {
        synchronized (lock) {
            Queue q = queues.get(kq);
            List<String> out = new ArrayList<>();
            if (q != null) {
                q.knotes.forEach((k, n) -> out.add(k.ident + ":" + k.filter + ":"
                        + (n.enabled ? "on" : "off") + ":" + n.udata));
            }
            return out;
        }
    }

    Integer onlyKq() {
        synchronized (lock) {
            return queues.size() == 1 ? queues.keySet().iterator().next() : null;
        }
    }

    @Override
    public int kqueue() {
        int fd = nextKq.getAndIncrement();
        synchronized (lock) {
            queues.put(fd, new Queue());
        }
        return fd;
    }

    @Override
    public int close(int fd) {
        synchronized (lock) {
            Queue q = queues.remove(fd);
            if (q == null) {
                errno.get()[0] = 9; // EBADF
                return -1;
            }
            if (q.pollfds != 0) {
                NativeMemory.free(q.pollfds, 8L * q.pollfdCapacity);
            }
            return 0;
        }
    }

    @Override
    public int lastError() {
        return errno.get()[0];
    }

    @Override
    public int kevent(int kq, KeventArray changes, int nChanges, KeventArray events, int nEvents,
            Timespec timeout) {
        List<Change> decoded = new ArrayList<>(nChanges);
        for (int i = 0; i < nChanges; i++) {
            decoded.add(new Change(changes.ident(i), changes.filter(i), changes.flags(i),
                    changes.fflags(i), changes.udata(i)));
        }
        long timeoutNanos = timeout == null ? -1 : timeout.seconds() * 1_000_000_000L + timeout.nanosOfSecond();
        calls.add(new Call(kq, List.copyOf(decoded), nEvents, timeoutNanos, Thread.currentThread().getName()));
        int out = 0;
        synchronized (lock) {
            Queue q = queues.get(kq);
            if (q == null) {
                errno.get()[0] = 9; // EBADF
                return -1;
            }
            for (Change c : decoded) {
                int err = apply(q, c);
                if (err >= 0) {
                    if (out == nEvents) {
                        errno.get()[0] = err;
                        return -1; // no room for the error: the kernel fails the call here
                    }
                    int flags = target == KqueueTarget.LIBKQUEUE ? c.flags | Kevent.EV_ERROR : Kevent.EV_ERROR;
                    events.set(out++, c.ident, c.filter, flags, c.fflags, err, c.udata);
                }
            }
        }
        int fail = failNextWith;
        if (fail != 0) {
            failNextWith = 0;
            errno.get()[0] = fail;
            return -1;
        }
        if (out > 0 || nEvents == 0) {
            return out; // the kernels return change errors without scanning
        }
        return scan(kq, events, nEvents, timeoutNanos);
    }

    /** @return -1 if applied, else the errno of the failure (0 for libkqueue's live re-add) */
    private int apply(Queue q, Change c) {
        Key key = new Key(c.ident, c.filter);
        Knote k = q.knotes.get(key);
        if (c.filter == target.evfiltUser) {
            if ((c.flags & Kevent.EV_ADD) != 0 && k == null) {
                k = new Knote();
                k.enabled = true;
                k.clear = (c.flags & Kevent.EV_CLEAR) != 0;
                k.udata = c.udata;
                q.knotes.put(key, k);
            }
            if ((c.fflags & Kevent.NOTE_TRIGGER) != 0) {
                if (k == null) {
                    return 2; // ENOENT
                }
                k.triggered = true;
            }
            return -1;
        }
        if (c.filter == Kevent.EVFILT_PROC) {
            return applyProc(q, key, k, c);
        }
        if (c.filter != Kevent.EVFILT_READ && c.filter != Kevent.EVFILT_WRITE) {
            violations.add("unexpected filter " + c);
            return 22; // EINVAL
        }
        if ((c.flags & Kevent.EV_CLEAR) != 0) {
            violations.add("EV_CLEAR on a READ/WRITE filter (the poller is level-triggered): " + c);
        }
        if ((c.flags & Kevent.EV_ADD) != 0 && (c.flags & Kevent.EV_DISABLE) != 0
                && target.addDisabledIsBroken) {
            violations.add("EV_ADD|EV_DISABLE in one change on libkqueue: " + c);
            return 22;
        }
        if ((c.flags & (Kevent.EV_ADD | Kevent.EV_ENABLE)) != 0) {
            Integer err = failChange.remove(key);
            if (err != null) {
                return err;
            }
        }
        if ((c.flags & Kevent.EV_DELETE) != 0) {
            if (k == null) {
                return 2; // ENOENT
            }
            q.knotes.remove(key);
            return -1;
        }
        if ((c.flags & Kevent.EV_ADD) != 0) {
            if (k != null) {
                if (target.reAddOfLiveFails) {
                    liveReAdds.incrementAndGet();
                    return 0; // libkqueue: fails with errno 0, keeps the old udata
                }
                k.udata = c.udata;
                k.enabled = (c.flags & Kevent.EV_DISABLE) == 0;
                return -1;
            }
            k = new Knote();
            k.udata = c.udata;
            k.enabled = (c.flags & Kevent.EV_DISABLE) == 0;
            q.knotes.put(key, k);
            return -1;
        }
        if (k == null) {
            return 2; // ENOENT
        }
        if ((c.flags & Kevent.EV_ENABLE) != 0) {
            k.enabled = true;
        }
        if ((c.flags & Kevent.EV_DISABLE) != 0) {
            k.enabled = false;
        }
        return -1;
    }

    /** An EVFILT_PROC change; see the class comment. */
    private int applyProc(Queue q, Key key, Knote k, Change c) {
        if ((c.flags & Kevent.EV_DELETE) != 0) {
            if (k == null) {
                return 2; // ENOENT
            }
            q.knotes.remove(key);
            return -1;
        }
        if ((c.flags & Kevent.EV_ADD) == 0) {
            violations.add("EVFILT_PROC change without EV_ADD or EV_DELETE: " + c);
            return 22;
        }
        if ((c.fflags & Kevent.NOTE_EXIT) == 0) {
            violations.add("EVFILT_PROC without NOTE_EXIT watches nothing: " + c);
        }
        char state = procState(c.ident);
        if (state == 0) {
            return 3; // ESRCH
        }
        k = new Knote();
        k.udata = c.udata;
        k.enabled = true;
        k.fflags = c.fflags;
        k.deaf = state == 'Z' && target == KqueueTarget.MACOS; // the exit was told before
        q.knotes.put(key, k);
        return -1;
    }

    /** The state letter of {@code /proc/<pid>/stat} ('Z' for a zombie), or 0 if it is gone. */
    private static char procState(long pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid
                    + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (java.io.IOException | RuntimeException gone) {
            return 0;
        }
    }

    private int scan(int kq, KeventArray events, int nEvents, long timeoutNanos) {
        // libkqueue-like rounding: whole milliseconds, rounded down (so a wait may end early).
        long start = System.nanoTime();
        long budgetMs = timeoutNanos < 0 ? Long.MAX_VALUE : timeoutNanos / 1_000_000L;
        while (true) {
            long elapsedMs = (System.nanoTime() - start) / 1_000_000L;
            long leftMs = budgetMs == Long.MAX_VALUE ? SLICE_MS : Math.max(0, budgetMs - elapsedMs);
            int n = collect(kq, events, nEvents, (int) Math.min(leftMs, SLICE_MS));
            if (n != 0) {
                return n;
            }
            if (budgetMs != Long.MAX_VALUE && (System.nanoTime() - start) / 1_000_000L >= budgetMs) {
                return 0;
            }
            if (Thread.currentThread().isInterrupted()) {
                // Stands for a signal: lets JUnit's @Timeout end a stuck test instead of hanging.
                errno.get()[0] = 4; // EINTR
                return -1;
            }
        }
    }

    /** One slice: poll(2) the enabled fd knotes for up to {@code waitMs}, then report. */
    private int collect(int kq, KeventArray events, int nEvents, int waitMs) {
        List<Key> keys = new ArrayList<>();
        List<Key> exited = new ArrayList<>();
        List<Long> udatas = new ArrayList<>();
        Map<Integer, Integer> wanted = new LinkedHashMap<>();
        int out = 0;
        long pollfds;
        synchronized (lock) {
            Queue q = queues.get(kq);
            if (q == null) {
                errno.get()[0] = 9;
                return -1;
            }
            for (Map.Entry<Key, Knote> e : q.knotes.entrySet()) {
                Key key = e.getKey();
                Knote k = e.getValue();
                if (key.filter == target.evfiltUser) {
                    if (k.triggered && k.enabled && out < nEvents) {
                        events.set(out++, key.ident, key.filter, 0, Kevent.NOTE_TRIGGER, 0, k.udata);
                        if (k.clear) {
                            k.triggered = false;
                        }
                    }
                    continue;
                }
                if (!k.enabled) {
                    continue;
                }
                if (key.filter == Kevent.EVFILT_PROC) {
                    if (k.deaf) {
                        continue;
                    }
                    char state = procState(key.ident);
                    if ((state == 0 || state == 'Z') && out < nEvents) {
                        events.set(out++, key.ident, key.filter, Kevent.EV_EOF, k.fflags, 0,
                                k.udata);
                        exited.add(key);
                    }
                    continue;
                }
                keys.add(key);
                udatas.add(k.udata);
                wanted.merge((int) key.ident, key.filter == Kevent.EVFILT_READ ? POLLIN : POLLOUT,
                        (a, b) -> a | b);
            }
            for (Key key : exited) {
                q.knotes.remove(key); // one shot, as on every kqueue
            }
            if (out > 0) {
                return out; // a trigger or an exit: report it at once
            }
            if (q.pollfdCapacity < Math.max(1, wanted.size())) {
                if (q.pollfds != 0) {
                    NativeMemory.free(q.pollfds, 8L * q.pollfdCapacity);
                }
                q.pollfdCapacity = Math.max(16, wanted.size() * 2);
                q.pollfds = NativeMemory.allocate(8L * q.pollfdCapacity);
            }
            pollfds = q.pollfds;
        }
        Map<Integer, Integer> revents = new HashMap<>();
        Map<Integer, Integer> scripted = script;
        if (scripted != null) {
            for (int fd : wanted.keySet()) {
                revents.put(fd, scripted.getOrDefault(fd, 0));
            }
            if (revents.values().stream().allMatch(r -> r == 0) && waitMs > 0) {
                sleepMs(waitMs);
            }
        } else {
            ByteBuffer b = NativeMemory.view(pollfds, 8 * Math.max(1, wanted.size()));
            int i = 0;
            for (Map.Entry<Integer, Integer> e : wanted.entrySet()) {
                b.putInt(8 * i, e.getKey());
                b.putShort(8 * i + 4, (short) (int) e.getValue());
                b.putShort(8 * i + 6, (short) 0);
                i++;
            }
            int r = wanted.isEmpty() ? sleepMs(waitMs) : PollCall.poll(pollfds, wanted.size(), waitMs);
            if (r < 0) {
                int err = Native.getLastError();
                if (err == 4) { // EINTR: report nothing for this slice
                    return 0;
                }
                errno.get()[0] = err;
                return -1;
            }
            for (int j = 0; j < wanted.size(); j++) {
                revents.put(b.getInt(8 * j), b.getShort(8 * j + 6) & 0xffff);
            }
        }
        for (int j = 0; j < keys.size() && out < nEvents; j++) {
            Key key = keys.get(j);
            int re = revents.getOrDefault((int) key.ident, 0);
            if ((re & POLLNVAL) != 0) {
                continue; // closed fd: libkqueue keeps the knote but it never fires
            }
            // libkqueue sets EV_EOF on any EPOLLERR; the kernels only once the socket is shut.
            boolean eof = (re & POLLHUP) != 0
                    || ((re & POLLERR) != 0 && target.eofConsumesSocketError);
            boolean fire = key.filter == Kevent.EVFILT_READ
                    ? (re & (POLLIN | POLLHUP | POLLERR)) != 0
                    : (re & (POLLOUT | POLLHUP | POLLERR)) != 0;
            if (fire) {
                // libkqueue fills fflags with getsockopt(SO_ERROR) for each filter it reports, so
                // the first one takes the error and clears it.
                int fflags = (re & POLLERR) != 0 && target.eofConsumesSocketError
                        ? PollCall.takeSocketError((int) key.ident) : 0;
                events.set(out++, key.ident, key.filter, eof ? Kevent.EV_EOF : 0, fflags, 0,
                        udatas.get(j));
            }
        }
        return out;
    }

    private static int sleepMs(int ms) {
        if (ms > 0) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return 0;
    }

    /** poll(2), direct-mapped from the C library. */
    static final class PollCall {
        static {
            Native.register(PollCall.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        }

        private PollCall() {
        }

        static void load() {
            // the static initializer binds
        }

        static native int poll(long fds, long nfds, int timeoutMs);

        static native int getsockopt(int fd, int level, int name, long value, long lenAddress);

        /** {@code getsockopt(fd, SOL_SOCKET, SO_ERROR)}: the pending error, now cleared. */
        static int takeSocketError(int fd) {
            OsConstants os = OsConstants.current();
            long mem = NativeMemory.allocate(8);
            try {
                ByteBuffer b = NativeMemory.view(mem, 8);
                b.putInt(0, 0);
                b.putInt(4, 4);
                int r = getsockopt(fd, os.SOL_SOCKET, os.SO_ERROR, mem, mem + 4);
                return r < 0 ? Native.getLastError() : b.getInt(0);
            } finally {
                NativeMemory.free(mem, 8);
            }
        }
    }
}
