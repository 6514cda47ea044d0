package dev.pollen.net;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.ExceptionContext;
import dev.pollen.loop.Future;
import dev.pollen.loop.Task;
import dev.pollen.net.SubprocessOptions.Stdio;
import dev.pollen.spi.Poller;
import dev.pollen.spi.ProcessLayer;
import dev.pollen.spi.Registration;
import dev.pollen.spi.StreamSocket;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A child process started by {@link Net#createSubprocessExec} or
 * {@link Net#createSubprocessShell} (asyncio's {@code asyncio.subprocess.Process}): its piped
 * standard streams as a {@link StreamWriter} and {@link StreamReader}s, its exit status, and
 * signals.
 *
 * <pre>{@code
 * Subprocess p = Net.createSubprocessExec(SubprocessOptions.pipes(), "sort");
 * Subprocess.Output out = p.communicate("b\na\n".getBytes());
 * // out.stdout() is "a\nb\n", p.returncode() is 0
 * }</pre>
 *
 * <h2>Exit status</h2>
 * {@link #returncode()} is null while the child runs, then its exit code, or {@code -N} when
 * signal {@code N} killed it (asyncio's rule). {@link #waitFor()} (asyncio's {@code wait()}, a
 * name Java's {@code Object.wait} takes) returns it once the child has exited <em>and</em> its
 * pipes are closed, as asyncio 3.13 does: a child that fills its stdout pipe while nobody reads
 * it never exits, so read the pipes (or use {@link #communicate}) rather than only waiting.
 *
 * <h2>How the child is watched</h2>
 * On a poller with a process layer (see {@code docs/subprocess.md}) the pipes are non-blocking
 * and registered with the loop's poller and the exit is a readiness event: no thread. Elsewhere
 * (the {@code nio} poller, a poller without one) the JDK's {@link ProcessBuilder} starts the
 * child, one platform thread per pipe bridges the pipe to the loop and the JDK's own reaper
 * reports the exit; there the JDK reports a death by signal {@code N} as {@code 128 + N}, which
 * is turned into {@code -N} only for a signal this object sent, and {@link #sendSignal} takes
 * only {@link #SIGTERM} and {@link #SIGKILL}. {@link #watchedByLoop()} says which.
 *
 * <h2>When the loop closes first</h2>
 * Closing the loop while the child still runs kills it ({@link #SIGKILL}, what asyncio 3.13's
 * transport close does to a running child) and makes sure it is reaped: no zombie and no
 * descriptor outlives the loop. On the thread-free path a child that has not died by the time
 * the loop is closed is reaped by a short-lived daemon thread; on the JDK fallback the JDK's
 * reaper does it. Futures waiting for it stay pending, as every future of a closed loop.
 *
 * <p><b>Threading:</b> loop thread only; {@link #waitFor()} and {@link #communicate} must run
 * inside a task (they await).
 */
public final class Subprocess implements SubprocessTransport {

    /**
     * The system property that forces the JDK fallback on every poller
     * ({@code -Dpollen.subprocess=jdk}).
     */
    public static final String FALLBACK_PROPERTY = "pollen.subprocess";

    /** Signal 1, hang-up. */
    public static final int SIGHUP = 1;
    /** Signal 2, interrupt (Ctrl-C). */
    public static final int SIGINT = 2;
    /** Signal 9, kill (cannot be caught). */
    public static final int SIGKILL = 9;
    /** Signal 15, terminate (the polite request). */
    public static final int SIGTERM = 15;

    /**
     * What {@link #communicate} collected (asyncio's {@code (stdout, stderr)} tuple).
     *
     * @param stdout everything the child wrote to stdout, or null if stdout was not a pipe
     * @param stderr everything it wrote to stderr, or null if stderr was not a pipe
     */
    public record Output(byte[] stdout, byte[] stderr) {
    }

    /** The operating-system side of a child: spawning, signals and the exit report. */
    interface Child {
        long pid();

        /** Sends {@code signal} to a child that has not been reaped. */
        void signal(int signal) throws IOException;

        /** True when the loop's poller watches the pipes and the exit (no thread). */
        boolean watchedByLoop();

        /**
         * The loop is closing: stop watching the (killed) child and make sure it is reaped
         * without the loop. Never throws.
         */
        void abandon();
    }

    private final EventLoop loop;
    private final SubprocessOptions options;
    private Child child;
    private StreamWriter stdin;
    private StreamReader stdout;
    private StreamReader stderr;
    private Transport stdinTransport;
    private final Transport[] pipes = new Transport[3];
    private SubprocessProtocol user;
    private int openPipes;
    private Integer returncode;
    private int lastSignal;
    private boolean finished;
    private List<Future<Integer>> waiters;
    /** In the loop's list of resources from the start until the child is reaped. */
    private final LoopResource closer = new LoopResource() {
        @Override
        void closeWithLoop() {
            closedWithLoop();
        }
    };

    Subprocess(EventLoop loop, SubprocessOptions options) {
        this.loop = loop;
        this.options = options;
    }

    // ------------------------------------------------------------------ starting

    static Subprocess exec(SubprocessOptions options, List<String> argv) throws IOException {
        Task<?> t = Task.current();
        if (t == null) {
            throw new IllegalStateException("Net.createSubprocessExec/Shell must be called inside "
                    + "a task (from a callback use Net.subprocessExec/Shell with a protocol)");
        }
        return spawn(t.loop(), options, argv, null);
    }

    static Subprocess spawn(EventLoop loop, SubprocessOptions options, List<String> argv,
            SubprocessProtocol protocol) throws IOException {
        Objects.requireNonNull(options, "options");
        if (argv.isEmpty() || argv.get(0).isEmpty()) {
            throw new IllegalArgumentException("no program to run: the program name is empty");
        }
        for (String a : argv) {
            Objects.requireNonNull(a, "a program argument is null");
        }
        loop.checkThread("Net.createSubprocessExec");
        Subprocess p = new Subprocess(loop, options);
        p.user = protocol;
        ProcessLayer layer = processLayer(loop);
        if (layer != null) {
            p.startNative(layer, argv);
        } else {
            p.startWithJdk(argv);
        }
        if (protocol != null) {
            protocol.connectionMade(p);
        }
        return p;
    }

    /** The poller's process layer, or null for the JDK fallback. */
    private static ProcessLayer processLayer(EventLoop loop) {
        if ("jdk".equals(System.getProperty(FALLBACK_PROPERTY))) {
            return null;
        }
        try {
            return loop.poller().sockets().processes();
        } catch (UnsupportedOperationException noSockets) {
            return null;
        }
    }

    private static int code(Stdio s) {
        return switch (s) {
            case PIPE -> ProcessLayer.PIPE;
            case DEVNULL -> ProcessLayer.DEVNULL;
            case STDOUT -> ProcessLayer.STDOUT;
            case INHERIT -> ProcessLayer.INHERIT;
        };
    }

    private void startNative(ProcessLayer layer, List<String> argv) throws IOException {
        ProcessLayer.SpawnedProcess sp = layer.spawn(argv, options.directory(), options.env(),
                code(options.stdin()), code(options.stdout()), code(options.stderr()));
        NativeChild nc = new NativeChild(sp);
        child = nc;
        NetLoopState net = NetLoopState.of(loop);
        StreamSocket[] ends = {sp.stdin(), sp.stdout(), sp.stderr()};
        for (int fd = 0; fd < 3; fd++) {
            if (ends[fd] != null) {
                StreamTransport tr = new StreamTransport(loop, net, ends[fd], false,
                        NetOptions.defaults());
                tr.register();
                attachPipe(fd, tr, tr::start);
            }
        }
        nc.exitRegistration = loop.poller().register(sp.exitSource(), Poller.READ, ready -> {
            Integer code;
            try {
                code = sp.reap();
            } catch (IOException e) {
                loop.callExceptionHandler(new ExceptionContext("reaping a child failed", e,
                        this));
                code = -1;
            }
            if (code != null) {
                nc.exitRegistration.cancel();
                sp.exitSource().close();
                net.untrack(closer);
                exited(code);
            }
        });
        net.track(closer);
    }

    private void startWithJdk(List<String> argv) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv);
        if (options.directory() != null) {
            pb.directory(options.directory().toFile());
        }
        if (options.env() != null) {
            pb.environment().clear();
            pb.environment().putAll(options.env());
        }
        File devNull = new File("/dev/null");
        pb.redirectInput(switch (options.stdin()) {
            case PIPE -> ProcessBuilder.Redirect.PIPE;
            case DEVNULL -> ProcessBuilder.Redirect.from(devNull);
            default -> ProcessBuilder.Redirect.INHERIT;
        });
        pb.redirectOutput(redirectOut(options.stdout(), devNull));
        if (options.stderr() == Stdio.STDOUT) {
            pb.redirectErrorStream(true);
        } else {
            pb.redirectError(redirectOut(options.stderr(), devNull));
        }
        Process proc = pb.start(); // IOException "Cannot run program ..." names the program
        child = new JdkChild(proc);
        String base = "subprocess-" + proc.pid() + "-";
        if (options.stdin() == Stdio.PIPE) {
            ThreadPipeTransport tr = new ThreadPipeTransport(loop, null, proc.getOutputStream(),
                    base + "stdin");
            attachPipe(0, tr, tr::start);
        } else {
            closeQuietly(proc.getOutputStream());
        }
        if (options.stdout() == Stdio.PIPE) {
            ThreadPipeTransport tr = new ThreadPipeTransport(loop, proc.getInputStream(), null,
                    base + "stdout");
            attachPipe(1, tr, tr::start);
        }
        if (options.stderr() == Stdio.PIPE) {
            ThreadPipeTransport tr = new ThreadPipeTransport(loop, proc.getErrorStream(), null,
                    base + "stderr");
            attachPipe(2, tr, tr::start);
        }
        NetLoopState net = NetLoopState.of(loop);
        net.track(closer);
        proc.onExit().whenComplete((done, error) -> {
            int code = error == null ? done.exitValue() : -1;
            try {
                loop.callSoonThreadsafe(() -> {
                    if (stdinTransport instanceof ThreadPipeTransport tr) {
                        tr.childExited();
                    }
                    net.untrack(closer);
                    exited(jdkExitCode(code));
                });
            } catch (IllegalStateException closedLoop) {
                // nobody is left to tell
            }
        });
    }

    private static ProcessBuilder.Redirect redirectOut(Stdio s, File devNull) {
        return switch (s) {
            case PIPE -> ProcessBuilder.Redirect.PIPE;
            case DEVNULL -> ProcessBuilder.Redirect.to(devNull);
            default -> ProcessBuilder.Redirect.INHERIT;
        };
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing was written to it
        }
    }

    /** The JDK reports a death by signal N as 128 + N: undo that for a signal we sent. */
    private int jdkExitCode(int code) {
        return lastSignal != 0 && code == 128 + lastSignal ? -lastSignal : code;
    }

    /**
     * Attaches pipe {@code fd} (0, 1, 2): to a stream protocol feeding {@link #stdin()},
     * {@link #stdout()} or {@link #stderr()}, or, at the protocol level, to a forwarder to the
     * user's {@link SubprocessProtocol}; the subprocess hears when the pipe closes.
     *
     * @param fd        the child's descriptor
     * @param transport the pipe end's transport
     * @param starter   attaches a protocol to it and calls {@code connectionMade}
     */
    private void attachPipe(int fd, Transport transport, Consumer<Protocol> starter) {
        openPipes++;
        if (fd == 0) {
            stdinTransport = transport;
        }
        pipes[fd] = fd == 0 ? new StdinTransport(transport) : transport;
        if (user != null) {
            starter.accept(new ForwardingPipe(fd));
            return;
        }
        StreamReader reader = fd == 0 ? new StreamReader(loop)
                : new StreamReader(loop, options.limit());
        StreamProtocol sp = new StreamProtocol(loop, reader, null);
        starter.accept(new PipeProtocol(sp, fd == 0));
        if (fd == 0) {
            stdin = sp.writer();
        } else if (fd == 1) {
            stdout = reader;
        } else {
            stderr = reader;
        }
    }

    /** A pipe of a protocol-level subprocess: its events go to the user's protocol. */
    private final class ForwardingPipe implements Protocol {
        private final int fd;

        ForwardingPipe(int fd) {
            this.fd = fd;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            user.pipeDataReceived(fd, data);
        }

        @Override
        public boolean eofReceived() {
            return false; // a pipe's end is its close
        }

        @Override
        public void connectionLost(Throwable cause) {
            try {
                user.pipeConnectionLost(fd, cause);
            } finally {
                pipeClosed();
            }
        }
    }

    /** A {@link StreamProtocol} that also tells the subprocess when its pipe is closed. */
    private final class PipeProtocol implements Protocol {
        private final StreamProtocol inner;
        private final boolean isStdin;

        PipeProtocol(StreamProtocol inner, boolean isStdin) {
            this.inner = inner;
            this.isStdin = isStdin;
        }

        @Override
        public void connectionMade(Transport t) {
            inner.connectionMade(isStdin ? new StdinTransport(t) : t);
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            inner.dataReceived(data);
        }

        @Override
        public boolean eofReceived() {
            inner.eofReceived();
            return false;
        }

        @Override
        public void connectionLost(Throwable cause) {
            inner.connectionLost(cause);
            pipeClosed();
        }

        @Override
        public void pauseWriting() {
            inner.pauseWriting();
        }

        @Override
        public void resumeWriting() {
            inner.resumeWriting();
        }
    }

    // ------------------------------------------------------------------ the end

    /**
     * The loop is closing with the child not yet reaped: kill it if it may still run (asyncio
     * 3.13's transport close does that to a running child), then let the child's side make sure
     * it is reaped. The pipes are closed by their own transports.
     */
    private void closedWithLoop() {
        if (returncode == null) {
            lastSignal = SIGKILL;
            try {
                child.signal(SIGKILL);
            } catch (IOException | RuntimeException e) {
                // it exited meanwhile (a zombie takes the signal; a reaped child is not signalled)
            }
        }
        child.abandon();
    }

    /** Called on the loop thread when the child has been reaped. */
    void exited(int code) {
        if (returncode != null) {
            return;
        }
        returncode = code;
        if (user != null) {
            try {
                user.processExited();
            } catch (RuntimeException e) {
                loop.callExceptionHandler(new ExceptionContext(
                        "SubprocessProtocol.processExited failed", e, this));
            }
        }
        tryFinish();
    }

    private void pipeClosed() {
        openPipes--;
        tryFinish();
    }

    private void tryFinish() {
        if (finished || returncode == null || openPipes > 0) {
            return;
        }
        finished = true;
        if (user != null) {
            try {
                user.connectionLost(null);
            } catch (RuntimeException e) {
                loop.callExceptionHandler(new ExceptionContext(
                        "SubprocessProtocol.connectionLost failed", e, this));
            }
        }
        List<Future<Integer>> w = waiters;
        waiters = null;
        if (w != null) {
            for (Future<Integer> f : w) {
                if (!f.isDone()) {
                    f.setResult(returncode);
                }
            }
        }
    }

    // ------------------------------------------------------------------ the user's view

    /**
     * The child's process id.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the pid
     */
    @Override
    public long pid() {
        return child.pid();
    }

    /**
     * The writer of the child's stdin, or null unless stdin is {@link Stdio#PIPE}. Closing it
     * (or {@code writeEof()}) gives the child end-of-file.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the writer or null
     */
    public StreamWriter stdin() {
        return stdin;
    }

    /**
     * The reader of the child's stdout, or null unless stdout is {@link Stdio#PIPE}.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the reader or null
     */
    public StreamReader stdout() {
        return stdout;
    }

    /**
     * The reader of the child's stderr, or null unless stderr is {@link Stdio#PIPE}.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the reader or null
     */
    public StreamReader stderr() {
        return stderr;
    }

    /**
     * The exit status: null while the child runs, its exit code once it has exited, {@code -N}
     * if signal {@code N} ended it.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the status or null
     */
    @Override
    public Integer returncode() {
        return returncode;
    }

    /**
     * Whether the loop's poller watches this child's pipes and exit without any thread (else the
     * JDK fallback with a thread per pipe, see the class comment).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return true on the thread-free path
     */
    public boolean watchedByLoop() {
        return child.watchedByLoop();
    }

    /**
     * Waits until the child has exited and its pipes are closed, and returns
     * {@link #returncode()} (asyncio's {@code wait()}). Returns at once when that is already so.
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @return the exit status
     */
    public int waitFor() {
        loop.checkThread("Subprocess.waitFor");
        if (finished) {
            return returncode;
        }
        Future<Integer> f = loop.createFuture();
        if (waiters == null) {
            waiters = new ArrayList<>(1);
        }
        waiters.add(f);
        return f.await();
    }

    /**
     * Writes {@code input} to stdin and closes it, reads stdout and stderr to their end, all
     * concurrently, then waits for the child (asyncio's {@code communicate}). A child that exits
     * without reading its input is no error (the broken pipe is ignored, as asyncio does); nor
     * is a stdin the caller already closed (the input is then dropped).
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @param input bytes for stdin, or null for none (stdin is still closed)
     * @return what the child wrote to its piped stdout and stderr
     * @throws IOException if reading stdout or stderr failed
     * @throws IllegalStateException if {@code input} is given but stdin is not a pipe
     */
    public Output communicate(byte[] input) throws IOException {
        loop.checkThread("Subprocess.communicate");
        if (input != null && stdin == null) {
            throw new IllegalStateException("communicate(input): stdin is not a pipe (start the "
                    + "child with stdin Stdio.PIPE)");
        }
        Task<Void> feed = stdin == null ? null : loop.createTask("subprocess-stdin", () -> {
            feedStdin(input);
            return null;
        });
        Task<byte[]> out = readAll(stdout, "subprocess-stdout");
        Task<byte[]> err = readAll(stderr, "subprocess-stderr");
        if (feed != null) {
            feed.await();
        }
        byte[] o = out == null ? null : Streams.awaitIo(out);
        byte[] e = err == null ? null : Streams.awaitIo(err);
        waitFor();
        return new Output(o, e);
    }

    private void feedStdin(byte[] input) {
        try {
            if (input != null && !stdinTransport.isClosing()) {
                stdin.write(input);
            }
            stdin.drain();
        } catch (IOException brokenPipe) {
            // the child did not read it all: asyncio's communicate ignores this too
        }
        stdin.close();
    }

    private Task<byte[]> readAll(StreamReader r, String name) {
        if (r == null) {
            return null;
        }
        return loop.createTask(name, () -> r.read(-1));
    }

    /**
     * Sends a signal to the child (asyncio's {@code send_signal}). Does nothing once the child
     * has exited, and throws once {@link #waitFor()} could return (asyncio 3.13 raises
     * {@code ProcessLookupError} then). On the JDK fallback only {@link #SIGTERM} and
     * {@link #SIGKILL} can be sent.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param signal the signal number, e.g. {@link #SIGTERM}
     * @throws IOException if the kernel refused it
     * @throws IllegalStateException once the child has exited and its pipes are closed
     * @throws UnsupportedOperationException for another signal on the JDK fallback
     */
    @Override
    public void sendSignal(int signal) throws IOException {
        loop.checkThread("Subprocess.sendSignal");
        if (finished) {
            throw new IllegalStateException("Subprocess.sendSignal: process " + child.pid()
                    + " has exited (returncode " + returncode + ") and been waited for");
        }
        if (returncode != null) {
            return;
        }
        lastSignal = signal;
        child.signal(signal);
    }

    /**
     * Sends {@link #SIGTERM} (asyncio's {@code terminate}).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @throws IOException if the kernel refused it
     * @throws IllegalStateException once the child has exited and its pipes are closed
     */
    @Override
    public void terminate() throws IOException {
        sendSignal(SIGTERM);
    }

    /**
     * Sends {@link #SIGKILL} (asyncio's {@code kill}).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @throws IOException if the kernel refused it
     * @throws IllegalStateException once the child has exited and its pipes are closed
     */
    @Override
    public void kill() throws IOException {
        sendSignal(SIGKILL);
    }

    /**
     * The transport of pipe {@code fd} (0 stdin, 1 stdout, 2 stderr), or null if it is not a pipe
     * (asyncio's {@code get_pipe_transport}). Writing to the stdin transport feeds the child;
     * its {@code writeEof()} closes it.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param fd 0, 1 or 2
     * @return the transport or null
     */
    @Override
    public Transport pipeTransport(int fd) {
        if (fd < 0 || fd > 2) {
            throw new IllegalArgumentException("fd must be 0, 1 or 2, got " + fd);
        }
        return pipes[fd];
    }

    /**
     * Closes the pipes and kills the child if it still runs (asyncio's
     * {@code SubprocessTransport.close}).
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public void close() {
        loop.checkThread("Subprocess.close");
        for (Transport t : pipes) {
            if (t != null && !t.isClosing()) {
                t.close();
            }
        }
        if (returncode == null) {
            lastSignal = SIGKILL;
            try {
                child.signal(SIGKILL);
            } catch (IOException | RuntimeException e) {
                // it exited meanwhile
            }
        }
    }

    @Override
    public String toString() {
        return "Subprocess[pid " + (child == null ? "?" : child.pid())
                + (returncode == null ? ", running" : ", returncode " + returncode) + "]";
    }

    /** The thread-free path: a process layer's child. */
    private static final class NativeChild implements Child {
        private final ProcessLayer.SpawnedProcess sp;
        /** The exit source's registration with the loop's poller. */
        Registration exitRegistration;

        NativeChild(ProcessLayer.SpawnedProcess sp) {
            this.sp = sp;
        }

        @Override
        public long pid() {
            return sp.pid();
        }

        @Override
        public void signal(int signal) throws IOException {
            sp.signal(signal);
        }

        @Override
        public boolean watchedByLoop() {
            return true;
        }

        @Override
        public void abandon() {
            try {
                if (exitRegistration != null) {
                    exitRegistration.cancel();
                }
            } catch (RuntimeException e) {
                // the poller is gone already: its registrations went with it
            }
            sp.abandon();
        }
    }

    /** The fallback: the JDK's process, its streams and its reaper. */
    private record JdkChild(Process proc) implements Child {
        @Override
        public long pid() {
            return proc.pid();
        }

        @Override
        public void signal(int signal) {
            switch (signal) {
                case SIGTERM -> proc.destroy();
                case SIGKILL -> proc.destroyForcibly();
                default -> throw new UnsupportedOperationException("signal " + signal + ": the "
                        + "JDK fallback (" + "no process layer on this poller) can send only "
                        + "SIGTERM and SIGKILL");
            }
        }

        @Override
        public boolean watchedByLoop() {
            return false;
        }

        @Override
        public void abandon() {
            // the JDK's reaper thread reaps it once the kill (closedWithLoop) has ended it
        }
    }
}
