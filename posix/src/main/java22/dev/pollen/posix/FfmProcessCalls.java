package dev.pollen.posix;

import java.lang.invoke.MethodHandle;
import java.util.Map;

/**
 * {@link ProcessCalls} through {@code java.lang.foreign} downcalls built from the interface
 * by {@link FfmDowncalls}. Making one fails where the C library lacks one of the portable
 * functions or of those {@code os} needs (as {@link JnaProcessCalls}); calling another missing
 * one throws {@link UnsupportedOperationException}.
 *
 * <p><b>Threading:</b> any thread.
 */
final class FfmProcessCalls implements ProcessCalls {

    private static final Map<String, MethodHandle> H = FfmDowncalls.bind(ProcessCalls.class);
    private static final MethodHandle PIPE2 = H.get("pipe2");
    private static final MethodHandle PIPE = FfmDowncalls.require(H, "pipe");
    private static final MethodHandle PIDFD_OPEN = H.get("pidfd_open");
    private static final MethodHandle POSIX_SPAWN_FILE_ACTIONS_ADDINHERIT_NP = H.get("posix_spawn_file_actions_addinherit_np");
    private static final MethodHandle WAITPID = FfmDowncalls.require(H, "waitpid");
    private static final MethodHandle KILL = FfmDowncalls.require(H, "kill");
    private static final MethodHandle POSIX_SPAWNP = FfmDowncalls.require(H, "posix_spawnp");
    private static final MethodHandle POSIX_SPAWN_FILE_ACTIONS_INIT = FfmDowncalls.require(H, "posix_spawn_file_actions_init");
    private static final MethodHandle POSIX_SPAWN_FILE_ACTIONS_DESTROY = FfmDowncalls.require(H, "posix_spawn_file_actions_destroy");
    private static final MethodHandle POSIX_SPAWN_FILE_ACTIONS_ADDDUP2 = FfmDowncalls.require(H, "posix_spawn_file_actions_adddup2");
    private static final MethodHandle POSIX_SPAWN_FILE_ACTIONS_ADDOPEN = FfmDowncalls.require(H, "posix_spawn_file_actions_addopen");
    private static final MethodHandle POSIX_SPAWN_FILE_ACTIONS_ADDCHDIR_NP = FfmDowncalls.require(H, "posix_spawn_file_actions_addchdir_np");
    private static final MethodHandle POSIX_SPAWN_FILE_ACTIONS_ADDCLOSEFROM_NP = H.get("posix_spawn_file_actions_addclosefrom_np");
    private static final MethodHandle POSIX_SPAWNATTR_INIT = FfmDowncalls.require(H, "posix_spawnattr_init");
    private static final MethodHandle POSIX_SPAWNATTR_DESTROY = FfmDowncalls.require(H, "posix_spawnattr_destroy");
    private static final MethodHandle POSIX_SPAWNATTR_SETFLAGS = FfmDowncalls.require(H, "posix_spawnattr_setflags");
    private static final MethodHandle POSIX_SPAWNATTR_SETSIGMASK = FfmDowncalls.require(H, "posix_spawnattr_setsigmask");
    private static final MethodHandle POSIX_SPAWNATTR_SETSIGDEFAULT = FfmDowncalls.require(H, "posix_spawnattr_setsigdefault");
    private static final MethodHandle SIGEMPTYSET = FfmDowncalls.require(H, "sigemptyset");
    private static final MethodHandle SIGADDSET = FfmDowncalls.require(H, "sigaddset");

    FfmProcessCalls(OsConstants.Os os) {
        if (os == OsConstants.Os.DARWIN) {
            need(POSIX_SPAWN_FILE_ACTIONS_ADDINHERIT_NP, "posix_spawn_file_actions_addinherit_np");
        } else {
            need(PIPE2, "pipe2");
            need(POSIX_SPAWN_FILE_ACTIONS_ADDCLOSEFROM_NP, "posix_spawn_file_actions_addclosefrom_np");
        }
    }

    /** A handle of a function not every C library has; throws if this one lacks it. */
    private static MethodHandle need(MethodHandle h, String name) {
        if (h == null) {
            throw new UnsupportedOperationException("the C library has no " + name);
        }
        return h;
    }

    @Override
    public int pipe2(long fds, int flags) {
        MethodHandle h = need(PIPE2, "pipe2");
        try {
            return (int) h.invokeExact(FfmDowncalls.state(), fds, flags);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int pipe(long fds) {
        try {
            return (int) PIPE.invokeExact(FfmDowncalls.state(), fds);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int posix_spawn_file_actions_addinherit_np(long fa, int fd) {
        MethodHandle h = need(POSIX_SPAWN_FILE_ACTIONS_ADDINHERIT_NP,
                "posix_spawn_file_actions_addinherit_np");
        try {
            return (int) h.invokeExact(FfmDowncalls.state(), fa, fd);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int pidfd_open(int pid, int flags) {
        MethodHandle h = need(PIDFD_OPEN, "pidfd_open");
        try {
            return (int) h.invokeExact(FfmDowncalls.state(), pid, flags);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int waitpid(int pid, long status, int options) {
        try {
            return (int) WAITPID.invokeExact(FfmDowncalls.state(), pid, status, options);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int kill(int pid, int sig) {
        try {
            return (int) KILL.invokeExact(FfmDowncalls.state(), pid, sig);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int posix_spawnp(long pid, long file, long fileActions, long attr, long argv, long envp) {
        try {
            return (int) POSIX_SPAWNP.invokeExact(FfmDowncalls.state(), pid, file, fileActions, attr, argv, envp);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int posix_spawn_file_actions_init(long fa) {
        try {
            return (int) POSIX_SPAWN_FILE_ACTIONS_INIT.invokeExact(FfmDowncalls.state(), fa);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int posix_spawn_file_actions_destroy(long fa) {
        try {
            return (int) POSIX_SPAWN_FILE_ACTIONS_DESTROY.invokeExact(FfmDowncalls.state(), fa);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int posix_spawn_file_actions_adddup2(long fa, int fd, int newfd) {
        try {
            return (int) POSIX_SPAWN_FILE_ACTIONS_ADDDUP2.invokeExact(FfmDowncalls.state(), fa, fd, newfd);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int posix_spawn_file_actions_addopen(long fa, int fd, long path, int oflag, int mode) {
        try {
            return (int) POSIX_SPAWN_FILE_ACTIONS_ADDOPEN.invokeExact(FfmDowncalls.state(), fa, fd, path, oflag, mode);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int posix_spawn_file_actions_addchdir_np(long fa, long path) {
        try {
            return (int) POSIX_SPAWN_FILE_ACTIONS_ADDCHDIR_NP.invokeExact(FfmDowncalls.state(), fa, path);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int posix_spawn_file_actions_addclosefrom_np(long fa, int from) {
        MethodHandle h = need(POSIX_SPAWN_FILE_ACTIONS_ADDCLOSEFROM_NP,
                "posix_spawn_file_actions_addclosefrom_np");
        try {
            return (int) h.invokeExact(FfmDowncalls.state(), fa, from);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int posix_spawnattr_init(long attr) {
        try {
            return (int) POSIX_SPAWNATTR_INIT.invokeExact(FfmDowncalls.state(), attr);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int posix_spawnattr_destroy(long attr) {
        try {
            return (int) POSIX_SPAWNATTR_DESTROY.invokeExact(FfmDowncalls.state(), attr);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int posix_spawnattr_setflags(long attr, int flags) {
        try {
            return (int) POSIX_SPAWNATTR_SETFLAGS.invokeExact(FfmDowncalls.state(), attr, flags);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int posix_spawnattr_setsigmask(long attr, long set) {
        try {
            return (int) POSIX_SPAWNATTR_SETSIGMASK.invokeExact(FfmDowncalls.state(), attr, set);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int posix_spawnattr_setsigdefault(long attr, long set) {
        try {
            return (int) POSIX_SPAWNATTR_SETSIGDEFAULT.invokeExact(FfmDowncalls.state(), attr, set);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int sigemptyset(long set) {
        try {
            return (int) SIGEMPTYSET.invokeExact(FfmDowncalls.state(), set);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }

    @Override
    public int sigaddset(long set, int sig) {
        try {
            return (int) SIGADDSET.invokeExact(FfmDowncalls.state(), set, sig);
        } catch (Throwable t) {
            throw FfmDowncalls.rethrow(t);
        }
    }
}
