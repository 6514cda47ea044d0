package dev.pollen.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.pollen.spi.ResourceExhaustedException;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import org.junit.jupiter.api.Test;

/** errno to exception mapping and messages. Runs everywhere. */
class PosixErrorsTest {

    private static final OsConstants L = OsConstants.LINUX;
    private static final InetSocketAddress LOCAL_1 =
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 1);

    private static int e(OsConstants os, String name) {
        return os.errno.number(name);
    }

    @Test
    void connectRefusedNamesCallAddressAndError() {
        IOException x = PosixErrors.socketError(L, "connect", LOCAL_1, e(L, "ECONNREFUSED"));
        assertInstanceOf(ConnectException.class, x);
        assertEquals("connect(127.0.0.1:1): ECONNREFUSED (Connection refused)", x.getMessage());
    }

    @Test
    void theSameErrorReadsTheSameOnMacos() {
        IOException x = PosixErrors.socketError(OsConstants.DARWIN, "connect", LOCAL_1, 61);
        assertInstanceOf(ConnectException.class, x);
        assertEquals("connect(127.0.0.1:1): ECONNREFUSED (Connection refused)", x.getMessage());
    }

    @Test
    void addressInUseIsBindException() {
        IOException x = PosixErrors.socketError(L, "bind", LOCAL_1, e(L, "EADDRINUSE"));
        assertInstanceOf(BindException.class, x);
        assertEquals("bind(127.0.0.1:1): EADDRINUSE (Address already in use)", x.getMessage());
        assertInstanceOf(BindException.class, PosixErrors.socketError(L, "bind", LOCAL_1,
                e(L, "EACCES")));
    }

    @Test
    void descriptorExhaustionOnSocketOrAcceptIsResourceExhausted() {
        for (String err : new String[] {"EMFILE", "ENFILE", "ENOBUFS", "ENOMEM"}) {
            assertInstanceOf(ResourceExhaustedException.class,
                    PosixErrors.socketError(L, "accept", LOCAL_1, e(L, err)), err);
            assertInstanceOf(ResourceExhaustedException.class,
                    PosixErrors.socketError(L, "socket", LOCAL_1, e(L, err)), err);
        }
        IOException x = PosixErrors.socketError(L, "accept", LOCAL_1, e(L, "EMFILE"));
        assertEquals("accept(127.0.0.1:1): EMFILE (Too many open files)", x.getMessage());
        // ENOBUFS from a write is not about creating descriptors.
        IOException w = PosixErrors.socketError(L, "write", LOCAL_1, e(L, "ENOBUFS"));
        assertEquals(SocketException.class, w.getClass());
    }

    @Test
    void otherClassesFollowTheJdk() {
        assertInstanceOf(NoRouteToHostException.class,
                PosixErrors.socketError(L, "connect", LOCAL_1, e(L, "EHOSTUNREACH")));
        assertInstanceOf(ConnectException.class,
                PosixErrors.socketError(L, "connect", LOCAL_1, e(L, "ETIMEDOUT")));
        assertInstanceOf(PortUnreachableException.class,
                PosixErrors.socketError(L, "recvfrom", LOCAL_1, e(L, "ECONNREFUSED")));
        IOException reset = PosixErrors.socketError(L, "read", LOCAL_1, e(L, "ECONNRESET"));
        assertEquals(SocketException.class, reset.getClass());
        assertEquals("read(127.0.0.1:1): ECONNRESET (Connection reset by peer)", reset.getMessage());
    }

    @Test
    void missingUnixSocketFileIsConnectException() {
        UnixDomainSocketAddress path = UnixDomainSocketAddress.of("/tmp/nope.sock");
        IOException x = PosixErrors.socketError(L, "connect", path, e(L, "ENOENT"));
        assertInstanceOf(ConnectException.class, x);
        assertEquals("connect(/tmp/nope.sock): ENOENT (No such file or directory)", x.getMessage());
    }

    @Test
    void nonSocketErrorsArePlainIoExceptionsExceptExhaustion() {
        IOException x = PosixErrors.error(L, "epoll_ctl(ADD, fd 9)", e(L, "EBADF"));
        assertEquals(IOException.class, x.getClass());
        assertEquals("epoll_ctl(ADD, fd 9): EBADF (Bad file descriptor)", x.getMessage());
        assertInstanceOf(ResourceExhaustedException.class,
                PosixErrors.error(L, "epoll_create1", e(L, "EMFILE")));
    }

    @Test
    void messageWithoutAddress() {
        assertEquals("setsockopt(TCP_NODELAY): EINVAL (Invalid argument)",
                PosixErrors.message(L, "setsockopt(TCP_NODELAY)", null, e(L, "EINVAL")));
    }
}
