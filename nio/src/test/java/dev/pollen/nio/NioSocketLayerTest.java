package dev.pollen.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pollen.spi.DatagramSocket;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.Poller;
import dev.pollen.spi.ResourceExhaustedException;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link NioSocketLayer}: TCP, Unix domain and UDP sockets, options and error messages. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NioSocketLayerTest extends NioFixture {

    @TempDir
    Path dir;

    private static String text(ByteBuffer b) {
        b.flip();
        return StandardCharsets.US_ASCII.decode(b).toString();
    }

    @Test
    void bindConflictNamesTheCallAndTheAddress() throws Exception {
        ListenSocket l = listen();
        InetSocketAddress a = (InetSocketAddress) l.localAddress();
        BindException e = assertThrows(BindException.class,
                () -> poller.sockets().listen(a, 16, SocketOptions.none()));
        assertEquals("bind(127.0.0.1:" + a.getPort() + "): Address already in use", e.getMessage());
        assertNotNull(e.getCause(), "the JDK's exception is kept as the cause");
    }

    @Test
    void badArgumentsAreRejectedWithTheirNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> poller.sockets().listen(LOOPBACK_ANY_PORT, 0, SocketOptions.none()));
        assertTrue(e.getMessage().contains("backlog"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> poller.sockets().connect(
                InetSocketAddress.createUnresolved("example.invalid", 80), SocketOptions.none()));
        assertTrue(e.getMessage().contains("remote must be a resolved address"), e.getMessage());
        assertThrows(NullPointerException.class,
                () -> poller.sockets().listen(null, 1, SocketOptions.none()));
    }

    @Test
    void aSourceOfOnePollerCannotBeRegisteredWithAnother() throws Exception {
        NioPoller other = track(new NioPoller());
        ListenSocket l = listen();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> other.register(l, Poller.READ, ops -> { }));
        assertTrue(e.getMessage().contains("not made by this nio poller"), e.getMessage());
    }

    @Test
    void tcpStreamsReadZeroWhenDrainedAndMinusOneAtEndOfStream() throws Exception {
        StreamSocket[] p = pair(listen());
        ByteBuffer dst = ByteBuffer.allocate(64);
        assertEquals(0, p[1].read(dst));
        ByteBuffer[] parts = {bytes("gath"), bytes("ered"), bytes("!")};
        assertEquals(9, p[0].write(parts, 0, 3));
        p[0].shutdownOutput();
        List<Integer> reads = new ArrayList<>();
        poller.register(p[1], Poller.READ, ops -> {
            try {
                reads.add(p[1].read(dst));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        pollUntil(() -> reads.contains(-1));
        assertEquals("gathered!", text(dst));
        assertEquals(p[0].localAddress(), p[1].remoteAddress());
        assertEquals(p[1].localAddress(), p[0].remoteAddress());
    }

    @Test
    void aResetOnAnAcceptedSocketNamesThePeer() throws Exception {
        StreamSocket[] p = pair(listen());
        InetSocketAddress client = (InetSocketAddress) p[0].localAddress();
        p[0].setOption(StandardSocketOptions.SO_LINGER, 0); // close sends RST
        p[0].close();
        List<IOException> errors = new ArrayList<>();
        poller.register(p[1], Poller.READ, ops -> {
            try {
                p[1].read(ByteBuffer.allocate(8));
            } catch (IOException e) {
                errors.add(e);
            }
        });
        pollUntil(() -> !errors.isEmpty());
        assertEquals("read(127.0.0.1:" + client.getPort() + "): Connection reset",
                errors.get(0).getMessage());
        assertInstanceOf(SocketException.class, errors.get(0));
    }

    @Test
    void connectionOptionsGivenToAListenerReachAcceptedSockets() throws Exception {
        ListenSocket l = track(poller.sockets().listen(LOOPBACK_ANY_PORT, 16, SocketOptions.none()
                .with(StandardSocketOptions.TCP_NODELAY, true)
                .with(StandardSocketOptions.SO_KEEPALIVE, true)
                .with(StandardSocketOptions.SO_REUSEADDR, true)));
        StreamSocket[] p = pair(l);
        assertEquals(true, p[1].getOption(StandardSocketOptions.TCP_NODELAY));
        assertEquals(true, p[1].getOption(StandardSocketOptions.SO_KEEPALIVE));
        assertEquals(false, p[0].getOption(StandardSocketOptions.TCP_NODELAY));
        p[0].setOption(StandardSocketOptions.TCP_NODELAY, true);
        assertEquals(true, p[0].getOption(StandardSocketOptions.TCP_NODELAY));
    }

    @Test
    void optionsAreAppliedBeforeConnect() throws Exception {
        ListenSocket l = listen();
        StreamSocket c = track(poller.sockets().connect(l.localAddress(), SocketOptions.none()
                .with(StandardSocketOptions.SO_RCVBUF, 64 * 1024)
                .with(StandardSocketOptions.TCP_NODELAY, true)));
        assertEquals(true, c.getOption(StandardSocketOptions.TCP_NODELAY));
        assertTrue(c.getOption(StandardSocketOptions.SO_RCVBUF) >= 64 * 1024);
    }

    @Test
    void anUnsupportedOptionIsRefusedByName() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> poller.sockets().listen(LOOPBACK_ANY_PORT, 16, SocketOptions.none()
                        .with(StandardSocketOptions.IP_MULTICAST_LOOP, true)));
        assertTrue(e.getMessage().contains("IP_MULTICAST_LOOP"), e.getMessage());
        e = assertThrows(UnsupportedOperationException.class,
                () -> poller.sockets().openDatagram(LOOPBACK_ANY_PORT, null, SocketOptions.none()
                        .with(StandardSocketOptions.TCP_NODELAY, true)));
        assertTrue(e.getMessage().contains("TCP_NODELAY") && e.getMessage().contains("UDP"),
                e.getMessage());
    }

    @Test
    void unixDomainStreamsWork() throws Exception {
        assertTrue(poller.sockets().supportsUnixDomain());
        UnixDomainSocketAddress path = UnixDomainSocketAddress.of(dir.resolve("s.sock"));
        // Options that mean nothing on AF_UNIX are ignored, as Linux does, so one server
        // configuration works for TCP and Unix listeners.
        ListenSocket l = track(poller.sockets().listen(path, 16, SocketOptions.none()
                .with(StandardSocketOptions.SO_REUSEADDR, true)
                .with(StandardSocketOptions.SO_SNDBUF, 32 * 1024)));
        assertEquals(path, l.localAddress());
        List<Integer> acceptReady = new ArrayList<>();
        poller.register(l, Poller.READ, acceptReady::add);
        StreamSocket c = track(poller.sockets().connect(path, SocketOptions.none()));
        assertTrue(c.finishConnect(), "a Unix connect completes at once");
        pollUntil(() -> !acceptReady.isEmpty());
        StreamSocket s = track(l.accept());
        assertNotNull(s);
        assertEquals(5, c.write(bytes("hello")));
        ByteBuffer dst = ByteBuffer.allocate(16);
        List<Integer> reads = new ArrayList<>();
        poller.register(s, Poller.READ, ops -> {
            try {
                reads.add(s.read(dst));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        pollUntil(() -> !reads.isEmpty());
        c.close();
        pollUntil(() -> reads.contains(-1));
        assertEquals("hello", text(dst));
        assertThrows(UnsupportedOperationException.class,
                () -> s.setOption(StandardSocketOptions.TCP_NODELAY, true));
    }

    @Test
    void unixConnectToAMissingPathNamesThePath() {
        UnixDomainSocketAddress missing = UnixDomainSocketAddress.of(dir.resolve("nobody.sock"));
        IOException e = assertThrows(IOException.class,
                () -> poller.sockets().connect(missing, SocketOptions.none()));
        assertTrue(e.getMessage().startsWith("connect(" + missing.getPath() + "): "),
                e.getMessage());
    }

    @Test
    void tcpNoDelayOnAUnixListenerIsRefused() {
        UnixDomainSocketAddress path = UnixDomainSocketAddress.of(dir.resolve("n.sock"));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> poller.sockets().listen(path, 16, SocketOptions.none()
                        .with(StandardSocketOptions.TCP_NODELAY, true)));
        assertTrue(e.getMessage().contains("TCP_NODELAY"), e.getMessage());
        assertTrue(Files.notExists(path.getPath()), "nothing was bound");
    }

    @Test
    void datagramsTravelBetweenTwoSockets() throws Exception {
        DatagramSocket a = track(poller.sockets().openDatagram(LOOPBACK_ANY_PORT, null,
                SocketOptions.none()));
        DatagramSocket b = track(poller.sockets().openDatagram(LOOPBACK_ANY_PORT, a.localAddress(),
                SocketOptions.none().with(StandardSocketOptions.SO_SNDBUF, 64 * 1024)));
        assertEquals(a.localAddress(), b.remoteAddress());
        assertNull(a.remoteAddress());
        ByteBuffer dst = ByteBuffer.allocate(64);
        assertNull(a.receive(dst), "nothing sent yet");
        List<SocketAddress> from = new ArrayList<>();
        poller.register(a, Poller.READ, ops -> {
            try {
                from.add(a.receive(dst));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        assertEquals(4, b.send(bytes("ping"), null));
        pollUntil(() -> !from.isEmpty());
        assertEquals(b.localAddress(), from.get(0));
        assertEquals("ping", text(dst));
        assertEquals(4, a.send(bytes("pong"), b.localAddress()));
        SocketException e = assertThrows(SocketException.class, () -> a.send(bytes("x"), null));
        assertTrue(e.getMessage().contains("not connected"), e.getMessage());
    }

    @Test
    void aConnectedDatagramSocketReportsPortUnreachable() throws Exception {
        assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux"),
                "ICMP port-unreachable reporting on connected UDP sockets is Linux behaviour");
        InetSocketAddress dead;
        try (DatagramSocket gone = poller.sockets().openDatagram(LOOPBACK_ANY_PORT, null,
                SocketOptions.none())) {
            dead = (InetSocketAddress) gone.localAddress();
        }
        DatagramSocket d = track(poller.sockets().openDatagram(null, dead, SocketOptions.none()));
        d.send(bytes("anyone?"), null);
        List<IOException> errors = new ArrayList<>();
        poller.register(d, Poller.READ, ops -> {
            try {
                d.receive(ByteBuffer.allocate(16));
            } catch (IOException e) {
                errors.add(e);
            }
        });
        pollUntil(() -> !errors.isEmpty());
        assertInstanceOf(PortUnreachableException.class, errors.get(0));
        String msg = errors.get(0).getMessage();
        assertTrue(msg.startsWith("receive(127.0.0.1:" + dead.getPort() + ")"), msg);
    }

    @Test
    void unixDomainDatagramsAreRefusedClearly() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> poller.sockets().openDatagram(UnixDomainSocketAddress.of(dir.resolve("d")),
                        null, SocketOptions.none()));
        assertTrue(e.getMessage().contains("Unix domain datagram"), e.getMessage());
    }

    @Test
    void tooManyOpenFilesIsResourceExhaustion() {
        InetSocketAddress a = new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080);
        IOException e = NioErrors.wrap("accept", a, new IOException("Too many open files"));
        assertInstanceOf(ResourceExhaustedException.class, e);
        assertEquals("accept(127.0.0.1:8080): Too many open files", e.getMessage());
        assertInstanceOf(ResourceExhaustedException.class,
                NioErrors.wrap("accept", a, new SocketException("Too many open files in system")));
        IOException refused = NioErrors.wrap("connect", a,
                new ConnectException("Connection refused"));
        assertInstanceOf(ConnectException.class, refused);
    }

    @Test
    void addressesAreDescribedAsUsersWriteThem() throws Exception {
        InetAddress v6 = Inet6Address.getByName("::1");
        assertEquals("[0:0:0:0:0:0:0:1]:80", NioErrors.describe(new InetSocketAddress(v6, 80)));
        assertEquals("/tmp/x.sock", NioErrors.describe(UnixDomainSocketAddress.of("/tmp/x.sock")));
        assertEquals("*", NioErrors.describe(null));
    }

    @Test
    void reusePortBalancingIsReportedOnLinuxOnly() {
        boolean linux = System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux");
        if (!linux) {
            assertEquals(false, poller.sockets().supportsReusePortBalancing());
        } else {
            assertEquals(true, poller.sockets().supportsReusePortBalancing(),
                    "Linux with a JDK that supports SO_REUSEPORT");
        }
    }
}
