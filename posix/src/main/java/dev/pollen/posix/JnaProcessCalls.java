package dev.pollen.posix;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * {@link ProcessCalls} through JNA direct mapping, in groups (a direct-mapped class fails to
 * load as a whole when one of its functions is missing): the portable calls, Linux's and
 * FreeBSD's {@code pipe2}/{@code addclosefrom_np}, Linux's {@code pidfd_open}, macOS's
 * {@code addinherit_np}. Making one loads the portable group and the group of {@code os}, and
 * fails where the C library lacks one of them (glibc before 2.34, say): the process layer is then
 * unavailable. {@code pidfd_open} is loaded on its first call (glibc 2.36+).
 *
 * <p><b>Threading:</b> any thread.
 */
final class JnaProcessCalls implements ProcessCalls {

    JnaProcessCalls(OsConstants.Os os) {
        N.load();
        if (os == OsConstants.Os.DARWIN) {
            NDarwin.load();
        } else {
            NCloseFrom.load();
        }
    }

    @Override
    public int pipe2(long fds, int flags) {
        return NCloseFrom.pipe2(fds, flags);
    }

    @Override
    public int pipe(long fds) {
        return N.pipe(fds);
    }

    @Override
    public int posix_spawn_file_actions_addinherit_np(long fa, int fd) {
        return NDarwin.posix_spawn_file_actions_addinherit_np(fa, fd);
    }

    @Override
    public int pidfd_open(int pid, int flags) {
        return NPidfd.pidfd_open(pid, flags);
    }

    @Override
    public int waitpid(int pid, long status, int options) {
        return N.waitpid(pid, status, options);
    }

    @Override
    public int kill(int pid, int sig) {
        return N.kill(pid, sig);
    }

    @Override
    public int posix_spawnp(long pid, long file, long fileActions, long attr, long argv, long envp) {
        return N.posix_spawnp(pid, file, fileActions, attr, argv, envp);
    }

    @Override
    public int posix_spawn_file_actions_init(long fa) {
        return N.posix_spawn_file_actions_init(fa);
    }

    @Override
    public int posix_spawn_file_actions_destroy(long fa) {
        return N.posix_spawn_file_actions_destroy(fa);
    }

    @Override
    public int posix_spawn_file_actions_adddup2(long fa, int fd, int newfd) {
        return N.posix_spawn_file_actions_adddup2(fa, fd, newfd);
    }

    @Override
    public int posix_spawn_file_actions_addopen(long fa, int fd, long path, int oflag, int mode) {
        return N.posix_spawn_file_actions_addopen(fa, fd, path, oflag, mode);
    }

    @Override
    public int posix_spawn_file_actions_addchdir_np(long fa, long path) {
        return N.posix_spawn_file_actions_addchdir_np(fa, path);
    }

    @Override
    public int posix_spawn_file_actions_addclosefrom_np(long fa, int from) {
        return NCloseFrom.posix_spawn_file_actions_addclosefrom_np(fa, from);
    }

    @Override
    public int posix_spawnattr_init(long attr) {
        return N.posix_spawnattr_init(attr);
    }

    @Override
    public int posix_spawnattr_destroy(long attr) {
        return N.posix_spawnattr_destroy(attr);
    }

    @Override
    public int posix_spawnattr_setflags(long attr, int flags) {
        return N.posix_spawnattr_setflags(attr, flags);
    }

    @Override
    public int posix_spawnattr_setsigmask(long attr, long set) {
        return N.posix_spawnattr_setsigmask(attr, set);
    }

    @Override
    public int posix_spawnattr_setsigdefault(long attr, long set) {
        return N.posix_spawnattr_setsigdefault(attr, set);
    }

    @Override
    public int sigemptyset(long set) {
        return N.sigemptyset(set);
    }

    @Override
    public int sigaddset(long set, int sig) {
        return N.sigaddset(set, sig);
    }

    static final class N {
        static {
            Native.register(N.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        }

        private N() {
        }

        static void load() {
            // the static initializer did the work
        }

        static native int pipe(long fds);

        static native int waitpid(int pid, long status, int options);

        static native int kill(int pid, int sig);

        static native int posix_spawnp(long pid, long file, long fileActions, long attr, long argv, long envp);

        static native int posix_spawn_file_actions_init(long fa);

        static native int posix_spawn_file_actions_destroy(long fa);

        static native int posix_spawn_file_actions_adddup2(long fa, int fd, int newfd);

        static native int posix_spawn_file_actions_addopen(long fa, int fd, long path, int oflag, int mode);

        static native int posix_spawn_file_actions_addchdir_np(long fa, long path);

        static native int posix_spawnattr_init(long attr);

        static native int posix_spawnattr_destroy(long attr);

        static native int posix_spawnattr_setflags(long attr, int flags);

        static native int posix_spawnattr_setsigmask(long attr, long set);

        static native int posix_spawnattr_setsigdefault(long attr, long set);

        static native int sigemptyset(long set);

        static native int sigaddset(long set, int sig);
    }

    /** Linux (glibc 2.34+) and FreeBSD (13.1+). */
    static final class NCloseFrom {
        static {
            Native.register(NCloseFrom.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        }

        private NCloseFrom() {
        }

        static void load() {
            // the static initializer did the work
        }

        static native int pipe2(long fds, int flags);

        static native int posix_spawn_file_actions_addclosefrom_np(long fa, int from);
    }

    /** Linux, glibc 2.36+. */
    static final class NPidfd {
        static {
            Native.register(NPidfd.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        }

        private NPidfd() {
        }

        static native int pidfd_open(int pid, int flags);
    }

    /** macOS. */
    static final class NDarwin {
        static {
            Native.register(NDarwin.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        }

        private NDarwin() {
        }

        static void load() {
            // the static initializer did the work
        }

        static native int posix_spawn_file_actions_addinherit_np(long fa, int fd);
    }
}
