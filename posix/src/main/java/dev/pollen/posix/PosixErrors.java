package dev.pollen.posix;

import dev.pollen.spi.ResourceExhaustedException;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.ProtocolException;
import java.net.SocketAddress;
import java.net.SocketException;

/**
 * Turns an errno into the Java exception a JDK socket would throw, with a message that names the
 * call, the address where there is one, and the error: {@code "connect(127.0.0.1:1):
 * ECONNREFUSED (Connection refused)"}.
 *
 * <p>Classes, as the JDK's own socket code chooses them: ECONNREFUSED, ETIMEDOUT and ENOTCONN
 * (and ENOENT from connect, a missing Unix socket file) → {@link ConnectException};
 * EHOSTUNREACH/ENETUNREACH → {@link NoRouteToHostException}; EADDRINUSE, EADDRNOTAVAIL and
 * EACCES → {@link BindException}; EPROTO → {@link ProtocolException}; ECONNREFUSED on a datagram
 * call → {@link PortUnreachableException}; EMFILE, ENFILE, ENOBUFS and ENOMEM from
 * {@code socket} or {@code accept} → {@link ResourceExhaustedException}; anything else →
 * {@link SocketException}.
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
        return (where == null ? call : call + "(" + SockAddr.format(where) + ")") + ": "
                + os.errno.describe(errno);
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
        String msg = message(os, call, where, errno);
        String name = os.errno.name(errno);
        boolean creates = call.equals("socket") || call.startsWith("accept");
        if (creates && (errno == os.EMFILE || errno == os.ENFILE || errno == os.ENOBUFS
                || errno == os.ENOMEM)) {
            return new ResourceExhaustedException(msg);
        }
        boolean datagram = call.equals("recvfrom") || call.equals("sendto");
        switch (name) {
            case "ECONNREFUSED":
                return datagram ? new PortUnreachableException(msg) : new ConnectException(msg);
            case "ETIMEDOUT":
            case "ENOTCONN":
                return new ConnectException(msg);
            case "ENOENT":
                return call.equals("connect") ? new ConnectException(msg) : new SocketException(msg);
            case "EHOSTUNREACH":
            case "ENETUNREACH":
                return new NoRouteToHostException(msg);
            case "EADDRINUSE":
            case "EADDRNOTAVAIL":
            case "EACCES":
                return new BindException(msg);
            case "EPROTO":
                return new ProtocolException(msg);
            default:
                return new SocketException(msg);
        }
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
