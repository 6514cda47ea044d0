package dev.pollen.posix;

/**
 * The C library calls that start and watch child processes for {@link PosixProcessLayer}
 * ({@code posix_spawn} and friends; {@code pidfd_open} on Linux), bound like {@link PosixCalls}
 * (the same conventions: {@code int}/{@code long} only, pointers as {@code long} addresses, errno
 * through {@link LibC#errno()}). The {@code posix_spawn*} functions return an error number
 * instead of setting errno.
 *
 * <p>Not every C library has every call: {@code pipe2} and
 * {@code posix_spawn_file_actions_addclosefrom_np} are Linux's and FreeBSD's, {@code pidfd_open}
 * Linux's, {@code posix_spawn_file_actions_addinherit_np} macOS's. An implementation binds the
 * portable calls and the group its OS needs when it is made (and fails there if one is missing);
 * calling a function the C library lacks throws an {@link UnsupportedOperationException} or a
 * {@link LinkageError}.
 *
 * <p><b>Threading:</b> any thread.
 */
public interface ProcessCalls {

    /**
     * pipe2(2).
     *
     * @param fds   address of two ints
     * @param flags O_CLOEXEC, O_NONBLOCK
     * @return 0 or -1
     */
    int pipe2(long fds, int flags);

    /**
     * pipe(2), for a C library without {@code pipe2} (macOS).
     *
     * @param fds address of two ints
     * @return 0 or -1
     */
    int pipe(long fds);

    /**
     * posix_spawn_file_actions_addinherit_np (macOS 10.7+): keeps {@code fd} open in a child
     * spawned with {@code POSIX_SPAWN_CLOEXEC_DEFAULT}.
     *
     * @param fa the actions
     * @param fd the descriptor to inherit
     * @return 0 or an error number
     */
    int posix_spawn_file_actions_addinherit_np(long fa, int fd);

    /**
     * pidfd_open(2) (glibc 2.36+).
     *
     * @param pid   the child
     * @param flags 0
     * @return the pidfd or -1
     */
    int pidfd_open(int pid, int flags);

    /**
     * waitpid(2).
     *
     * @param pid     the child
     * @param status  address of an int for the status
     * @param options WNOHANG
     * @return the pid, 0 if it has not exited, or -1
     */
    int waitpid(int pid, long status, int options);

    /**
     * kill(2).
     *
     * @param pid the child
     * @param sig the signal
     * @return 0 or -1
     */
    int kill(int pid, int sig);

    /**
     * posix_spawnp(3).
     *
     * @param pid         address of a pid_t for the child's pid
     * @param file        the program, a C string
     * @param fileActions the file actions
     * @param attr        the attributes
     * @param argv        NULL-terminated array of C strings
     * @param envp        NULL-terminated array of C strings
     * @return 0 or an error number
     */
    int posix_spawnp(long pid, long file, long fileActions, long attr, long argv, long envp);

    /**
     * posix_spawn_file_actions_init(3).
     *
     * @param fa the actions
     * @return 0 or an error number
     */
    int posix_spawn_file_actions_init(long fa);

    /**
     * posix_spawn_file_actions_destroy(3).
     *
     * @param fa the actions
     * @return 0 or an error number
     */
    int posix_spawn_file_actions_destroy(long fa);

    /**
     * posix_spawn_file_actions_adddup2(3).
     *
     * @param fa    the actions
     * @param fd    the source
     * @param newfd the target
     * @return 0 or an error number
     */
    int posix_spawn_file_actions_adddup2(long fa, int fd, int newfd);

    /**
     * posix_spawn_file_actions_addopen(3).
     *
     * @param fa    the actions
     * @param fd    the target
     * @param path  a C string
     * @param oflag O_*
     * @param mode  the mode
     * @return 0 or an error number
     */
    int posix_spawn_file_actions_addopen(long fa, int fd, long path, int oflag, int mode);

    /**
     * posix_spawn_file_actions_addchdir_np (glibc 2.29+).
     *
     * @param fa   the actions
     * @param path a C string
     * @return 0 or an error number
     */
    int posix_spawn_file_actions_addchdir_np(long fa, long path);

    /**
     * posix_spawn_file_actions_addclosefrom_np (glibc 2.34+).
     *
     * @param fa   the actions
     * @param from the lowest descriptor to close
     * @return 0 or an error number
     */
    int posix_spawn_file_actions_addclosefrom_np(long fa, int from);

    /**
     * posix_spawnattr_init(3).
     *
     * @param attr the attributes
     * @return 0 or an error number
     */
    int posix_spawnattr_init(long attr);

    /**
     * posix_spawnattr_destroy(3).
     *
     * @param attr the attributes
     * @return 0 or an error number
     */
    int posix_spawnattr_destroy(long attr);

    /**
     * posix_spawnattr_setflags(3) (a C {@code short}, passed as an int).
     *
     * @param attr  the attributes
     * @param flags POSIX_SPAWN_*
     * @return 0 or an error number
     */
    int posix_spawnattr_setflags(long attr, int flags);

    /**
     * posix_spawnattr_setsigmask(3).
     *
     * @param attr the attributes
     * @param set  a sigset_t
     * @return 0 or an error number
     */
    int posix_spawnattr_setsigmask(long attr, long set);

    /**
     * posix_spawnattr_setsigdefault(3).
     *
     * @param attr the attributes
     * @param set  a sigset_t
     * @return 0 or an error number
     */
    int posix_spawnattr_setsigdefault(long attr, long set);

    /**
     * sigemptyset(3).
     *
     * @param set a sigset_t
     * @return 0 or -1
     */
    int sigemptyset(long set);

    /**
     * sigaddset(3).
     *
     * @param set a sigset_t
     * @param sig the signal
     * @return 0 or -1
     */
    int sigaddset(long set, int sig);
}
