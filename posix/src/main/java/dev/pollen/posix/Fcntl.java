package dev.pollen.posix;

/**
 * fcntl(2), which is variadic. On x86_64, and on Linux/FreeBSD aarch64, a variadic int travels
 * in the same register as a fixed one; Apple's arm64 ABI passes variadic arguments on the stack
 * instead. The {@code java.lang.foreign} binding always makes a true variadic call; the JNA
 * binding uses its cheap fixed signature except where {@link #needsVariadicCall} says not to
 * (see {@link JnaPosixCalls}). Used once per socket (to make it non-blocking and close-on-exec
 * where {@code SOCK_NONBLOCK} does not exist), never per read or write.
 *
 * <p><b>Threading:</b> any thread.
 */
final class Fcntl {

    private Fcntl() {
    }

    /**
     * Whether fcntl must be called as a variadic function through JNA's interface mapping.
     *
     * @param os   the OS
     * @param arch the {@code os.arch} value
     * @return true on macOS arm64
     */
    static boolean needsVariadicCall(OsConstants.Os os, String arch) {
        return os == OsConstants.Os.DARWIN && ("aarch64".equals(arch) || "arm64".equals(arch));
    }

    /**
     * fcntl(fd, cmd, arg).
     *
     * @param fd  the fd
     * @param cmd F_SETFL, F_SETFD, ...
     * @param arg the int argument
     * @return the result, or -1 with errno in {@link LibC#errno()}
     */
    static int fcntl(int fd, int cmd, int arg) {
        return LibC.fcntl(fd, cmd, arg);
    }
}
