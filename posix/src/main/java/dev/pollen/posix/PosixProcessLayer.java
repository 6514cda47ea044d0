package dev.pollen.posix;

import dev.pollen.spi.IoSource;
import dev.pollen.spi.ProcessLayer;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts children with {@code posix_spawnp} (glibc's is a {@code clone(CLONE_VM|CLONE_VFORK)}:
 * no fork of the JVM's address space) and watches them without a thread: the parent's pipe ends
 * are non-blocking {@link PipeEnd}s (made with {@code pipe2(O_CLOEXEC)}), the exit is a source
 * that turns readable when the child exits, then {@code waitpid(WNOHANG)} reaps it. The exit
 * source is a {@code pidfd} ({@code pidfd_open}, Linux 5.3+, glibc 2.36+) unless the poller
 * brings its own {@link ExitWatch} (kqueue's {@code EVFILT_PROC}). {@link #open} returns null
 * where a call is missing, and the core uses its JDK fallback.
 *
 * <p>On macOS, which has neither {@code pipe2} nor {@code addclosefrom_np} (nor pidfds: only
 * {@link #open(PosixSocketLayer, ExitWatch)} works there), the pipes are {@code pipe} plus
 * {@code FD_CLOEXEC} (a moment in which another thread's fork could inherit them, as with the
 * JDK's own pipes there), and the child closes every other descriptor through Apple's
 * {@code POSIX_SPAWN_CLOEXEC_DEFAULT}, keeping inherited streams with {@code addinherit_np}.
 * FreeBSD (13.1+) spawns as Linux does, with its own flag and {@code O_CLOEXEC} values. Neither
 * is tested here (docs/subprocess.md).
 *
 * <p>A child whose loop closes before it is reaped is {@linkplain SpawnedProcess#abandon()
 * abandoned}: reaped at once if it has exited, else by a daemon thread blocked in
 * {@code waitpid} until it does (the core kills it first, so that thread lives a moment).
 *
 * <p>In the child: the three streams as asked, every other descriptor closed
 * ({@code posix_spawn_file_actions_addclosefrom_np(3)}), an empty signal mask and
 * {@code SIGPIPE}/{@code SIGXFSZ} back to their defaults (what CPython's {@code subprocess}
 * does with {@code restore_signals}).
 *
 * <p><b>Threading:</b> the owning loop's thread.
 */
public final class PosixProcessLayer implements ProcessLayer {

    private static final int O_RDONLY = 0;
    private static final int O_WRONLY = 1;
    private static final int WNOHANG = 1;
    private static final int SIGPIPE = 13;
    private static final int SIGXFSZ = 25;
    /** Generous sizes for glibc's opaque structs (80, 336 and 128 bytes on x86_64/aarch64). */
    private static final int FILE_ACTIONS_SIZE = 512;
    private static final int ATTR_SIZE = 1024;
    private static final int SIGSET_SIZE = 256;

    /** The bound calls, or why they cannot be had (a String). */
    private static final Object CALLS = load();
    /** Why pidfds cannot watch children here, or null when they can. */
    private static final String PIDFD_PROBLEM = probePidfd();

    private final PosixSocketLayer layer;
    private final ProcessCalls calls;
    private final ExitWatch exitWatch;

    /**
     * How a child's exit is watched: a poller that can watch a process by its pid (kqueue's
     * {@code EVFILT_PROC}) passes one to {@link #open(PosixSocketLayer, ExitWatch)}.
     *
     * <p><b>Threading:</b> the owning loop's thread.
     */
    @FunctionalInterface
    public interface ExitWatch {

        /**
         * Starts watching a child that has just been spawned (and is not reaped before the
         * watch is closed).
         *
         * @param pid the child
         * @return a source of the layer's poller that is readable once the child has exited;
         *         closing it ends the watch
         * @throws IOException if the watch cannot be set up
         */
        FdSource watch(int pid) throws IOException;
    }

    /**
     * An exit source that knows when the kernel has told the child's exit. Some kqueue kernels
     * report {@code NOTE_EXIT} a moment before {@code waitpid(WNOHANG)} can collect the child
     * (libuv met it on FreeBSD, OpenBSD and macOS), so once the exit has been told the layer
     * reaps with a blocking {@code waitpid}, which returns as soon as the exit is complete.
     *
     * <p><b>Threading:</b> the owning loop's thread.
     */
    public interface ExitReport {

        /**
         * Whether the kernel has reported the child's exit (not merely a readiness to look).
         *
         * @return true once the exit was told
         */
        boolean exitReported();
    }

    private PosixProcessLayer(PosixSocketLayer layer, ProcessCalls calls, ExitWatch exitWatch) {
        this.layer = layer;
        this.calls = calls;
        this.exitWatch = exitWatch != null ? exitWatch : this::pidfd;
    }

    /** The OS-dependent facts of spawning. */
    private record Flavor(OsConstants.Os os, int oCloexec, int setSigDef, int setSigMask,
            int cloexecDefault) {

        /** macOS: no pipe2 and no closefrom action, but a flag that closes the rest. */
        boolean darwin() {
            return os == OsConstants.Os.DARWIN;
        }

        static Flavor of(OsConstants.Os os) {
            return switch (os) {
                // glibc's spawn.h and fcntl.h
                case LINUX -> new Flavor(os, 0x80000, 0x04, 0x08, 0);
                // Apple's spawn.h: POSIX_SPAWN_CLOEXEC_DEFAULT is 0x4000; O_CLOEXEC unused
                case DARWIN -> new Flavor(os, 0, 0x04, 0x08, 0x4000);
                // FreeBSD's spawn.h (SETSIGDEF 0x10, SETSIGMASK 0x20) and fcntl.h
                case FREEBSD -> new Flavor(os, 0x100000, 0x10, 0x20, 0);
            };
        }
    }

    private static final Flavor FLAVOR = Flavor.of(OsConstants.current().os);

    private static Object load() {
        OsConstants.Os os = OsConstants.current().os;
        try {
            return NativeBinding.load(
                    () -> (ProcessCalls) Class.forName("dev.pollen.posix.FfmProcessCalls")
                            .getDeclaredConstructor(OsConstants.Os.class).newInstance(os),
                    () -> new JnaProcessCalls(os));
        } catch (RuntimeException | LinkageError e) {
            return "the C library lacks a call: " + e;
        }
    }

    private static String probePidfd() {
        if (!(CALLS instanceof ProcessCalls c)) {
            return (String) CALLS;
        }
        if (OsConstants.current().os != OsConstants.Os.LINUX) {
            return "pidfds are Linux's (use the poller's own exit watch, kqueue's EVFILT_PROC)";
        }
        try {
            int fd = c.pidfd_open((int) ProcessHandle.current().pid(), 0);
            if (fd < 0) {
                return "pidfd_open failed: " + OsConstants.current().errno.describe(LibC.errno());
            }
            LibC.close(fd);
            return null;
        } catch (RuntimeException | LinkageError e) {
            return "the C library has no pidfd_open (glibc 2.36+): " + e;
        }
    }

    /**
     * The process layer for {@code layer}'s poller, watching exits with pidfds, or null where
     * children cannot be watched so (see {@link #unavailableReason()}).
     *
     * @param layer the socket layer whose poller registers the pipes and pidfds
     * @return the layer or null
     */
    public static PosixProcessLayer open(PosixSocketLayer layer) {
        return PIDFD_PROBLEM == null ? new PosixProcessLayer(layer, (ProcessCalls) CALLS, null)
                : null;
    }

    /**
     * The process layer for {@code layer}'s poller, watching exits with {@code watch}, or null
     * where children cannot be spawned so (see {@link #spawnUnavailableReason()}).
     *
     * @param layer the socket layer whose poller registers the pipes and the exit sources
     * @param watch makes each child's exit source
     * @return the layer or null
     */
    public static PosixProcessLayer open(PosixSocketLayer layer, ExitWatch watch) {
        java.util.Objects.requireNonNull(watch, "watch");
        return CALLS instanceof ProcessCalls c ? new PosixProcessLayer(layer, c, watch) : null;
    }

    /**
     * Why {@link #open(PosixSocketLayer)} returns null here, or null when it does not.
     *
     * @return the reason or null
     */
    public static String unavailableReason() {
        return PIDFD_PROBLEM;
    }

    /**
     * Why {@link #open(PosixSocketLayer, ExitWatch)} returns null here, or null when it does not.
     *
     * @return the reason or null
     */
    public static String spawnUnavailableReason() {
        return CALLS instanceof String s ? s : null;
    }

    /** The default exit watch: a pidfd, readable once the child has exited. */
    private FdSource pidfd(int pid) throws IOException {
        int fd = calls.pidfd_open(pid, 0);
        if (fd < 0) {
            throw PosixErrors.error(layer.os(), "pidfd_open", LibC.errno());
        }
        return new PidFd(layer, fd);
    }

    @Override
    public SpawnedProcess spawn(List<String> argv, Path directory, Map<String, String> env,
            int stdin, int stdout, int stderr) throws IOException {
        OsConstants os = layer.os();
        int[] parent = {-1, -1, -1};
        int[] child = {-1, -1, -1};
        List<long[]> allocations = new ArrayList<>();
        long fa = 0;
        long attr = 0;
        boolean ok = false;
        try {
            int[] modes = {stdin, stdout, stderr};
            long fds = alloc(allocations, 8);
            for (int i = 0; i < 3; i++) {
                if (modes[i] != PIPE) {
                    continue;
                }
                if (FLAVOR.darwin()) {
                    if (calls.pipe(fds) != 0) {
                        throw PosixErrors.error(os, "pipe", LibC.errno());
                    }
                } else if (calls.pipe2(fds, FLAVOR.oCloexec()) != 0) {
                    throw PosixErrors.error(os, "pipe2", LibC.errno());
                }
                ByteBuffer v = NativeMemory.view(fds, 8);
                int r = v.getInt(0);
                int w = v.getInt(4);
                parent[i] = i == 0 ? w : r;
                child[i] = i == 0 ? r : w;
                if (FLAVOR.darwin() && (Fcntl.fcntl(r, os.F_SETFD, os.FD_CLOEXEC) < 0
                        || Fcntl.fcntl(w, os.F_SETFD, os.FD_CLOEXEC) < 0)) {
                    throw PosixErrors.error(os, "fcntl(FD_CLOEXEC)", LibC.errno());
                }
                int fl = Fcntl.fcntl(parent[i], os.F_GETFL, 0);
                if (fl < 0 || Fcntl.fcntl(parent[i], os.F_SETFL, fl | os.O_NONBLOCK) < 0) {
                    throw PosixErrors.error(os, "fcntl(O_NONBLOCK)", LibC.errno());
                }
            }
            fa = alloc(allocations, FILE_ACTIONS_SIZE);
            check(calls.posix_spawn_file_actions_init(fa), "posix_spawn_file_actions_init");
            long devNull = cString(allocations, "/dev/null");
            for (int i = 0; i < 3; i++) {
                switch (modes[i]) {
                    case PIPE -> check(calls.posix_spawn_file_actions_adddup2(fa, child[i], i),
                            "posix_spawn_file_actions_adddup2");
                    case DEVNULL -> check(calls.posix_spawn_file_actions_addopen(fa, i, devNull,
                            i == 0 ? O_RDONLY : O_WRONLY, 0), "posix_spawn_file_actions_addopen");
                    case STDOUT -> check(calls.posix_spawn_file_actions_adddup2(fa, 1, 2),
                            "posix_spawn_file_actions_adddup2");
                    default -> {
                        // inherited; macOS's CLOEXEC_DEFAULT would close it unless told
                        if (FLAVOR.darwin()) {
                            check(calls.posix_spawn_file_actions_addinherit_np(fa, i),
                                    "posix_spawn_file_actions_addinherit_np");
                        }
                    }
                }
            }
            if (directory != null) {
                check(calls.posix_spawn_file_actions_addchdir_np(fa,
                        cString(allocations, directory.toString())),
                        "posix_spawn_file_actions_addchdir_np");
            }
            if (!FLAVOR.darwin()) {
                check(calls.posix_spawn_file_actions_addclosefrom_np(fa, 3),
                        "posix_spawn_file_actions_addclosefrom_np");
            }
            attr = alloc(allocations, ATTR_SIZE);
            check(calls.posix_spawnattr_init(attr), "posix_spawnattr_init");
            long sigs = alloc(allocations, SIGSET_SIZE);
            calls.sigemptyset(sigs);
            check(calls.posix_spawnattr_setsigmask(attr, sigs), "posix_spawnattr_setsigmask");
            calls.sigaddset(sigs, SIGPIPE);
            calls.sigaddset(sigs, SIGXFSZ);
            check(calls.posix_spawnattr_setsigdefault(attr, sigs), "posix_spawnattr_setsigdefault");
            check(calls.posix_spawnattr_setflags(attr, FLAVOR.setSigDef() | FLAVOR.setSigMask()
                    | FLAVOR.cloexecDefault()), "posix_spawnattr_setflags");
            long argvArray = cStrings(allocations, argv);
            List<String> envList = new ArrayList<>();
            for (Map.Entry<String, String> e : (env != null ? env : System.getenv()).entrySet()) {
                envList.add(e.getKey() + "=" + e.getValue());
            }
            long envArray = cStrings(allocations, envList);
            long pidPtr = alloc(allocations, 8);
            int rc = calls.posix_spawnp(pidPtr, NativeMemory.view(argvArray, 8).getLong(0), fa,
                    attr, argvArray, envArray);
            if (rc != 0) {
                throw new IOException("Cannot run program \"" + argv.get(0) + "\""
                        + (directory == null ? "" : " (in directory \"" + directory + "\")")
                        + ": " + os.errno.describe(rc));
            }
            int pid = NativeMemory.view(pidPtr, 8).getInt(0);
            FdSource exit;
            try {
                exit = exitWatch.watch(pid);
            } catch (IOException | RuntimeException e) {
                calls.kill(pid, 9);
                calls.waitpid(pid, 0, 0);
                throw e;
            }
            String base = "pid " + pid + " ";
            Spawned s = new Spawned(pid, exit,
                    parent[0] < 0 ? null : new PipeEnd(layer, parent[0], true, base + "stdin"),
                    parent[1] < 0 ? null : new PipeEnd(layer, parent[1], false, base + "stdout"),
                    parent[2] < 0 ? null : new PipeEnd(layer, parent[2], false, base + "stderr"));
            ok = true;
            return s;
        } finally {
            for (int fd : child) {
                if (fd >= 0) {
                    LibC.close(fd);
                }
            }
            if (!ok) {
                for (int fd : parent) {
                    if (fd >= 0) {
                        LibC.close(fd);
                    }
                }
            }
            if (fa != 0) {
                calls.posix_spawn_file_actions_destroy(fa);
            }
            if (attr != 0) {
                calls.posix_spawnattr_destroy(attr);
            }
            for (long[] a : allocations) {
                NativeMemory.free(a[0], a[1]);
            }
        }
    }

    private void check(int rc, String call) throws IOException {
        if (rc != 0) {
            throw PosixErrors.error(layer.os(), call, rc);
        }
    }

    private static long alloc(List<long[]> allocations, long bytes) {
        long a = NativeMemory.allocate(bytes);
        allocations.add(new long[] {a, bytes});
        return a;
    }

    private static long cString(List<long[]> allocations, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        for (byte x : b) {
            if (x == 0) {
                throw new IllegalArgumentException("a program argument, path or environment "
                        + "entry contains a NUL character: " + s.replace("\0", "\\0"));
            }
        }
        long a = alloc(allocations, b.length + 1L);
        NativeMemory.view(a, b.length + 1).put(0, b);
        return a;
    }

    private static long cStrings(List<long[]> allocations, List<String> strings) {
        long array = alloc(allocations, 8L * (strings.size() + 1));
        ByteBuffer v = NativeMemory.view(array, 8 * (strings.size() + 1));
        for (int i = 0; i < strings.size(); i++) {
            v.putLong(8 * i, cString(allocations, strings.get(i)));
        }
        return array;
    }

    /** The exit watch: readable once the child has exited. */
    private static final class PidFd extends FdSource {
        PidFd(PosixSocketLayer layer, int fd) {
            super(layer, fd);
        }
    }

    private final class Spawned implements SpawnedProcess {
        private final int pid;
        private final FdSource exit;
        private final PipeEnd in;
        private final PipeEnd out;
        private final PipeEnd err;
        private boolean reaped;

        Spawned(int pid, FdSource exit, PipeEnd in, PipeEnd out, PipeEnd err) {
            this.pid = pid;
            this.exit = exit;
            this.in = in;
            this.out = out;
            this.err = err;
        }

        @Override
        public long pid() {
            return pid;
        }

        @Override
        public StreamSocket stdin() {
            return in;
        }

        @Override
        public StreamSocket stdout() {
            return out;
        }

        @Override
        public StreamSocket stderr() {
            return err;
        }

        @Override
        public IoSource exitSource() {
            return exit;
        }

        @Override
        public Integer reap() throws IOException {
            // Told the exit by the kernel: wait for it to be complete (see ExitReport).
            int options = exit instanceof ExitReport told && told.exitReported() ? 0 : WNOHANG;
            long status = NativeMemory.allocate(8);
            try {
                while (true) {
                    int r = calls.waitpid(pid, status, options);
                    if (r == 0) {
                        return null;
                    }
                    if (r == pid) {
                        reaped = true;
                        int st = NativeMemory.view(status, 8).getInt(0);
                        int sig = st & 0x7f;
                        return sig == 0 ? (st >> 8) & 0xff : -sig;
                    }
                    int e = LibC.errno();
                    if (e != layer.os().EINTR) {
                        throw PosixErrors.error(layer.os(), "waitpid(" + pid + ")", e);
                    }
                }
            } finally {
                NativeMemory.free(status, 8);
            }
        }

        @Override
        public void abandon() {
            exit.close();
            if (reaped) {
                return;
            }
            try {
                if (reap() != null) {
                    return;
                }
            } catch (IOException | RuntimeException e) {
                return; // ECHILD: somebody else reaped it; nothing is left to collect
            }
            reaped = true; // from now on it is the reaper's: never signal the pid again
            Thread.ofPlatform().daemon().name("pollen-reaper-" + pid).start(() -> {
                while (calls.waitpid(pid, 0, 0) < 0 && LibC.errno() == layer.os().EINTR) {
                    // a signal interrupted the wait: wait again
                }
            });
        }

        @Override
        public void signal(int signal) throws IOException {
            if (reaped) {
                return; // the pid may belong to somebody else by now
            }
            if (calls.kill(pid, signal) != 0) {
                throw PosixErrors.error(layer.os(), "kill(" + pid + ", " + signal + ")",
                        LibC.errno());
            }
        }
    }
}
