package dev.pollen.nio;

import dev.pollen.spi.ResourceExhaustedException;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;

/**
 * Turns the JDK's terse socket exceptions ("Address already in use") into ones that name the call
 * and the address ("bind(127.0.0.1:8080): Address already in use"), keeping the exception type.
 *
 * <p><b>Threading:</b> stateless, any thread.
 */
final class NioErrors {

    private NioErrors() {
    }

    /**
     * Wraps {@code e} with a message that names {@code call} and {@code address}.
     *
     * @param call    the operation, e.g. "bind"
     * @param address the address involved, or null
     * @param e       what the JDK threw
     * @return an exception of the same kind (BindException stays BindException, ...), or a
     *         {@link ResourceExhaustedException} when the process or system ran out of descriptors
     *         or buffers
     */
    static IOException wrap(String call, SocketAddress address, IOException e) {
        String reason = reason(e);
        String msg = call + "(" + describe(address) + "): " + reason;
        IOException w;
        if (isExhaustion(reason)) {
            return new ResourceExhaustedException(msg, e);
        } else if (e instanceof BindException) {
            w = new BindException(msg);
        } else if (e instanceof ConnectException) {
            w = new ConnectException(msg);
        } else if (e instanceof NoRouteToHostException) {
            w = new NoRouteToHostException(msg);
        } else if (e instanceof PortUnreachableException) {
            w = new PortUnreachableException(msg);
        } else if (e instanceof SocketException || e instanceof ClosedChannelException) {
            w = new SocketException(msg);
        } else {
            w = new IOException(msg);
        }
        w.initCause(e);
        return w;
    }

    /**
     * Whether the JDK's message (strerror text) is EMFILE, ENFILE, ENOBUFS or ENOMEM.
     *
     * @param reason the message
     * @return true for resource exhaustion
     */
    static boolean isExhaustion(String reason) {
        // The JDK gives no errno, only strerror(): "Too many open files" (EMFILE), "Too many open
        // files in system" (ENFILE), "No buffer space available" (ENOBUFS), "Cannot allocate
        // memory" (ENOMEM). Windows' WSAEMFILE text also starts with "Too many open".
        return reason.contains("Too many open files")
                || reason.contains("No buffer space available")
                || reason.contains("Cannot allocate memory");
    }

    private static String reason(IOException e) {
        if (e instanceof ClosedChannelException) {
            return "socket is closed";
        }
        String m = e.getMessage();
        return m != null && !m.isEmpty() ? m : e.getClass().getSimpleName();
    }

    /**
     * An address as users write it: "127.0.0.1:8080", "[::1]:8080", "/run/app.sock".
     *
     * @param address the address, or null
     * @return its text; "*" for null (the wildcard)
     */
    static String describe(SocketAddress address) {
        if (address == null) {
            return "*";
        }
        if (address instanceof InetSocketAddress isa) {
            if (isa.getAddress() == null) {
                return isa.getHostString() + ":" + isa.getPort();
            }
            String host = isa.getAddress().getHostAddress();
            return (isa.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":"
                    + isa.getPort();
        }
        if (address instanceof UnixDomainSocketAddress u) {
            String p = u.getPath().toString();
            return p.isEmpty() ? "<unnamed unix socket>" : p;
        }
        return address.toString();
    }
}
