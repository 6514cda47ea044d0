package dev.pollen.linux.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.DatagramSocket;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.ResourceExhaustedException;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The netty-epoll socket layer beyond the poller contract: error types and messages, Unix domain
 * and UDP sockets, heap and gathering I/O, options.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NettyEpollSocketsTest extends NettyLiveSockets {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;

    private ListenSocket listenTcp() throws IOException {
        return keep(poller.sockets().listen(new InetSocketAddress(LOOPBACK, 0), 64, SocketOptions.none()));
    }

    private static StreamSocket acceptSoon(ListenSocket l) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        StreamSocket s;
        while ((s = l.accept()) == null) {
            assertTrue(System.nanoTime() < deadline, "no connection to accept within 5 s");
            Thread.sleep(1);
        }
        return s;
    }

    private StreamSocket[] tcpPair() throws Exception {
        ListenSocket l = listenTcp();
        StreamSocket c = keep(poller.sockets().connect(l.localAddress(), SocketOptions.none()));
        StreamSocket s = keep(acceptSoon(l));
        while (!c.finishConnect()) {
            Thread.sleep(1);
        }
        return new StreamSocket[] {c, s};
    }

    /** Reads exactly {@code n} bytes (spinning: the tests use small loopback transfers). */
    private static byte[] readFully(StreamSocket s, int n, boolean direct) throws Exception {
        ByteBuffer dst = direct ? ByteBuffer.allocateDirect(n) : ByteBuffer.allocate(n);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (dst.hasRemaining()) {
            int r = s.read(dst);
            assertTrue(r >= 0, "unexpected end of stream");
            assertTrue(System.nanoTime() < deadline, "only " + dst.position() + " of " + n + " bytes");
        }
        byte[] out = new byte[n];
        dst.flip().get(out);
        return out;
    }

    private static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    @Test
    void bindingAPortInUseIsABindExceptionNamingTheAddressAndErrno() throws Exception {
        ListenSocket l = listenTcp();
        InetSocketAddress taken = (InetSocketAddress) l.localAddress();
        BindException e = assertThrows(BindException.class,
                () -> poller.sockets().listen(taken, 8, SocketOptions.none()));
        assertEquals("bind(127.0.0.1:" + taken.getPort() + "): EADDRINUSE (Address already in use)",
                e.getMessage());
    }

    @Test
    void aRefusedConnectIsAConnectExceptionNamingTheAddressAndErrno() throws Exception {
        int port;
        try (ListenSocket l = poller.sockets().listen(new InetSocketAddress(LOOPBACK, 0), 1,
                SocketOptions.none())) {
            port = ((InetSocketAddress) l.localAddress()).getPort();
        }
        InetSocketAddress dead = new InetSocketAddress(LOOPBACK, port);
        ConnectException e;
        try {
            StreamSocket c = keep(poller.sockets().connect(dead, SocketOptions.none()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            e = null;
            while (e == null) {
                try {
                    assertTrue(!c.finishConnect(), "connected to a closed port?");
                    assertTrue(System.nanoTime() < deadline, "refusal not seen within 5 s");
                    Thread.sleep(1);
                } catch (ConnectException refused) {
                    e = refused;
                }
            }
            // SO_ERROR reads once; the failure must be reported again, not turn into "connected"
            assertThrows(ConnectException.class, c::finishConnect);
        } catch (ConnectException refusedAtOnce) {
            e = refusedAtOnce;
        }
        assertEquals("connect(127.0.0.1:" + port + "): ECONNREFUSED (Connection refused)", e.getMessage());
    }

    @Test
    void unresolvedAndForeignAddressesAreRejectedWithTheArgumentName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> poller.sockets().connect(InetSocketAddress.createUnresolved("example.com", 80),
                        SocketOptions.none()));
        assertTrue(e.getMessage().startsWith("remote must be a resolved address"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> poller.sockets().listen(
                new InetSocketAddress(LOOPBACK, 0), 0, SocketOptions.none()));
        assertTrue(e.getMessage().contains("backlog"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> poller.sockets().openDatagram(
                UnixDomainSocketAddress.of(dir.resolve("u")), null, SocketOptions.none()));
        assertTrue(e.getMessage().contains("UDP"), e.getMessage());
    }

    @Test
    void unixDomainSocketsConnectAcceptAndCarryData() throws Exception {
        UnixDomainSocketAddress path = UnixDomainSocketAddress.of(dir.resolve("echo.sock"));
        ListenSocket l = keep(poller.sockets().listen(path, 8, SocketOptions.none()));
        assertEquals(path, l.localAddress());
        StreamSocket c = keep(poller.sockets().connect(path, SocketOptions.none()));
        StreamSocket s = keep(acceptSoon(l));
        assertTrue(c.finishConnect());
        assertEquals(path, c.remoteAddress());
        assertEquals(5, c.write(ByteBuffer.wrap("hello".getBytes())));
        assertArrayEquals("hello".getBytes(), readFully(s, 5, false));
        c.close();
        assertEquals(-1, s.read(ByteBuffer.allocate(4)));
    }

    @Test
    void listeningOnAnExistingUnixPathFailsAndLeavesTheFirstListenerWorking() throws Exception {
        UnixDomainSocketAddress path = UnixDomainSocketAddress.of(dir.resolve("busy.sock"));
        ListenSocket first = keep(poller.sockets().listen(path, 8, SocketOptions.none()));
        BindException e = assertThrows(BindException.class,
                () -> poller.sockets().listen(path, 8, SocketOptions.none()));
        assertTrue(e.getMessage().startsWith("bind(" + path.getPath() + "): EADDRINUSE"), e.getMessage());
        // Netty's own bind would have unlinked the path and stolen it; the first one still accepts
        keep(poller.sockets().connect(path, SocketOptions.none()));
        assertNotNull(keep(acceptSoon(first)));

        Path file = dir.resolve("precious.txt");
        Files.writeString(file, "keep me");
        assertThrows(BindException.class, () -> poller.sockets().listen(
                UnixDomainSocketAddress.of(file), 8, SocketOptions.none()));
        assertEquals("keep me", Files.readString(file));
    }

    @Test
    void connectingToAMissingUnixPathIsAConnectExceptionWithEnoent() {
        UnixDomainSocketAddress missing = UnixDomainSocketAddress.of(dir.resolve("nobody.sock"));
        ConnectException e = assertThrows(ConnectException.class,
                () -> poller.sockets().connect(missing, SocketOptions.none()));
        assertEquals("connect(" + missing.getPath() + "): ENOENT (No such file or directory)", e.getMessage());
    }

    @Test
    void heapAndDirectBuffersLargerThanTheScratchBufferRoundTrip() throws Exception {
        StreamSocket[] p = tcpPair();
        byte[] data = pattern(300_000); // several scratch-buffer lengths
        ByteBuffer heap = ByteBuffer.wrap(data);
        ByteBuffer readBack = ByteBuffer.allocate(data.length);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (readBack.hasRemaining()) {
            p[0].write(heap);
            p[1].read(readBack);
            assertTrue(System.nanoTime() < deadline, "transfer stalled at " + readBack.position());
        }
        assertArrayEquals(data, readBack.array());
        assertEquals(data.length, heap.position(), "write must advance the heap buffer's position");

        ByteBuffer direct = ByteBuffer.allocateDirect(1000).put(pattern(1000)).flip();
        assertEquals(1000, p[1].write(direct));
        assertEquals(1000, direct.position());
        assertArrayEquals(pattern(1000), readFully(p[0], 1000, true));
    }

    @Test
    void gatheringWritesSendEveryBufferInOrderAndMovePositions() throws Exception {
        StreamSocket[] p = tcpPair();
        ByteBuffer a = ByteBuffer.allocateDirect(3).put(new byte[] {1, 2, 3}).flip();
        ByteBuffer b = ByteBuffer.allocateDirect(0);
        ByteBuffer c = ByteBuffer.allocateDirect(2).put(new byte[] {4, 5}).flip();
        ByteBuffer skipped = ByteBuffer.allocateDirect(1).put((byte) 99).flip();
        assertEquals(5, p[0].write(new ByteBuffer[] {skipped, a, b, c}, 1, 3));
        assertEquals(0, a.remaining());
        assertEquals(0, c.remaining());
        assertEquals(1, skipped.remaining(), "buffers outside the range are untouched");
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, readFully(p[1], 5, false));

        // mixed heap and direct buffers take the copying path
        ByteBuffer h = ByteBuffer.wrap(new byte[] {6, 7});
        ByteBuffer d = ByteBuffer.allocateDirect(1).put((byte) 8).flip();
        assertEquals(3, p[0].write(new ByteBuffer[] {h, d}, 0, 2));
        assertEquals(0, h.remaining() + d.remaining());
        assertArrayEquals(new byte[] {6, 7, 8}, readFully(p[1], 3, true));
        assertThrows(IndexOutOfBoundsException.class, () -> p[0].write(new ByteBuffer[] {h}, 1, 1));
    }

    @Test
    void optionsCanBeSetAndReadAndUnknownOnesAreNamed() throws Exception {
        StreamSocket[] p = tcpPair();
        p[0].setOption(StandardSocketOptions.TCP_NODELAY, true);
        assertTrue(p[0].getOption(StandardSocketOptions.TCP_NODELAY));
        p[0].setOption(StandardSocketOptions.SO_LINGER, 3);
        assertEquals(3, p[0].getOption(StandardSocketOptions.SO_LINGER));
        p[0].setOption(StandardSocketOptions.SO_RCVBUF, 64 * 1024);
        assertTrue(p[0].getOption(StandardSocketOptions.SO_RCVBUF) >= 64 * 1024,
                "Linux doubles the value it is given");
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> p[0].getOption(StandardSocketOptions.IP_MULTICAST_TTL));
        assertTrue(e.getMessage().contains("IP_MULTICAST_TTL"), e.getMessage());

        ListenSocket reuse = keep(poller.sockets().listen(new InetSocketAddress(LOOPBACK, 0), 8,
                SocketOptions.none().with(StandardSocketOptions.SO_REUSEPORT, true)));
        // with SO_REUSEPORT on both, a second listener may share the port
        keep(poller.sockets().listen(reuse.localAddress(), 8,
                SocketOptions.none().with(StandardSocketOptions.SO_REUSEPORT, true)));
    }

    @Test
    void datagramsTravelBothWaysWithHeapAndDirectBuffers() throws Exception {
        DatagramSocket a = keep(poller.sockets().openDatagram(new InetSocketAddress(LOOPBACK, 0), null,
                SocketOptions.none()));
        DatagramSocket b = keep(poller.sockets().openDatagram(null, a.localAddress(), SocketOptions.none()));
        assertEquals(a.localAddress(), b.remoteAddress());
        assertNull(a.receive(ByteBuffer.allocate(16)), "nothing sent yet");

        assertEquals(4, b.send(ByteBuffer.wrap("ping".getBytes()), null));
        ByteBuffer got = ByteBuffer.allocate(16);
        SocketAddress from = receiveSoon(a, got);
        assertEquals(b.localAddress(), from);
        assertEquals("ping", new String(got.array(), 0, got.position()));

        ByteBuffer pong = ByteBuffer.allocateDirect(4).put("pong".getBytes()).flip();
        assertEquals(4, a.send(pong, from));
        ByteBuffer direct = ByteBuffer.allocateDirect(2); // truncates
        assertEquals(a.localAddress(), receiveSoon(b, direct));
        assertEquals(2, direct.position());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> a.send(ByteBuffer.wrap(new byte[1]), null));
        assertTrue(e.getMessage().contains("not connected"), e.getMessage());
    }

    @Test
    void anIcmpPortUnreachableIsReportedOnTheConnectedDatagramSocket() throws Exception {
        int deadPort;
        try (DatagramSocket gone = poller.sockets().openDatagram(new InetSocketAddress(LOOPBACK, 0), null,
                SocketOptions.none())) {
            deadPort = ((InetSocketAddress) gone.localAddress()).getPort();
        }
        DatagramSocket s = keep(poller.sockets().openDatagram(null, new InetSocketAddress(LOOPBACK, deadPort),
                SocketOptions.none()));
        s.send(ByteBuffer.wrap(new byte[] {1}), null);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        PortUnreachableException e = null;
        while (e == null) {
            try {
                assertNull(s.receive(ByteBuffer.allocate(4)));
                assertTrue(System.nanoTime() < deadline, "no ICMP error within 5 s");
                Thread.sleep(1);
            } catch (PortUnreachableException unreachable) {
                e = unreachable;
            }
        }
        assertTrue(e.getMessage().contains("ECONNREFUSED"), e.getMessage());
    }

    private static SocketAddress receiveSoon(DatagramSocket s, ByteBuffer dst) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        SocketAddress from;
        while ((from = s.receive(dst)) == null) {
            assertTrue(System.nanoTime() < deadline, "no datagram within 5 s");
            Thread.sleep(1);
        }
        return from;
    }

    @Test
    void closedSocketsRefuseIoWithClosedChannelException() throws Exception {
        StreamSocket[] p = tcpPair();
        p[0].close();
        p[0].close(); // idempotent
        assertThrows(java.nio.channels.ClosedChannelException.class, () -> p[0].read(ByteBuffer.allocate(1)));
        assertThrows(java.nio.channels.ClosedChannelException.class,
                () -> p[0].write(ByteBuffer.wrap(new byte[1])));
    }

    @Test
    void errnoMappingIsThePosixLayersOne() {
        // One errno table and mapping for every fd backend (spi.SocketErrors, docs/pollers-native.md)
        dev.pollen.spi.ErrnoTable errno = dev.pollen.spi.ErrnoTable.LINUX;
        SocketAddress a = new InetSocketAddress(LOOPBACK, 80);
        IOException e = NativeErrors.forErrno(errno.number("EMFILE"), "accept", a, null);
        assertInstanceOf(ResourceExhaustedException.class, e);
        assertEquals("accept(127.0.0.1:80): EMFILE (Too many open files)", e.getMessage());
        assertInstanceOf(ResourceExhaustedException.class,
                NativeErrors.forErrno(errno.number("ENFILE"), "accept", a, null));
        assertInstanceOf(BindException.class, NativeErrors.forErrno(errno.number("EACCES"), "bind", a, null));
        assertInstanceOf(ConnectException.class,
                NativeErrors.forErrno(errno.number("ETIMEDOUT"), "connect", a, null));
        // The two codes the old netty table mapped differently: now as the JDK's socket code
        // (and so the nio backend) maps them, whatever the call.
        assertInstanceOf(ConnectException.class,
                NativeErrors.forErrno(errno.number("ENOTCONN"), "write", a, null));
        assertInstanceOf(BindException.class,
                NativeErrors.forErrno(errno.number("EACCES"), "sendto", a, null));
        assertEquals("read(127.0.0.1:80): errno 4095 (unknown error)",
                NativeErrors.forErrno(4095, "read", a, null).getMessage());
    }
}
