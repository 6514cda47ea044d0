package dev.pollen.linux.netty;

/**
 * Linux errno numbers and names, for error messages. Netty's own exceptions carry the number and
 * {@code strerror} text but not the symbolic name, which is what users search for.
 *
 * <p>The numbers are Linux's generic ones, the same on x86_64 and aarch64.
 *
 * <p><b>Threading:</b> immutable, any thread.
 */
final class Errno {

    static final int ENOENT = 2;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int ENFILE = 23;
    static final int EMFILE = 24;
    static final int EPIPE = 32;
    static final int EADDRINUSE = 98;
    static final int EADDRNOTAVAIL = 99;
    static final int ENETUNREACH = 101;
    static final int ECONNABORTED = 103;
    static final int ECONNRESET = 104;
    static final int ENOBUFS = 105;
    static final int ENOTCONN = 107;
    static final int ETIMEDOUT = 110;
    static final int ECONNREFUSED = 111;
    static final int EHOSTUNREACH = 113;

    private static final String[] NAMES = new String[134];
    private static final String[] TEXTS = new String[134];

    static {
        def(1, "EPERM", "Operation not permitted");
        def(2, "ENOENT", "No such file or directory");
        def(4, "EINTR", "Interrupted system call");
        def(5, "EIO", "Input/output error");
        def(9, "EBADF", "Bad file descriptor");
        def(11, "EAGAIN", "Resource temporarily unavailable");
        def(12, "ENOMEM", "Cannot allocate memory");
        def(13, "EACCES", "Permission denied");
        def(14, "EFAULT", "Bad address");
        def(17, "EEXIST", "File exists");
        def(20, "ENOTDIR", "Not a directory");
        def(22, "EINVAL", "Invalid argument");
        def(23, "ENFILE", "Too many open files in system");
        def(24, "EMFILE", "Too many open files");
        def(28, "ENOSPC", "No space left on device");
        def(32, "EPIPE", "Broken pipe");
        def(36, "ENAMETOOLONG", "File name too long");
        def(38, "ENOSYS", "Function not implemented");
        def(88, "ENOTSOCK", "Socket operation on non-socket");
        def(89, "EDESTADDRREQ", "Destination address required");
        def(90, "EMSGSIZE", "Message too long");
        def(91, "EPROTOTYPE", "Protocol wrong type for socket");
        def(92, "ENOPROTOOPT", "Protocol not available");
        def(93, "EPROTONOSUPPORT", "Protocol not supported");
        def(95, "EOPNOTSUPP", "Operation not supported");
        def(97, "EAFNOSUPPORT", "Address family not supported by protocol");
        def(98, "EADDRINUSE", "Address already in use");
        def(99, "EADDRNOTAVAIL", "Cannot assign requested address");
        def(100, "ENETDOWN", "Network is down");
        def(101, "ENETUNREACH", "Network is unreachable");
        def(103, "ECONNABORTED", "Software caused connection abort");
        def(104, "ECONNRESET", "Connection reset by peer");
        def(105, "ENOBUFS", "No buffer space available");
        def(106, "EISCONN", "Transport endpoint is already connected");
        def(107, "ENOTCONN", "Transport endpoint is not connected");
        def(110, "ETIMEDOUT", "Connection timed out");
        def(111, "ECONNREFUSED", "Connection refused");
        def(113, "EHOSTUNREACH", "No route to host");
        def(114, "EALREADY", "Operation already in progress");
        def(115, "EINPROGRESS", "Operation now in progress");
    }

    private Errno() {
    }

    private static void def(int errno, String name, String text) {
        NAMES[errno] = name;
        TEXTS[errno] = text;
    }

    /**
     * The symbolic name and text, e.g. {@code "EADDRINUSE (Address already in use)"}.
     *
     * @param errno a positive errno
     * @return the description; {@code "errno N"} for numbers not in the table
     */
    static String describe(int errno) {
        if (errno > 0 && errno < NAMES.length && NAMES[errno] != null) {
            return NAMES[errno] + " (" + TEXTS[errno] + ")";
        }
        return "errno " + errno;
    }
}
