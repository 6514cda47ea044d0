package dev.pollen.spi;

import java.io.IOException;
import java.net.SocketAddress;

/**
 * The socket primitives a backend supplies: every socket is non-blocking, close-on-exec, and an
 * {@link IoSource} its poller can watch. The networking layer uses nothing else, so it never
 * touches a backend's internals.
 *
 * <p>Addresses are {@link java.net.InetSocketAddress} (resolved; IPv4 or IPv6) or, where
 * {@link #supportsUnixDomain()} says so, {@link java.net.UnixDomainSocketAddress}. Errors are
 * {@link IOException}s whose message names the call, the address and the kernel's error, e.g.
 * {@code "bind(127.0.0.1:8080): EADDRINUSE (Address already in use)"}; the usual subclasses are
 * used ({@link java.net.BindException}, {@link java.net.ConnectException},
 * {@link java.net.SocketException}).
 *
 * <p><b>Threading:</b> loop thread only.
 */
public interface SocketLayer {

    /**
     * Creates, configures, binds and listens a stream socket (TCP, or Unix domain).
     * Options are applied before {@code bind} (as {@code SO_REUSEADDR}/{@code SO_REUSEPORT}
     * require).
     *
     * @param local   where to bind; port 0 picks a free port
     * @param backlog the listen backlog, at least 1
     * @param options socket options
     * @return the listening socket
     * @throws IOException with the address in the message if the kernel refuses
     */
    ListenSocket listen(SocketAddress local, int backlog, SocketOptions options) throws IOException;

    /**
     * Creates a stream socket, applies the options and starts a non-blocking connect. The
     * connect usually completes later: register for {@link Poller#WRITE} and call
     * {@link StreamSocket#finishConnect()} when it is reported.
     *
     * @param remote  where to connect
     * @param options socket options, applied before connecting
     * @return the connecting socket
     * @throws IOException if the connect fails at once (e.g. refused on a Unix socket)
     */
    StreamSocket connect(SocketAddress remote, SocketOptions options) throws IOException;

    /**
     * Creates a UDP socket, binds it to {@code local} (port 0 for any) and, if {@code remote} is
     * not null, connects it so that only that peer's datagrams are received.
     *
     * @param local   where to bind, or null for the wildcard address of {@code remote}'s family
     * @param remote  the peer to connect to, or null
     * @param options socket options
     * @return the datagram socket
     * @throws IOException if the kernel refuses
     */
    DatagramSocket openDatagram(SocketAddress local, SocketAddress remote, SocketOptions options)
            throws IOException;

    /**
     * Takes over a stream socket made by another poller's layer of the same provider, so that it
     * can be registered with this layer's poller: the way an accepting loop hands a connection to
     * another loop (asyncio's {@code connect_accepted_socket}, Netty's child group).
     *
     * <p>Ownership moves: the descriptor is not closed, the returned socket (of this layer) owns
     * it, and {@code socket} becomes unusable at once ({@link IoSource#isOpen()} false, its
     * {@code close()} does nothing, reads and writes fail). Addresses, the connect state and the
     * options set on the descriptor carry over. A socket this layer made itself is returned as
     * is.
     *
     * <p>The socket must be open and not registered: hand it over straight from
     * {@link ListenSocket#accept()} (or from {@link #connect}, before registering). A backend may
     * refuse a socket that was registered before and cancelled since (the JDK Selector keeps a
     * key per channel until it is closed).
     *
     * <p><b>Threading:</b> the adopting poller's loop thread. The old poller's loop must have
     * stopped touching {@code socket} before handing it over (e.g. through
     * {@code callSoonThreadsafe}, which orders the two threads), and must never touch it again.
     *
     * @param socket an open, unregistered stream socket of a poller of the same provider
     * @return the equivalent socket of this layer
     * @throws IllegalArgumentException if {@code socket} was made by another provider's sockets
     *                                  (the message names both), is closed, or is registered
     * @throws NullPointerException     if {@code socket} is null
     */
    StreamSocket adopt(StreamSocket socket);

    /**
     * Whether Unix domain stream sockets are supported.
     *
     * @return true if {@link java.net.UnixDomainSocketAddress} may be used
     */
    boolean supportsUnixDomain();

    /**
     * Whether {@link java.net.StandardSocketOptions#SO_REUSEPORT} load-balances accepted
     * connections between several listeners on one port (Linux semantics).
     *
     * @return true if one listener per loop is worthwhile
     */
    boolean supportsReusePortBalancing();

    /**
     * The layer that starts child processes this poller watches without threads, or null (the
     * default) where there is none and subprocesses use the JDK fallback.
     *
     * <p><b>Threading:</b> the owning loop's thread.
     *
     * @return the process layer or null
     */
    default ProcessLayer processes() {
        return null;
    }
}
