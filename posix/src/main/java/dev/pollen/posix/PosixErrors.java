package dev.pollen.posix;

import dev.pollen.spi.ResourceExhaustedException;
import dev.pollen.spi.SocketErrors;
import java.io.IOException;
import java.net.SocketAddress;

/**
 * Error exceptions of the POSIX layer. Socket calls go through {@link SocketErrors}, the one
 * errno → exception mapping of every fd backend (messages like {@code "connect(127.0.0.1:1):
 * ECONNREFUSED (Connection refused)"}, the classes the JDK's own socket code uses); this class
 * adds the OS table and the calls that are not about a socket (epoll, eventfd, kqueue).
 *
 * <p><b>Threading:</b> stateless, any thread.
 */
public final class PosixErrors {

    private PosixErrors() {
    }

    /**
     * The message for a failed call.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param os    the OS table (for the errno's name)
     * @param call  the C call, e.g. {@code "connect"}
     * @param where the address involved, or null
     * @param errno the error number
     * @return e.g. {@code "connect(127.0.0.1:1): ECONNREFUSED (Connection refused)"}
     */
    public static String message(OsConstants os, String call, SocketAddress where, int errno) {
        return SocketErrors.message(os.errno, call, where, errno);
    }

    /**
     * The exception for a failed socket call.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param os    the OS table
     * @param call  the C call: {@code socket}, {@code accept}, {@code bind}, {@code connect},
     *              {@code recvfrom}, {@code sendto}, {@code read}, ...
     * @param where the address involved, or null
     * @param errno the error number
     * @return the exception (not thrown)
     */
    public static IOException socketError(OsConstants os, String call, SocketAddress where,
                                          int errno) {
        return SocketErrors.socketError(os.errno, call, where, errno);
    }

    /**
     * The exception for a failed call that is not about a socket (epoll, eventfd, kqueue, ...).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param os    the OS table
     * @param call  the C call, e.g. {@code "epoll_ctl(ADD, fd 12)"}
     * @param errno the error number
     * @return a plain {@link IOException} (not thrown); {@link ResourceExhaustedException} for
     *         EMFILE/ENFILE/ENOMEM
     */
    public static IOException error(OsConstants os, String call, int errno) {
        String msg = call + ": " + os.errno.describe(errno);
        if (errno == os.EMFILE || errno == os.ENFILE || errno == os.ENOMEM) {
            return new ResourceExhaustedException(msg);
        }
        return new IOException(msg);
    }
}
