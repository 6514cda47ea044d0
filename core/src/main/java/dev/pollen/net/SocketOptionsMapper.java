package dev.pollen.net;

import dev.pollen.spi.SocketOptions;
import java.net.StandardSocketOptions;

/**
 * Turns {@link NetOptions} into the SPI's {@link SocketOptions} for each kind of socket, passing
 * only options that kind supports (a Unix socket has no {@code TCP_NODELAY}; a listening socket
 * has no {@code TCP_NODELAY} or {@code SO_KEEPALIVE}).
 */
final class SocketOptionsMapper {

    private SocketOptionsMapper() {
    }

    /** For a listening socket, applied before bind. */
    static SocketOptions forListener(NetOptions o, boolean tcp) {
        SocketOptions s = SocketOptions.none();
        if (tcp) {
            s = s.with(StandardSocketOptions.SO_REUSEADDR, o.reuseAddress());
            if (o.reusePort()) {
                s = s.with(StandardSocketOptions.SO_REUSEPORT, true);
            }
        }
        // Set on the listener so accepted sockets inherit it before the handshake, when TCP
        // window scaling is negotiated.
        if (o.receiveBufferSize() > 0) {
            s = s.with(StandardSocketOptions.SO_RCVBUF, o.receiveBufferSize());
        }
        return s;
    }

    /** For a connecting socket, applied before connect. */
    static SocketOptions forConnection(NetOptions o, boolean tcp) {
        SocketOptions s = SocketOptions.none();
        if (tcp) {
            if (o.tcpNoDelay()) {
                s = s.with(StandardSocketOptions.TCP_NODELAY, true);
            }
            if (o.keepAlive()) {
                s = s.with(StandardSocketOptions.SO_KEEPALIVE, true);
            }
        }
        if (o.receiveBufferSize() > 0) {
            s = s.with(StandardSocketOptions.SO_RCVBUF, o.receiveBufferSize());
        }
        if (o.sendBufferSize() > 0) {
            s = s.with(StandardSocketOptions.SO_SNDBUF, o.sendBufferSize());
        }
        return s;
    }

    /** For a datagram socket. */
    static SocketOptions forDatagram(NetOptions o) {
        SocketOptions s = SocketOptions.none();
        if (o.reusePort()) {
            s = s.with(StandardSocketOptions.SO_REUSEPORT, true);
        }
        if (o.receiveBufferSize() > 0) {
            s = s.with(StandardSocketOptions.SO_RCVBUF, o.receiveBufferSize());
        }
        if (o.sendBufferSize() > 0) {
            s = s.with(StandardSocketOptions.SO_SNDBUF, o.sendBufferSize());
        }
        return s;
    }
}
