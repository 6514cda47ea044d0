package dev.pollen.posix;

/**
 * How to get a non-blocking, close-on-exec socket on one OS: pure decisions from the constants
 * table, kept apart from the calls so they are unit tested for every OS on any OS.
 *
 * <ul>
 *   <li>Linux and FreeBSD: {@code socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)} and
 *       {@code accept4(fd, ..., SOCK_NONBLOCK | SOCK_CLOEXEC)}: one call, no window in which
 *       another thread's fork could inherit the fd.</li>
 *   <li>macOS: no {@code SOCK_NONBLOCK}, no {@code accept4}: {@code socket}/{@code accept},
 *       then {@code fcntl(F_SETFL, O_NONBLOCK)} and {@code fcntl(F_SETFD, FD_CLOEXEC)}, and
 *       {@code SO_NOSIGPIPE}.</li>
 *   <li>Both BSDs: {@code SO_NOSIGPIPE} on each socket, because stream writes use
 *       {@code write}/{@code writev}, which take no {@code MSG_NOSIGNAL}. (HotSpot ignores
 *       SIGPIPE, so on Linux a write to a closed connection already fails with EPIPE; the option
 *       just spares the signal.)</li>
 * </ul>
 *
 * <p><b>Threading:</b> immutable, any thread.
 *
 * @param typeFlags     flags or-ed into the socket type for {@code socket()}
 * @param useAccept4    whether to accept with {@code accept4(acceptFlags)}
 * @param acceptFlags   the {@code accept4} flags
 * @param fcntlAfter    whether each new fd needs {@code fcntl} for O_NONBLOCK and FD_CLOEXEC
 * @param noSigpipe     whether to set {@code SO_NOSIGPIPE} on each new socket (the BSDs)
 * @param sendFlags     flags for {@code sendto}: MSG_NOSIGNAL where the OS has it
 */
public record SocketPlan(int typeFlags, boolean useAccept4, int acceptFlags, boolean fcntlAfter,
                         boolean noSigpipe, int sendFlags) {

    /**
     * The plan for an OS.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param os the OS table
     * @return the plan
     */
    public static SocketPlan forOs(OsConstants os) {
        boolean typeFlagsWork = os.SOCK_NONBLOCK != 0 && os.SOCK_CLOEXEC != 0;
        int flags = typeFlagsWork ? os.SOCK_NONBLOCK | os.SOCK_CLOEXEC : 0;
        boolean accept4 = os.HAS_ACCEPT4 && typeFlagsWork;
        return new SocketPlan(flags, accept4, accept4 ? flags : 0, !typeFlagsWork,
                os.SO_NOSIGPIPE >= 0, os.MSG_NOSIGNAL);
    }

    /**
     * Whether an accepted fd needs the fcntl calls (no accept4, or no SOCK_NONBLOCK).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return true on macOS
     */
    public boolean fcntlAfterAccept() {
        return !useAccept4;
    }
}
