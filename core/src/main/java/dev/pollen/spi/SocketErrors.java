package dev.pollen.spi;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.ProtocolException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;

/**
 * The one errno → exception mapping of every fd-based backend (the POSIX socket layer of the
 * epoll and kqueue pollers, netty-epoll): the Java exception a JDK socket would throw, with a
 * message that names the call, the address where there is one, and the error:
 * {@code "connect(127.0.0.1:1): ECONNREFUSED (Connection refused)"}.
 *
 * <p>Classes, as the JDK's own socket code ({@code sun.nio.ch.Net}) chooses them, whatever the
 * call: ECONNREFUSED, ETIMEDOUT and ENOTCONN (and ENOENT from connect, a missing Unix socket
 * file) → {@link ConnectException}; EHOSTUNREACH/ENETUNREACH → {@link NoRouteToHostException};
 * EADDRINUSE, EADDRNOTAVAIL and EACCES → {@link BindException}; EPROTO →
 * {@link ProtocolException}; ECONNREFUSED on a datagram call → {@link PortUnreachableException};
 * EMFILE, ENFILE, ENOBUFS and ENOMEM from {@code socket} or {@code accept} →
 * {@link ResourceExhaustedException}; anything else → {@link SocketException}. So the nio poller
 * (which is the JDK) and the fd backends throw the same class for the same errno.
 *
 * <p><b>Threading:</b> stateless, any thread.
 */
public final class SocketErrors {

    private SocketErrors() {
    }

    /**
     * The message for a failed call.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param errnos the OS's errno table (for the errno's name)
     * @param call   the C call, e.g. {@code "connect"}
     * @param where  the address involved, or null
     * @param errno  the error number
     * @return e.g. {@code "connect(127.0.0.1:1): ECONNREFUSED (Connection refused)"}
     */
    public static String message(ErrnoTable errnos, String call, SocketAddress where, int errno) {
        return (where == null ? call : call + "(" + format(where) + ")") + ": "
                + errnos.describe(errno);
    }

    /**
     * The exception for a failed socket call.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param errnos the OS's errno table
     * @param call   the C call: {@code socket}, {@code accept}, {@code bind}, {@code connect},
     *               {@code recvfrom}, {@code sendto}, {@code read}, ...
     * @param where  the address involved, or null
     * @param errno  the error number
     * @return the exception (not thrown)
     */
    public static IOException socketError(ErrnoTable errnos, String call, SocketAddress where,
                                          int errno) {
        String msg = message(errnos, call, where, errno);
        String name = errnos.name(errno);
        boolean creates = call.equals("socket") || call.startsWith("accept");
        if (creates && (name.equals("EMFILE") || name.equals("ENFILE") || name.equals("ENOBUFS")
                || name.equals("ENOMEM"))) {
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
     * An address as messages show it: {@code 127.0.0.1:80}, {@code [::1]:80}, a Unix socket's
     * path, or {@code host:port} for an unresolved address.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param address the address, may be null
     * @return the text
     */
    public static String format(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            InetAddress a = inet.getAddress();
            if (a == null) {
                return inet.getHostString() + ":" + inet.getPort();
            }
            String host = a.getHostAddress();
            return (a instanceof Inet6Address ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        if (address instanceof UnixDomainSocketAddress unix) {
            return unix.getPath().toString();
        }
        return String.valueOf(address);
    }
}
