package dev.pollen.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.DatagramSocket;
import dev.pollen.spi.SocketOptions;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** UDP through the layer on the running OS. */
@EnabledOnOs(value = {OS.LINUX, OS.MAC, OS.FREEBSD}, disabledReason = "POSIX sockets only")
class DatagramLiveTest extends LiveSockets {

    private SocketAddress receive(DatagramSocket s, ByteBuffer dst) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            SocketAddress from = s.receive(dst);
            if (from != null) {
                return from;
            }
            assertTrue(System.nanoTime() < deadline, "no datagram in 10 s");
            Thread.sleep(1);
        }
    }

    @Test
    void sendAndReceiveWithAddresses() throws Exception {
        DatagramSocket a = udp();
        DatagramSocket b = udp();
        assertNull(b.receive(ByteBuffer.allocate(8)), "nothing waiting");
        assertEquals(4, a.send(ascii("ping"), b.localAddress()));
        ByteBuffer dst = ByteBuffer.allocateDirect(16);
        assertEquals(a.localAddress(), receive(b, dst));
        assertEquals("ping", text(dst));
        assertEquals(4, b.send(directAscii("pong"), a.localAddress()));
        ByteBuffer heap = ByteBuffer.allocate(16);
        assertEquals(b.localAddress(), receive(a, heap));
        assertEquals("pong", text(heap));
    }

    @Test
    void longDatagramsAreTruncatedAndConsumed() throws Exception {
        DatagramSocket a = udp();
        DatagramSocket b = udp();
        a.send(ascii("0123456789"), b.localAddress());
        a.send(ascii("next"), b.localAddress());
        ByteBuffer small = ByteBuffer.allocate(4);
        receive(b, small);
        assertEquals("0123", text(small));
        ByteBuffer again = ByteBuffer.allocate(16);
        receive(b, again);
        assertEquals("next", text(again), "the rest of the long datagram was dropped");
    }

    @Test
    void connectedSocketsNeedNoTargetAndReportRefusal() throws Exception {
        DatagramSocket peer = udp();
        DatagramSocket c = track(layer.openDatagram(null, peer.localAddress(), SocketOptions.none()));
        assertEquals(peer.localAddress(), c.remoteAddress());
        assertTrue(((InetSocketAddress) c.localAddress()).getPort() != 0, "bound to a free port");
        assertEquals(2, c.send(ascii("hi"), null));
        ByteBuffer dst = ByteBuffer.allocate(8);
        assertEquals(c.localAddress(), receive(peer, dst));

        SocketAddress dead = peer.localAddress();
        peer.close();
        c.send(ascii("anyone?"), null);
        // The ICMP port-unreachable comes back as ECONNREFUSED on the connected socket.
        PortUnreachableException e = assertThrows(PortUnreachableException.class,
                () -> receive(c, ByteBuffer.allocate(8)));
        assertTrue(e.getMessage().contains("ECONNREFUSED"), e.getMessage());
        assertTrue(e.getMessage().contains(SockAddr.format(dead)), e.getMessage());
    }

    @Test
    void aRestoredErrorIsReportedByTheNextSendOrByAReceiveThatFindsNothing() throws Exception {
        // What a poller does when its readiness report consumed SO_ERROR (libkqueue).
        int refused = layer.os().errno.number("ECONNREFUSED");
        DatagramSocket a = udp();
        DatagramSocket b = udp();
        PosixDatagramSocket pb = (PosixDatagramSocket) b;
        a.send(ascii("ping"), b.localAddress());
        pb.restoreSocketError(refused);
        ByteBuffer dst = ByteBuffer.allocate(8);
        assertEquals(a.localAddress(), receive(b, dst), "a queued datagram comes first");
        assertThrows(PortUnreachableException.class, () -> b.receive(ByteBuffer.allocate(8)));
        assertNull(b.receive(ByteBuffer.allocate(8)), "reported once");
        pb.restoreSocketError(refused);
        assertThrows(PortUnreachableException.class, () -> b.send(ascii("x"), a.localAddress()));
        assertEquals(1, b.send(ascii("x"), a.localAddress()));
    }

    @Test
    void unconnectedSendNeedsATarget() throws Exception {
        DatagramSocket a = udp();
        assertThrows(IllegalArgumentException.class, () -> a.send(ascii("x"), null));
    }

    @Test
    void broadcastOptionIsAccepted() throws Exception {
        DatagramSocket d = track(layer.openDatagram(LOOPBACK_0, null,
                SocketOptions.none().with(StandardSocketOptions.SO_BROADCAST, true)));
        assertTrue(d.localAddress() != null);
    }
}
