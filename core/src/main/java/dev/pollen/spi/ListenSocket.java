package dev.pollen.spi;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * A listening stream socket. Readable ({@link Poller#READ}) means a connection may be accepted.
 *
 * <p><b>Threading:</b> loop thread only.
 */
public interface ListenSocket extends IoSource {

    /**
     * Accepts one pending connection, already non-blocking and close-on-exec.
     *
     * @return the accepted socket, or null if none is pending
     * @throws IOException if accept fails; {@link ResourceExhaustedException} for EMFILE/ENFILE
     *                     (too many open files), so servers can back off
     */
    StreamSocket accept() throws IOException;

    /**
     * The bound address (with the real port when 0 was asked for).
     *
     * @return the local address
     */
    SocketAddress localAddress();
}
