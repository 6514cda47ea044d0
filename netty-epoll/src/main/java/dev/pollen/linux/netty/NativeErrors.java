package dev.pollen.linux.netty;

import dev.pollen.spi.ErrnoTable;
import dev.pollen.spi.SocketErrors;
import io.netty.channel.ChannelException;
import io.netty.channel.unix.Errors;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetConnectedException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the exceptions of Netty's {@code io.netty.channel.unix} classes into Pollen's: the
 * errno goes through the one errno-to-exception mapping of the fd-based backends,
 * {@link SocketErrors#socketError} (message {@code "bind(127.0.0.1:8080): EADDRINUSE (Address
 * already in use)"}, the exception class the JDK's own socket code would choose).
 *
 * <p>Netty reports errno in three ways: {@link Errors.NativeIoException#expectedErr()} (negative
 * errno), a plain {@link ConnectException} whose message holds {@code "error(-111)"}, and a few
 * bare JDK exceptions chosen by errno ({@link NoRouteToHostException},
 * {@link FileNotFoundException} for ENOENT, {@link PortUnreachableException} for ECONNREFUSED on
 * datagrams, and the <em>unchecked</em> {@link NotYetConnectedException} for ENOTCONN, which
 * must not escape as if it were a programming error). All are mapped back here; this is
 * error-path code only.
 *
 * <p><b>Threading:</b> stateless, any thread.
 */
final class NativeErrors {

    private static final Pattern ERRNO_IN_MESSAGE = Pattern.compile("error\\((-?\\d+)\\)");

    private NativeErrors() {
    }

    /**
     * The exception for a failed call with a known errno.
     *
     * @param errno   positive errno
     * @param call    the system call, e.g. {@code "bind"}
     * @param address the address involved, or null
     * @param cause   the original exception, or null
     * @return the exception to throw
     */
    static IOException forErrno(int errno, String call, SocketAddress address, Throwable cause) {
        return withCause(SocketErrors.socketError(ErrnoTable.LINUX, call, address, errno), cause);
    }

    /**
     * Translates an exception thrown by one of Netty's socket methods.
     *
     * @param e       what Netty threw
     * @param call    the system call
     * @param address the address involved, or null
     * @return the exception to throw
     */
    static IOException translate(Throwable e, String call, SocketAddress address) {
        if (e instanceof ChannelException && e.getCause() != null) {
            // socket creation wraps the errno exception in an unchecked ChannelException
            e = e.getCause();
        }
        if (e instanceof Errors.NativeIoException n) {
            return forErrno(-n.expectedErr(), call, address, e);
        }
        if (e instanceof ClosedChannelException c) {
            return c;
        }
        if (e instanceof NotYetConnectedException) {
            // Netty throws this unchecked JDK exception for ENOTCONN: an I/O error like any other
            return forErrno(ErrnoTable.LINUX.number("ENOTCONN"), call, address, e);
        }
        if (e instanceof PortUnreachableException) {
            return withCause(new PortUnreachableException(
                    SocketErrors.message(ErrnoTable.LINUX, call, address,
                            ErrnoTable.LINUX.number("ECONNREFUSED"))), e);
        }
        if (e instanceof NoRouteToHostException) {
            // Netty does not say whether it was EHOSTUNREACH or ENETUNREACH
            return forErrno(ErrnoTable.LINUX.number("EHOSTUNREACH"), call, address, e);
        }
        if (e instanceof FileNotFoundException) {
            // Netty maps ENOENT (e.g. a missing Unix socket path) to a bare FileNotFoundException
            IOException t = forErrno(ErrnoTable.LINUX.number("ENOENT"), call, address, e);
            return "connect".equals(call) ? withCause(new ConnectException(t.getMessage()), e) : t;
        }
        if (e instanceof ConnectException && e.getMessage() != null) {
            Matcher m = ERRNO_IN_MESSAGE.matcher(e.getMessage());
            if (m.find()) {
                int errno = Math.abs(Integer.parseInt(m.group(1)));
                IOException t = forErrno(errno, call, address, e);
                // a failed connect stays a ConnectException whatever the errno
                return t instanceof ConnectException ? t
                        : withCause(new ConnectException(t.getMessage()), e);
            }
        }
        String detail = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        if (e instanceof IOException io && io.getClass() != IOException.class) {
            return io;
        }
        String where = address != null ? "(" + SocketErrors.format(address) + ")" : "";
        return withCause(new SocketException(call + where + ": " + detail), e);
    }

    private static IOException withCause(IOException e, Throwable cause) {
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }
}
