package dev.pollen.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import dev.pollen.spi.DatagramSocket;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.ResourceExhaustedException;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.StreamSocket;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** Kernel errors surface as the right exceptions with the call, address and errno name. */
@EnabledOnOs(value = {OS.LINUX, OS.MAC, OS.FREEBSD}, disabledReason = "POSIX sockets only")
class ErrorsLiveTest extends LiveSockets {

    @Test
    void refusedConnectNamesTheAddress() throws Exception {
        int port;
        try (ListenSocket l = layer.listen(LOOPBACK_0, 1, SocketOptions.none())) {
            port = ((InetSocketAddress) l.localAddress()).getPort();
        }
        StreamSocket c;
        try {
            c = track(layer.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                    SocketOptions.none()));
        } catch (ConnectException atOnce) {
            assertEquals("connect(127.0.0.1:" + port + "): ECONNREFUSED (Connection refused)",
                    atOnce.getMessage());
            return;
        }
        ConnectException e = assertThrows(ConnectException.class, () -> {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!c.finishConnect()) {
                assertTrue(System.nanoTime() < deadline);
                Thread.sleep(1);
            }
        });
        assertEquals("connect(127.0.0.1:" + port + "): ECONNREFUSED (Connection refused)",
                e.getMessage());
    }

    @Test
    void addressInUseIsBindException() throws Exception {
        ListenSocket l = listen();
        InetSocketAddress a = (InetSocketAddress) l.localAddress();
        BindException e = assertThrows(BindException.class,
                () -> layer.listen(a, 1, SocketOptions.none()));
        assertEquals("bind(127.0.0.1:" + a.getPort() + "): EADDRINUSE (Address already in use)",
                e.getMessage());
        DatagramSocket d = udp();
        assertThrows(BindException.class,
                () -> layer.openDatagram(d.localAddress(), null, SocketOptions.none()));
    }

    @Test
    void badArgumentsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> layer.listen(LOOPBACK_0, 0, SocketOptions.none()));
        assertTrue(e.getMessage().contains("backlog"), e.getMessage());
        NullPointerException npe = assertThrows(NullPointerException.class,
                () -> layer.connect(null, SocketOptions.none()));
        assertEquals("remote", npe.getMessage());
        IllegalArgumentException unresolved = assertThrows(IllegalArgumentException.class,
                () -> layer.connect(InetSocketAddress.createUnresolved("example.com", 80),
                        SocketOptions.none()));
        assertTrue(unresolved.getMessage().contains("unresolved"));
    }

    /** getrlimit/setrlimit for the test only: interface mapping is fine off the hot path. */
    public interface RLimit extends Library {
        int getrlimit(int resource, long[] rlim);

        int setrlimit(int resource, long[] rlim);
    }

    @Test
    @EnabledOnOs(value = OS.LINUX, disabledReason = "RLIMIT_NOFILE is 7 on Linux only")
    void runningOutOfDescriptorsIsResourceExhaustedOnSocketAndAccept() throws Exception {
        final int rlimitNofile = 7;
        RLimit lib = Native.load("c", RLimit.class);
        long[] saved = new long[2];
        assertEquals(0, lib.getrlimit(rlimitNofile, saved));
        ListenSocket l = listen();
        pair(l); // exercises (and so loads) every class of the accept path
        // A connection waits in the backlog, to be accepted when no descriptor is left.
        StreamSocket pending = track(layer.connect(l.localAddress(), SocketOptions.none()));
        assertNotNull(pending);
        // Load every class the failing paths need while files can still be opened.
        assertNotNull(PosixErrors.socketError(layer.os(), "accept", null, layer.os().EMFILE));
        List<DatagramSocket> fillers = new ArrayList<>();
        int openNow = new java.io.File("/proc/self/fd").list().length;
        ResourceExhaustedException onSocket = null;
        ResourceExhaustedException onAccept = null;
        try {
            assertEquals(0, lib.setrlimit(rlimitNofile, new long[] {openNow + 16, saved[1]}));
            try {
                for (int i = 0; i < 10_000; i++) {
                    fillers.add(layer.openDatagram(LOOPBACK_0, null, SocketOptions.none()));
                }
            } catch (ResourceExhaustedException e) {
                onSocket = e;
            }
            try {
                l.accept();
            } catch (ResourceExhaustedException e) {
                onAccept = e;
            }
        } finally {
            for (DatagramSocket d : fillers) {
                d.close();
            }
            lib.setrlimit(rlimitNofile, saved);
        }
        assertNotNull(onSocket, "socket() never ran out of descriptors");
        assertEquals("socket(127.0.0.1:0): EMFILE (Too many open files)", onSocket.getMessage());
        assertNotNull(onAccept, "accept() did not fail with EMFILE");
        assertEquals("accept(" + SockAddr.format(l.localAddress())
                + "): EMFILE (Too many open files)", onAccept.getMessage());
        // With descriptors back, the pending connection is still there.
        StreamSocket accepted = track(l.accept());
        assertNotNull(accepted);
    }
}
