package dev.pollen.spi;

import java.util.HashMap;
import java.util.Map;

/**
 * The errno names, numbers and texts of one OS, so that errors read the same on every OS
 * ("ECONNREFUSED (Connection refused)") and code can test for a name without hard-coding a
 * number.
 *
 * <p>One table for every fd-based backend (the POSIX layer's epoll and kqueue pollers,
 * netty-epoll); {@link SocketErrors} turns an errno into an exception with it.
 *
 * <p>The numbers come from the OS headers: Linux {@code asm-generic/errno*.h} (the same on
 * x86_64 and aarch64), macOS {@code sys/errno.h}, FreeBSD {@code sys/errno.h}. The texts are
 * glibc's {@code strerror} texts, used on every OS so messages do not depend on the C library.
 *
 * <p><b>Threading:</b> immutable, any thread.
 */
public final class ErrnoTable {

    /** Column order of {@link #ROWS}. */
    private static final int LINUX_COLUMN = 0;
    private static final int DARWIN_COLUMN = 1;
    private static final int FREEBSD_COLUMN = 2;

    /**
     * name, Linux, macOS, FreeBSD, text. Where two names share a number on one OS (Linux's
     * ENOTSUP == EOPNOTSUPP, EWOULDBLOCK == EAGAIN everywhere), the row listed first gives the
     * name reported for that number.
     */
    private static final Object[][] ROWS = {
        {"EPERM", 1, 1, 1, "Operation not permitted"},
        {"ENOENT", 2, 2, 2, "No such file or directory"},
        {"ESRCH", 3, 3, 3, "No such process"},
        {"EINTR", 4, 4, 4, "Interrupted system call"},
        {"EIO", 5, 5, 5, "Input/output error"},
        {"ENXIO", 6, 6, 6, "No such device or address"},
        {"E2BIG", 7, 7, 7, "Argument list too long"},
        {"EBADF", 9, 9, 9, "Bad file descriptor"},
        {"EAGAIN", 11, 35, 35, "Resource temporarily unavailable"},
        {"EWOULDBLOCK", 11, 35, 35, "Resource temporarily unavailable"},
        {"ENOMEM", 12, 12, 12, "Cannot allocate memory"},
        {"EACCES", 13, 13, 13, "Permission denied"},
        {"EFAULT", 14, 14, 14, "Bad address"},
        {"EBUSY", 16, 16, 16, "Device or resource busy"},
        {"EEXIST", 17, 17, 17, "File exists"},
        {"ENOTDIR", 20, 20, 20, "Not a directory"},
        {"EISDIR", 21, 21, 21, "Is a directory"},
        {"EINVAL", 22, 22, 22, "Invalid argument"},
        {"ENFILE", 23, 23, 23, "Too many open files in system"},
        {"EMFILE", 24, 24, 24, "Too many open files"},
        {"ENOSPC", 28, 28, 28, "No space left on device"},
        {"EROFS", 30, 30, 30, "Read-only file system"},
        {"EPIPE", 32, 32, 32, "Broken pipe"},
        {"ENAMETOOLONG", 36, 63, 63, "File name too long"},
        {"ENOSYS", 38, 78, 78, "Function not implemented"},
        {"ELOOP", 40, 62, 62, "Too many levels of symbolic links"},
        {"EPROTO", 71, 100, 92, "Protocol error"},
        {"ENOTSOCK", 88, 38, 38, "Socket operation on non-socket"},
        {"EDESTADDRREQ", 89, 39, 39, "Destination address required"},
        {"EMSGSIZE", 90, 40, 40, "Message too long"},
        {"EPROTOTYPE", 91, 41, 41, "Protocol wrong type for socket"},
        {"ENOPROTOOPT", 92, 42, 42, "Protocol not available"},
        {"EPROTONOSUPPORT", 93, 43, 43, "Protocol not supported"},
        {"ESOCKTNOSUPPORT", 94, 44, 44, "Socket type not supported"},
        // macOS keeps EOPNOTSUPP (102) and ENOTSUP (45) apart; Linux and FreeBSD do not.
        {"EOPNOTSUPP", 95, 102, 45, "Operation not supported"},
        {"ENOTSUP", 95, 45, 45, "Operation not supported"},
        {"EPFNOSUPPORT", 96, 46, 46, "Protocol family not supported"},
        {"EAFNOSUPPORT", 97, 47, 47, "Address family not supported by protocol"},
        {"EADDRINUSE", 98, 48, 48, "Address already in use"},
        {"EADDRNOTAVAIL", 99, 49, 49, "Cannot assign requested address"},
        {"ENETDOWN", 100, 50, 50, "Network is down"},
        {"ENETUNREACH", 101, 51, 51, "Network is unreachable"},
        {"ENETRESET", 102, 52, 52, "Network dropped connection on reset"},
        {"ECONNABORTED", 103, 53, 53, "Software caused connection abort"},
        {"ECONNRESET", 104, 54, 54, "Connection reset by peer"},
        {"ENOBUFS", 105, 55, 55, "No buffer space available"},
        {"EISCONN", 106, 56, 56, "Transport endpoint is already connected"},
        {"ENOTCONN", 107, 57, 57, "Transport endpoint is not connected"},
        {"ESHUTDOWN", 108, 58, 58, "Cannot send after transport endpoint shutdown"},
        {"ETIMEDOUT", 110, 60, 60, "Connection timed out"},
        {"ECONNREFUSED", 111, 61, 61, "Connection refused"},
        {"EHOSTDOWN", 112, 64, 64, "Host is down"},
        {"EHOSTUNREACH", 113, 65, 65, "No route to host"},
        {"EALREADY", 114, 37, 37, "Operation already in progress"},
        {"EINPROGRESS", 115, 36, 36, "Operation now in progress"},
    };

    /** Linux's numbers (the same on x86_64 and aarch64). */
    public static final ErrnoTable LINUX = new ErrnoTable(LINUX_COLUMN);
    /** macOS's numbers. */
    public static final ErrnoTable DARWIN = new ErrnoTable(DARWIN_COLUMN);
    /** FreeBSD's numbers. */
    public static final ErrnoTable FREEBSD = new ErrnoTable(FREEBSD_COLUMN);

    private final Map<String, Integer> numbers = new HashMap<>();
    private final String[] names = new String[128];
    private final String[] texts = new String[128];

    private ErrnoTable(int column) {
        for (Object[] row : ROWS) {
            String name = (String) row[0];
            int number = (Integer) row[1 + column];
            numbers.put(name, number);
            if (names[number] == null) {
                names[number] = name;
                texts[number] = (String) row[4];
            }
        }
    }

    /**
     * The number of an errno name on this OS.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param name e.g. {@code "EAGAIN"}
     * @return its number
     * @throws IllegalArgumentException if the table does not know the name
     */
    public int number(String name) {
        Integer n = numbers.get(name);
        if (n == null) {
            throw new IllegalArgumentException("unknown errno name: " + name);
        }
        return n;
    }

    /**
     * The name of an errno number, e.g. {@code "ECONNREFUSED"}.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param errno the number
     * @return its name, or {@code "errno N"} if the table does not know it
     */
    public String name(int errno) {
        String n = errno >= 0 && errno < names.length ? names[errno] : null;
        return n != null ? n : "errno " + errno;
    }

    /**
     * The description of an errno number, e.g. {@code "Connection refused"}.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param errno the number
     * @return its text, or {@code "unknown error"} if the table does not know it
     */
    public String text(int errno) {
        String t = errno >= 0 && errno < texts.length ? texts[errno] : null;
        return t != null ? t : "unknown error";
    }

    /**
     * Name and text together, as used in exception messages: {@code "ECONNREFUSED (Connection
     * refused)"}.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param errno the number
     * @return the description
     */
    public String describe(int errno) {
        return name(errno) + " (" + text(errno) + ")";
    }
}
