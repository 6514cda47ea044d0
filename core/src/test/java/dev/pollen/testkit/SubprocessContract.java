package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pollen.loop.EventLoop;
import dev.pollen.net.Net;
import dev.pollen.net.Subprocess;
import dev.pollen.net.SubprocessOptions;
import dev.pollen.net.SubprocessOptions.Stdio;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The subprocess contract on a backend: {@link Net#createSubprocessExec},
 * {@link Net#createSubprocessShell} and {@link Subprocess}. Ports the applicable cases of
 * CPython's {@code Lib/test/test_asyncio/test_subprocess.py} (named on each test). Needs a POSIX
 * shell and {@code cat}; skips elsewhere.
 *
 * <p><b>Threading:</b> JUnit's test thread runs the loops; the bodies run in tasks.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class SubprocessContract extends NetFixture {

    private static final String NO_EXIT_WINDOW_ON_THE_JDK = "on the JDK fallback the JDK drains "
            + "and closes a child's pipes when it exits, so there is no time between the exit and "
            + "the end of wait() to send a signal in";

    /**
     * The skip entry of a backend on the JDK fallback (not
     * {@link KitBackend#subprocessesWatchedByLoop()}): {@code signalAfterExitBeforeWaitIsIgnored}
     * needs a time between a child's exit and the end of {@code waitFor()}, which the JDK's
     * process handling does not leave.
     *
     * @return the entry, for {@link KitBackend#skips()}
     */
    public static Skip skipOnTheJdkFallback() {
        return Skip.test(SubprocessContract.class, "signalAfterExitBeforeWaitIsIgnored",
                NO_EXIT_WINDOW_ON_THE_JDK);
    }

    private boolean expectsThreadFreeChildren() {
        return backend().subprocessesWatchedByLoop();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static void assumePosix() {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh");
    }

    private <T> T inTask(TaskBody<T> body) {
        assumePosix();
        EventLoop loop = newLoop();
        return runTask(loop, () -> body.run(loop));
    }

    @FunctionalInterface
    private interface TaskBody<T> {
        T run(EventLoop loop) throws Exception;
    }

    // test_subprocess: test_stdin_stdout (cat echoes what it reads)
    @Test
    void echoThroughCat() {
        String got = inTask(loop -> {
            Subprocess p = Net.createSubprocessExec(SubprocessOptions.pipes(), "cat");
            assertEquals(expectsThreadFreeChildren(), p.watchedByLoop());
            p.stdin().write(b("hello\n"));
            p.stdin().drain();
            String line = s(p.stdout().readLine());
            p.stdin().close();
            assertEquals(0, p.stdout().read(-1).length);
            assertEquals(0, p.waitFor());
            return line;
        });
        assertEquals("hello\n", got);
    }

    // test_subprocess: test_communicate
    @Test
    void communicate() {
        Subprocess.Output out = inTask(loop -> {
            Subprocess p = Net.createSubprocessExec(SubprocessOptions.pipes(), "cat");
            Subprocess.Output o = p.communicate(b("some data"));
            assertEquals(0, p.returncode());
            return o;
        });
        assertEquals("some data", s(out.stdout()));
        assertEquals("", s(out.stderr()));
    }

    // test_subprocess: test_communicate_none_input; a stdout that is not a pipe gives null
    @Test
    void communicateWithoutInputAndUnpipedStreams() {
        Subprocess.Output out = inTask(loop -> {
            Subprocess p = Net.createSubprocessShell(SubprocessOptions.defaults()
                    .stdin(Stdio.PIPE).stdout(Stdio.PIPE).stderr(Stdio.DEVNULL),
                    "cat; echo done; echo err >&2");
            return p.communicate(null);
        });
        assertEquals("done\n", s(out.stdout()));
        assertNull(out.stderr());
    }

    // CPython 3.13: communicate(input) after the caller closed stdin drops the input, no error
    @Test
    void communicateAfterStdinClosed() {
        Subprocess.Output out = inTask(loop -> {
            Subprocess p = Net.createSubprocessExec(SubprocessOptions.pipes(), "cat");
            p.stdin().close();
            return p.communicate(b("dropped"));
        });
        assertEquals("", s(out.stdout()));
    }

    // test_subprocess: test_broken_pipe (the child exits without reading: no error)
    @Test
    void communicateIgnoresBrokenPipe() {
        int code = inTask(loop -> {
            Subprocess p = Net.createSubprocessShell(SubprocessOptions.pipes(), "exit 3");
            p.communicate(new byte[4 * 1024 * 1024]);
            return p.returncode();
        });
        assertEquals(3, code);
    }

    // Large output, both directions at once: flow control, no deadlock, byte-exact
    @Test
    void largeOutputThroughCat() {
        byte[] data = randomBytes(8 * 1024 * 1024 + 17, 18);
        byte[] got = inTask(loop -> {
            Subprocess p = Net.createSubprocessExec(SubprocessOptions.pipes()
                    .limit(16 * 1024), "cat");
            return p.communicate(data).stdout();
        });
        assertArrayEquals(data, got);
    }

    // Reading slowly: the child blocks on a full pipe instead of the JVM buffering it all
    @Test
    void slowReaderKeepsTheChildWaiting() {
        int chunks = inTask(loop -> {
            Subprocess p = Net.createSubprocessShell(SubprocessOptions.defaults()
                    .stdout(Stdio.PIPE).limit(4096), "head -c 2000000 /dev/zero");
            int n = 0;
            long total = 0;
            while (true) {
                byte[] c = p.stdout().read(4096);
                if (c.length == 0) {
                    break;
                }
                total += c.length;
                n++;
                if (n == 1) {
                    dev.pollen.async.Async.sleep(java.time.Duration.ofMillis(100));
                    // the child cannot have written everything: the pipe and our buffer are small
                    assertNull(p.returncode(), "child ran ahead of a paused reader");
                }
            }
            assertEquals(2_000_000, total);
            assertEquals(0, p.waitFor());
            return n;
        });
        assertTrue(chunks > 1);
    }

    // test_subprocess: stderr as its own pipe, and merged into stdout
    @Test
    void stderrPipeAndMerge() {
        String[] got = inTask(loop -> {
            Subprocess p = Net.createSubprocessShell(SubprocessOptions.defaults()
                    .stdout(Stdio.PIPE).stderr(Stdio.PIPE), "echo out; echo err >&2");
            Subprocess.Output o = p.communicate(null);
            Subprocess m = Net.createSubprocessShell(SubprocessOptions.defaults()
                    .stdout(Stdio.PIPE).stderr(Stdio.STDOUT), "echo out; echo err >&2");
            Subprocess.Output mo = m.communicate(null);
            assertNull(mo.stderr());
            return new String[] {s(o.stdout()), s(o.stderr()), s(mo.stdout())};
        });
        assertEquals("out\n", got[0]);
        assertEquals("err\n", got[1]);
        assertEquals("out\nerr\n", got[2]);
    }

    // test_subprocess: test_shell (exit codes), environment and directory
    @Test
    void exitCodesEnvironmentAndDirectory() {
        Object[] got = inTask(loop -> {
            Subprocess p = Net.createSubprocessShell("exit 7");
            int code = p.waitFor();
            Subprocess q = Net.createSubprocessShell(SubprocessOptions.defaults()
                    .stdout(Stdio.PIPE).env(Map.of("POLLEN_X", "x1")).directory(Path.of("/")),
                    "echo $POLLEN_X; pwd");
            return new Object[] {code, p.returncode(), s(q.communicate(null).stdout())};
        });
        assertEquals(7, got[0]);
        assertEquals(7, got[1]);
        assertEquals("x1\n/\n", got[2]);
    }

    // test_subprocess: test_kill, test_terminate (returncode is minus the signal)
    @Test
    void killAndTerminateGiveNegativeSignal() {
        int[] got = inTask(loop -> {
            Subprocess p = Net.createSubprocessExec("sleep", "30");
            assertNull(p.returncode());
            p.kill();
            int k = p.waitFor();
            Subprocess q = Net.createSubprocessExec("sleep", "30");
            q.terminate();
            return new int[] {k, q.waitFor()};
        });
        assertEquals(-Subprocess.SIGKILL, got[0]);
        assertEquals(-Subprocess.SIGTERM, got[1]);
    }

    // wait() on a child that has already exited returns at once, again and again; a signal
    // after that is refused (CPython 3.13: ProcessLookupError)
    @Test
    void waitOnExitedChild() {
        int[] got = inTask(loop -> {
            Subprocess p = Net.createSubprocessExec("true");
            int first = p.waitFor();
            IllegalStateException e = assertThrows(IllegalStateException.class, p::kill);
            assertTrue(e.getMessage().contains("has exited"), e.getMessage());
            return new int[] {first, p.waitFor(), p.returncode()};
        });
        assertArrayEquals(new int[] {0, 0, 0}, got);
    }

    // CPython 3.13: wait() with a stdin pipe nobody closed returns once the child exits (the
    // pipe closes when the child's end does)
    @Test
    void waitWithStdinLeftOpen() {
        boolean[] closing = new boolean[1];
        int code = inTask(loop -> {
            Subprocess p = Net.createSubprocessExec(SubprocessOptions.pipes(), "true");
            int c = p.waitFor();
            closing[0] = p.stdin().isClosing();
            return c;
        });
        assertEquals(0, code);
        assertTrue(closing[0]);
    }

    // CPython 3.13: a signal between the exit and wait() (pipes still open) does nothing
    @Test
    void signalAfterExitBeforeWaitIsIgnored() {
        int code = inTask(loop -> {
            Subprocess p = Net.createSubprocessShell(SubprocessOptions.defaults()
                    .stdout(Stdio.PIPE), "sleep 1 & exit 4");
            assertTrue(p.watchedByLoop(), "a backend on the JDK fallback lists "
                    + "SubprocessContract.skipOnTheJdkFallback() in its KitBackend.skips()");
            while (p.returncode() == null) {
                dev.pollen.async.Async.sleep(java.time.Duration.ofMillis(5));
            }
            p.terminate(); // exited, not yet waited for: nothing happens
            return p.waitFor();
        });
        assertEquals(4, code);
    }

    // test_subprocess: test_create_subprocess_exec_with_path / program not found
    @Test
    void programNotFound() {
        IOException e = inTask(loop -> assertThrows(IOException.class,
                () -> Net.createSubprocessExec("pollen-no-such-program-18")));
        assertTrue(e.getMessage().contains("pollen-no-such-program-18"), e.getMessage());
        assertTrue(e.getMessage().contains("No such file"), e.getMessage());
    }

    // Misuse is refused with a clear message
    @Test
    void badOptions() {
        assertThrows(IllegalArgumentException.class,
                () -> SubprocessOptions.defaults().stdout(Stdio.STDOUT));
        EventLoop loop = newLoop();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Net.createSubprocessExec("true"));
        assertTrue(e.getMessage().contains("inside a task"), e.getMessage());
        loop.close();
    }

    // Many children at once; on a thread-free backend the thread count does not grow with them
    @Test
    void manyChildrenConcurrently() {
        int n = 40;
        int[] threads = new int[2];
        List<String> outs = inTask(loop -> {
            int before = Thread.activeCount();
            List<Subprocess> ps = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ps.add(Net.createSubprocessShell(SubprocessOptions.defaults()
                        .stdin(Stdio.PIPE).stdout(Stdio.PIPE), "read x; echo $x"));
            }
            threads[0] = before;
            threads[1] = Thread.activeCount();
            List<String> r = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                r.add(s(ps.get(i).communicate(b("child" + i + "\n")).stdout()));
            }
            return r;
        });
        for (int i = 0; i < n; i++) {
            assertEquals("child" + i + "\n", outs.get(i));
        }
        if (expectsThreadFreeChildren()) {
            assertTrue(threads[1] - threads[0] < 5, "threads grew from " + threads[0] + " to "
                    + threads[1] + " for " + n + " children");
        }
    }

    /** Records a protocol-level child's callbacks in order. */
    static final class Recorder implements dev.pollen.net.SubprocessProtocol {
        final List<String> events = new ArrayList<>();
        final StringBuilder[] out = {new StringBuilder(), new StringBuilder(), new StringBuilder()};
        dev.pollen.net.SubprocessTransport transport;
        dev.pollen.loop.Future<Void> lost;

        @Override
        public void connectionMade(dev.pollen.net.SubprocessTransport t) {
            transport = t;
            events.add("made");
        }

        @Override
        public void pipeDataReceived(int fd, java.nio.ByteBuffer data) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            out[fd].append(s(b));
        }

        @Override
        public void pipeConnectionLost(int fd, Throwable cause) {
            events.add("pipe" + fd + (cause == null ? "" : " " + cause));
        }

        @Override
        public void processExited() {
            events.add("exited " + transport.returncode());
        }

        @Override
        public void connectionLost(Throwable cause) {
            events.add("lost");
            lost.setResult(null);
        }
    }

    // test_subprocess: SubprocessMixin.test_subprocess_exec / loop.subprocess_exec with a protocol
    @Test
    void protocolLevel() {
        assumePosix();
        EventLoop loop = newLoop();
        Recorder r = new Recorder();
        r.lost = loop.createFuture();
        dev.pollen.net.SubprocessConnection<Recorder> c = run(loop, Net.subprocessShell(loop,
                () -> r, SubprocessOptions.pipes(), "read x; echo got $x; echo err >&2; exit 5"));
        assertEquals(r, c.protocol());
        c.transport().pipeTransport(0).write(java.nio.ByteBuffer.wrap(b("it\n")));
        c.transport().pipeTransport(0).writeEof();
        run(loop, r.lost);
        assertEquals("got it\n", r.out[1].toString());
        assertEquals("err\n", r.out[2].toString());
        assertEquals("made", r.events.get(0));
        assertEquals("lost", r.events.get(r.events.size() - 1));
        assertTrue(r.events.containsAll(List.of("pipe0", "pipe1", "pipe2", "exited 5")),
                r.events.toString());
        assertEquals(6, r.events.size(), r.events.toString());
        assertEquals(5, c.transport().returncode());
        IOException e = (IOException) runExpectingFailure(loop, Net.subprocessExec(loop,
                Recorder::new, SubprocessOptions.pipes(), "pollen-no-such-program-18"));
        assertTrue(e.getMessage().contains("No such file"), e.getMessage());
    }

    // CPython 3.13's BaseSubprocessTransport.close() kills a child that still runs (and its
    // child watcher reaps it); closing the loop does the same here, and leaves no zombie and no
    // descriptor: pipes, pidfd or process watch, all go with the loop.
    @Test
    void closingTheLoopKillsAndReapsARunningChild() throws Exception {
        assumePosix();
        FdCount.assumeAvailable(); // and /proc/<pid>/stat, which tells a zombie
        EventLoop warm = newLoop(); // the first child loads classes and native bindings
        runTask(warm, () -> Net.createSubprocessExec(SubprocessOptions.pipes(), "true")
                .communicate(null));
        warm.close();
        int before = FdCount.now();
        EventLoop loop = newLoop();
        long[] pids = runTask(loop, () -> {
            Subprocess piped = Net.createSubprocessExec(SubprocessOptions.pipes(), "sleep", "60");
            Subprocess plain = Net.createSubprocessExec(SubprocessOptions.defaults()
                    .stdin(Stdio.DEVNULL), "sleep", "60");
            Subprocess exited = Net.createSubprocessExec(SubprocessOptions.pipes(), "true");
            Thread.sleep(200); // holds the loop: "true" exits, and nobody reaps it
            assertEquals(null, exited.returncode());
            return new long[] {piped.pid(), plain.pid(), exited.pid()};
        });
        loop.close();
        for (long pid : pids) {
            assertReaped(pid);
        }
        int after = FdCount.settled(before);
        assertTrue(after <= before, "descriptors rose from " + before + " to " + after
                + " after the loop closed with its children: " + FdCount.describe());
    }

    /** Waits until {@code pid} is gone from /proc: neither running nor a zombie. */
    private static void assertReaped(long pid) throws Exception {
        Path stat = Path.of("/proc/" + pid + "/stat");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                last = Files.readString(stat);
            } catch (IOException gone) {
                return; // reaped (the pid may be reused later, not within these few seconds)
            }
            Thread.sleep(10);
        }
        // the state is the field after the command's closing parenthesis: 'Z' is a zombie
        String state = last.substring(last.lastIndexOf(')') + 2, last.lastIndexOf(')') + 3);
        throw new AssertionError("child " + pid + " was not reaped after its loop closed: state "
                + state + (state.equals("Z") ? " (a zombie)" : " (still running)"));
    }

    // asyncio's SubprocessTransport.close(): closes the pipes and kills a running child
    @Test
    void transportCloseKills() {
        assumePosix();
        EventLoop loop = newLoop();
        Recorder r = new Recorder();
        r.lost = loop.createFuture();
        dev.pollen.net.SubprocessConnection<Recorder> c = run(loop, Net.subprocessExec(loop,
                () -> r, SubprocessOptions.pipes(), "sleep", "30"));
        c.transport().close();
        run(loop, r.lost);
        assertEquals(-Subprocess.SIGKILL, c.transport().returncode());
    }
}
