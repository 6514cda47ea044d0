package dev.pollen.macos.kqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pollen.posix.OsConstants;
import dev.pollen.posix.PosixProcessLayer;
import dev.pollen.spi.Poller;
import dev.pollen.spi.ProcessLayer;
import dev.pollen.spi.Registration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The kqueue poller watching children with {@code EVFILT_PROC} ({@link KqueueConfig.ChildExit#EVFILT_PROC}):
 * on the emulation with macOS's rule (a knote added for a zombie never fires) and libkqueue's
 * (it fires), and on the real libkqueue where it loads. The process layer's {@code waitpid}
 * reaps the child in every case. Needs {@code /proc} (the emulation reads process states there)
 * and a POSIX shell.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KqueueChildExitTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @BeforeEach
    void requireSpawning() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs /proc (Linux)");
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh");
        assumeTrue(PosixProcessLayer.spawnUnavailableReason() == null,
                () -> "no POSIX process layer here: " + PosixProcessLayer.spawnUnavailableReason());
    }

    private static KqueuePoller emulated(KqueueTarget target, EmulatedKqueue[] out) {
        EmulatedKqueue k = new EmulatedKqueue(target);
        out[0] = k;
        return new KqueuePoller(k, target, OsConstants.current(), KqueuePoller.DEFAULT_CHANGES,
                KqueuePoller.DEFAULT_EVENTS, KqueueConfig.ChildExit.EVFILT_PROC);
    }

    private static KqueuePoller real() {
        RealKqueue.assumeAvailable();
        String os = System.getProperty("os.name");
        String library = KqueueConfig.libraryName();
        return new KqueuePoller(JnaKqueue.bind(library), KqueueTarget.select(os, library),
                OsConstants.forOsName(os), KqueuePoller.DEFAULT_CHANGES,
                KqueuePoller.DEFAULT_EVENTS, KqueueConfig.ChildExit.EVFILT_PROC);
    }

    private static ProcessLayer.SpawnedProcess spawn(Poller p, String script) throws IOException {
        ProcessLayer layer = p.sockets().processes();
        assertTrue(layer != null, "the EVFILT_PROC poller has a process layer");
        return layer.spawn(List.of("/bin/sh", "-c", script), null, null, ProcessLayer.DEVNULL,
                ProcessLayer.DEVNULL, ProcessLayer.DEVNULL);
    }

    /**
     * Registers the exit source and, as {@code Subprocess} does, reaps on each READ until the
     * child is collected; returns its status.
     */
    private static int awaitExit(Poller p, ProcessLayer.SpawnedProcess sp) {
        Integer[] code = new Integer[1];
        Registration reg = p.register(sp.exitSource(), Poller.READ, ops -> {
            assertEquals(Poller.READ, ops);
            try {
                code[0] = sp.reap();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        long deadline = System.nanoTime() + 20 * SECOND;
        while (code[0] == null && System.nanoTime() < deadline) {
            p.poll(SECOND / 10);
        }
        reg.cancel();
        sp.exitSource().close();
        assertTrue(code[0] != null, "the exit of pid " + sp.pid() + " was reported and reaped");
        return code[0];
    }

    private static void awaitZombie(long pid) throws Exception {
        long deadline = System.nanoTime() + 10 * SECOND;
        while (System.nanoTime() < deadline) {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            if (stat.charAt(stat.lastIndexOf(')') + 2) == 'Z') {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("child " + pid + " did not exit");
    }

    private static boolean gone(long pid) {
        return !Files.exists(Path.of("/proc/" + pid));
    }

    private static void exitCodesAndSignals(Poller p) throws Exception {
        ProcessLayer.SpawnedProcess sp = spawn(p, "exit 7");
        assertInstanceOf(ProcExitSource.class, sp.exitSource(), "no pidfd: a process watch");
        assertEquals(-1, ((ProcExitSource) sp.exitSource()).fd());
        assertEquals(7, awaitExit(p, sp));
        assertTrue(gone(sp.pid()), "reaped, not a zombie");

        ProcessLayer.SpawnedProcess sleeper = spawn(p, "exec sleep 60");
        int[] reported = new int[1];
        Registration reg = p.register(sleeper.exitSource(), Poller.READ, ops -> reported[0] |= ops);
        p.poll(SECOND / 20);
        assertEquals(Poller.READ, reported[0], "one readiness after the add, for waitpid to look");
        assertNull(sleeper.reap(), "a running child is not collected");
        reported[0] = 0;
        p.poll(SECOND / 20);
        assertEquals(0, reported[0], "a running child is not reported again");
        reg.cancel();
        sleeper.signal(9);
        assertEquals(-9, awaitExit(p, sleeper));
        assertTrue(gone(sleeper.pid()));
    }

    /**
     * The knote is added after the child has exited: macOS never fires it (the poller's one
     * readiness after the add finds the zombie), the rest fire at once.
     */
    private static void exitBeforeTheWatchIsAdded(Poller p) throws Exception {
        ProcessLayer.SpawnedProcess sp = spawn(p, "exit 3");
        awaitZombie(sp.pid());
        assertEquals(3, awaitExit(p, sp));
        assertTrue(gone(sp.pid()));
    }

    @Test
    void macosRulesOnTheEmulation() throws Exception {
        EmulatedKqueue[] k = new EmulatedKqueue[1];
        try (Poller p = emulated(KqueueTarget.MACOS, k)) {
            exitCodesAndSignals(p);
            exitBeforeTheWatchIsAdded(p);
            assertTrue(k[0].calls().stream().flatMap(c -> c.changes().stream()).anyMatch(c ->
                    c.filter() == Kevent.EVFILT_PROC && c.fflags() == Kevent.NOTE_EXIT
                            && c.flags() == (Kevent.EV_ADD | Kevent.EV_ONESHOT)),
                    "EVFILT_PROC, EV_ADD|EV_ONESHOT, NOTE_EXIT was sent: " + k[0].calls());
            assertEquals(List.of(), k[0].violations());
        }
    }

    @Test
    void libkqueueRulesOnTheEmulation() throws Exception {
        EmulatedKqueue[] k = new EmulatedKqueue[1];
        try (Poller p = emulated(KqueueTarget.LIBKQUEUE, k)) {
            exitCodesAndSignals(p);
            exitBeforeTheWatchIsAdded(p);
            p.poll(0);
            assertEquals(List.of("0:" + KqueueTarget.LIBKQUEUE.evfiltUser + ":on:0"),
                    k[0].knotes(k[0].onlyKq()), "no process knote is left behind");
            assertEquals(List.of(), k[0].violations());
        }
    }

    @Test
    void aWatchCancelledBeforeTheExitIsDeleted() throws Exception {
        EmulatedKqueue[] k = new EmulatedKqueue[1];
        try (Poller p = emulated(KqueueTarget.MACOS, k)) {
            ProcessLayer.SpawnedProcess sp = spawn(p, "exec sleep 60");
            Registration reg = p.register(sp.exitSource(), Poller.READ, ops -> { });
            p.poll(0);
            assertEquals(2, k[0].knotes(k[0].onlyKq()).size(), "wakeup and process knotes");
            reg.cancel();
            sp.exitSource().close();
            p.poll(0);
            assertEquals(1, k[0].knotes(k[0].onlyKq()).size(), "the process knote is deleted");
            sp.signal(9);
            sp.abandon();
            long deadline = System.nanoTime() + 10 * SECOND;
            while (!gone(sp.pid()) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(gone(sp.pid()), "abandon() reaps the killed child");
        }
    }

    @Test
    void realLibkqueue() throws Exception {
        try (Poller p = real()) {
            exitCodesAndSignals(p);
            exitBeforeTheWatchIsAdded(p);
        }
    }

    @Test
    void theProviderWatchesAsThePropertySays() throws Exception {
        RealKqueue.assumeAvailable();
        String saved = System.getProperty(KqueueConfig.CHILD_EXIT_PROPERTY);
        try {
            System.setProperty(KqueueConfig.CHILD_EXIT_PROPERTY, "evfilt_proc");
            try (Poller p = new KqueuePollerProvider().create()) {
                ProcessLayer.SpawnedProcess sp = spawn(p, "exit 4");
                assertInstanceOf(ProcExitSource.class, sp.exitSource());
                assertEquals(4, awaitExit(p, sp));
            }
            if (PosixProcessLayer.unavailableReason() == null) {
                for (String value : new String[] {"pidfd", "auto"}) {
                    System.setProperty(KqueueConfig.CHILD_EXIT_PROPERTY, value);
                    try (Poller p = new KqueuePollerProvider().create()) {
                        ProcessLayer.SpawnedProcess sp = spawn(p, "exit 5");
                        assertTrue(sp.exitSource() instanceof dev.pollen.posix.FdSource f
                                && f.fd() >= 0, value + ": a pidfd where the system has one");
                        assertEquals(5, awaitExit(p, sp));
                    }
                }
            }
            System.setProperty(KqueueConfig.CHILD_EXIT_PROPERTY, "kevent");
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class, () -> new KqueuePollerProvider().create());
            assertEquals("-Dpollen.kqueue.childExit='kevent' is not a way to watch a child's exit: "
                    + "use auto, evfilt_proc or pidfd", e.getMessage());
        } finally {
            if (saved == null) {
                System.clearProperty(KqueueConfig.CHILD_EXIT_PROPERTY);
            } else {
                System.setProperty(KqueueConfig.CHILD_EXIT_PROPERTY, saved);
            }
        }
    }

    @Test
    void realLibkqueueLeavesNoDescriptorPerChild() throws Exception {
        try (Poller p = real()) {
            assertEquals(0, awaitExit(p, spawn(p, "exit 0"))); // warm up
            long before = fdCount();
            for (int i = 0; i < 20; i++) {
                assertEquals(i % 5, awaitExit(p, spawn(p, "exit " + (i % 5))));
            }
            assertEquals(before, fdCount(), "descriptors left after 20 children");
        }
    }

    private static long fdCount() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }
}
