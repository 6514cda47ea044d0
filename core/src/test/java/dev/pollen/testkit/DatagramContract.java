package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pollen.loop.EventLoop;
import dev.pollen.net.DatagramEndpoint;
import dev.pollen.net.DatagramProtocol;
import dev.pollen.net.DatagramTransport;
import dev.pollen.net.Net;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The UDP contract on a backend: {@code createDatagramEndpoint}, {@code sendTo}, connected
 * endpoints, ICMP errors through {@code errorReceived}, close.
 *
 * <p><b>Threading:</b> JUnit's test thread runs the loops.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
public class DatagramContract extends NetFixture {

    /** Records datagrams and errors. */
    public static class Collector implements DatagramProtocol {
        /** The transport. */
        public DatagramTransport transport;
        /** Payloads received, as text. */
        public final List<String> received = new ArrayList<>();
        /** Senders, in the same order. */
        public final List<SocketAddress> senders = new ArrayList<>();
        /** Errors received. */
        public final List<Exception> errors = new ArrayList<>();
        /** Whether connectionLost came, and with what. */
        public boolean lost;
        /** The cause given to connectionLost. */
        public Throwable lostCause;

        @Override
        public void connectionMade(DatagramTransport t) {
            transport = t;
        }

        @Override
        public void datagramReceived(ByteBuffer data, SocketAddress from) {
            received.add(StandardCharsets.UTF_8.decode(data).toString());
            senders.add(from);
        }

        @Override
        public void errorReceived(Exception error) {
            errors.add(error);
        }

        @Override
        public void connectionLost(Throwable cause) {
            lost = true;
            lostCause = cause;
        }
    }

    /** Echoes every datagram to its sender. */
    public static class EchoDatagrams extends Collector {
        @Override
        public void datagramReceived(ByteBuffer data, SocketAddress from) {
            transport.sendTo(data, from);
        }
    }

    private static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void datagramsEchoBetweenTwoEndpoints() {
        EventLoop loop = newLoop();
        DatagramEndpoint<EchoDatagrams> server = run(loop, Net.createDatagramEndpoint(loop,
                EchoDatagrams::new, new InetSocketAddress(LOCAL, 0), null));
        SocketAddress serverAddr = server.transport().localAddress();
        assertTrue(((InetSocketAddress) serverAddr).getPort() > 0);
        assertNull(server.transport().peerAddress());
        DatagramEndpoint<Collector> client = run(loop, Net.createDatagramEndpoint(loop,
                Collector::new, null, serverAddr));
        assertEquals(serverAddr, client.transport().peerAddress());
        for (int i = 0; i < 20; i++) {
            client.transport().send(text("datagram " + i));
        }
        runUntil(loop, () -> client.protocol().received.size() == 20, "20 echoed datagrams");
        for (int i = 0; i < 20; i++) {
            // loopback keeps the order
            assertEquals("datagram " + i, client.protocol().received.get(i));
            assertEquals(serverAddr, client.protocol().senders.get(i));
        }
        assertEquals(0, client.transport().writeBufferSize());
        assertNoLoopErrors();
    }

    @Test
    void unconnectedEndpointSendsToAnyAddress() {
        EventLoop loop = newLoop();
        DatagramEndpoint<Collector> a = run(loop, Net.createDatagramEndpoint(loop,
                Collector::new, new InetSocketAddress(LOCAL, 0), null));
        DatagramEndpoint<Collector> b = run(loop, Net.createDatagramEndpoint(loop,
                Collector::new, new InetSocketAddress(LOCAL, 0), null));
        a.transport().sendTo(text("to b"), b.transport().localAddress());
        b.transport().sendTo(text("to a"), a.transport().localAddress());
        runUntil(loop, () -> a.protocol().received.size() == 1 && b.protocol().received.size() == 1,
                "one datagram each way");
        assertEquals("to a", a.protocol().received.get(0));
        assertEquals(b.transport().localAddress(), a.protocol().senders.get(0));
        assertEquals("to b", b.protocol().received.get(0));
        assertNoLoopErrors();
    }

    @Test
    void hostNamesInAddressesAreResolved() {
        EventLoop loop = newLoop();
        DatagramEndpoint<EchoDatagrams> server = run(loop, Net.createDatagramEndpoint(loop,
                EchoDatagrams::new, new InetSocketAddress(LOCAL, 0), null));
        int port = ((InetSocketAddress) server.transport().localAddress()).getPort();
        DatagramEndpoint<Collector> client = run(loop, Net.createDatagramEndpoint(loop,
                Collector::new, new InetSocketAddress(LOCAL, 0),
                InetSocketAddress.createUnresolved("localhost", port)));
        client.transport().send(text("resolved"));
        runUntil(loop, () -> client.protocol().received.size() == 1, "the echo");
        assertEquals("resolved", client.protocol().received.get(0));
    }

    @Test
    void sendToChecksItsTarget() {
        EventLoop loop = newLoop();
        DatagramEndpoint<Collector> unconnected = run(loop, Net.createDatagramEndpoint(loop,
                Collector::new, new InetSocketAddress(LOCAL, 0), null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> unconnected.transport().sendTo(text("x"), null));
        assertTrue(e.getMessage().contains("not connected"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> unconnected.transport().sendTo(text("x"),
                InetSocketAddress.createUnresolved("localhost", 9)));
        DatagramEndpoint<Collector> connected = run(loop, Net.createDatagramEndpoint(loop,
                Collector::new, null, unconnected.transport().localAddress()));
        e = assertThrows(IllegalArgumentException.class, () -> connected.transport().sendTo(
                text("x"), new InetSocketAddress(LOCAL, 9)));
        assertTrue(e.getMessage().contains("connected"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Net.createDatagramEndpoint(loop, Collector::new, null, null));
    }

    @Test
    void icmpPortUnreachableArrivesAsErrorReceived() {
        EventLoop loop = newLoop();
        // Find a port nobody listens on: bind, note the port, close.
        DatagramEndpoint<Collector> gone = run(loop, Net.createDatagramEndpoint(loop,
                Collector::new, new InetSocketAddress(LOCAL, 0), null));
        SocketAddress nobody = gone.transport().localAddress();
        gone.transport().close();
        runUntil(loop, () -> gone.protocol().lost, "close");
        DatagramEndpoint<Collector> c = run(loop, Net.createDatagramEndpoint(loop,
                Collector::new, null, nobody));
        // On a connected UDP socket the kernel queues the ICMP error for the next call.
        for (int i = 0; i < 50 && c.protocol().errors.isEmpty(); i++) {
            c.transport().send(text("anyone?"));
            runFor(loop, java.time.Duration.ofMillis(10));
        }
        assumeTrue(!c.protocol().errors.isEmpty(),
                "this kernel reported no ICMP port-unreachable on loopback: skipped");
        assertInstanceOf(IOException.class, c.protocol().errors.get(0));
        assertTrue(!c.transport().isClosing(), "an ICMP error must not close the endpoint");
        assertNoLoopErrors();
    }

    @Test
    void closeCallsConnectionLostAndLaterSendsThrow() {
        EventLoop loop = newLoop();
        DatagramEndpoint<Collector> e = run(loop, Net.createDatagramEndpoint(loop,
                Collector::new, new InetSocketAddress(LOCAL, 0), null));
        assertSame(e.protocol(), e.transport().getProtocol());
        e.transport().close();
        assertTrue(e.transport().isClosing());
        e.transport().close(); // idempotent
        assertThrows(IllegalStateException.class, () -> e.transport().sendTo(text("x"),
                new InetSocketAddress(LOCAL, 9)));
        runUntil(loop, () -> e.protocol().lost, "connectionLost");
        assertNull(e.protocol().lostCause);
        assertNoLoopErrors();
    }

    @Test
    void pauseReadingHoldsDatagramsInTheKernel() {
        EventLoop loop = newLoop();
        DatagramEndpoint<Collector> a = run(loop, Net.createDatagramEndpoint(loop,
                Collector::new, new InetSocketAddress(LOCAL, 0), null));
        DatagramEndpoint<Collector> b = run(loop, Net.createDatagramEndpoint(loop,
                Collector::new, null, a.transport().localAddress()));
        a.transport().pauseReading();
        b.transport().send(text("held"));
        runFor(loop, java.time.Duration.ofMillis(30));
        assertTrue(a.protocol().received.isEmpty());
        a.transport().resumeReading();
        runUntil(loop, () -> a.protocol().received.size() == 1, "the held datagram");
        assertEquals("held", a.protocol().received.get(0));
    }

    @Test
    void ipv6Datagrams() {
        assumeTrue(hasIpv6Loopback(), "this machine has no IPv6 loopback (::1): skipped");
        EventLoop loop = newLoop();
        DatagramEndpoint<EchoDatagrams> server = run(loop, Net.createDatagramEndpoint(loop,
                EchoDatagrams::new, new InetSocketAddress("::1", 0), null));
        DatagramEndpoint<Collector> client = run(loop, Net.createDatagramEndpoint(loop,
                Collector::new, null, server.transport().localAddress()));
        client.transport().send(text("v6"));
        runUntil(loop, () -> client.protocol().received.size() == 1, "the echo");
        assertEquals("v6", client.protocol().received.get(0));
    }
}
