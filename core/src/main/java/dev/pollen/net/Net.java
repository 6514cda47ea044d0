package dev.pollen.net;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Entry points of the networking layer (asyncio's {@code loop.create_connection},
 * {@code loop.create_server}, {@code open_connection}, {@code start_server}...), as static methods
 * that take the loop.
 *
 * <h2>Transports and protocols</h2>
 * <pre>{@code
 * class Echo implements Protocol {
 *     Transport t;
 *     public void connectionMade(Transport t) { this.t = t; }
 *     public void dataReceived(ByteBuffer data) { t.write(data); }
 * }
 * Server server = loop.runUntilComplete(Net.createServer(loop, Echo::new, "127.0.0.1", 8888));
 * }</pre>
 *
 * <h2>Streams</h2>
 * {@link #openConnection} and {@link #startServer} wrap a transport in a {@link StreamReader} and
 * a {@link StreamWriter} whose methods suspend the calling task.
 *
 * <h2>Raw sockets</h2>
 * {@link #sockRecv}, {@link #sockSendall}, {@link #sockConnect}, {@link #sockAccept} and the UDP
 * {@link #sockRecvfrom}, {@link #sockSendto} are asyncio's {@code loop.sock_*}: one operation at
 * a time on a {@link RawSocket}, with no transport in between.
 *
 * <p>Host names are resolved off the loop thread; IP literals need no look-up. Every method
 * returns a {@link Future} of the loop; a failure (refused, unreachable, address in use,
 * unknown host...) completes it exceptionally with the {@link java.io.IOException}, whose message
 * names the address. ({@link Future#await()} and {@link Future#result()} throw a checked
 * exception wrapped in {@link java.util.concurrent.CompletionException}.)
 *
 * <p><b>Threading:</b> every method is loop thread only (or any one thread before the loop runs).
 */
public final class Net {

    private Net() {
    }

    // ------------------------------------------------------------------ TCP connections

    /**
     * Connects to {@code host:port} over TCP with default options. See
     * {@link #createConnection(EventLoop, Supplier, String, int, NetOptions)}.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param loop            the loop
     * @param protocolFactory makes the connection's protocol once it is connected
     * @param host            a host name or an IPv4/IPv6 literal
     * @param port            1 to 65535
     * @param <P>             the protocol type
     * @return the connection's future
     */
    public static <P extends Protocol> Future<Connection<P>> createConnection(EventLoop loop,
            Supplier<? extends P> protocolFactory, String host, int port) {
        return createConnection(loop, protocolFactory, host, port, NetOptions.defaults());
    }

    /**
     * Connects to {@code host:port} over TCP. The host's addresses are tried in the order the
     * resolver returns them (reordered by family with {@link NetOptions#interleave()}) until one
     * accepts: one after the other, or, with {@link NetOptions#happyEyeballsDelay()}, staggered
     * as RFC 8305's Happy Eyeballs (asyncio's {@code happy_eyeballs_delay}): the next address is
     * tried when the previous attempt fails or the delay since it started passes, earlier
     * attempts go on, the first to connect wins and the others are closed.
     * {@link NetOptions#connectTimeout()} bounds the whole attempt. Once connected, the protocol
     * is made, {@link Protocol#connectionMade} is called, then the future completes. Cancelling
     * the future abandons the attempt.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param loop            the loop
     * @param protocolFactory makes the connection's protocol
     * @param host            a host name or an IPv4/IPv6 literal
     * @param port            1 to 65535
     * @param options         socket options and timeouts
     * @param <P>             the protocol type
     * @return a future of the transport and protocol; fails with e.g.
     *         {@link java.net.ConnectException} (refused),
     *         {@link java.net.SocketTimeoutException} (timeout),
     *         {@link java.net.UnknownHostException}
     * @throws IllegalArgumentException if the port is out of range
     */
    public static <P extends Protocol> Future<Connection<P>> createConnection(EventLoop loop,
            Supplier<? extends P> protocolFactory, String host, int port, NetOptions options) {
        return Endpoints.connect(loop, protocolFactory, host, port, options);
    }

    // ------------------------------------------------------------------ name resolution

    /**
     * Resolves {@code host} without blocking the loop (asyncio's {@code loop.getaddrinfo}): the
     * JDK's resolver ({@link java.net.InetAddress#getAllByName}, the system's
     * {@code getaddrinfo} unless a {@link java.net.spi.InetAddressResolverProvider} replaces it)
     * runs on the loop's {@linkplain EventLoop#defaultExecutor() default executor}; IP literals
     * are answered at once. See {@link #getAddrInfo(EventLoop, String, int, ProtocolFamily)}.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param loop the loop whose future is returned
     * @param host a host name or an IP literal
     * @param port 0 to 65535, put in every address
     * @return a future of every address, in the resolver's order; it fails with an
     *         {@link java.net.UnknownHostException} for a name that does not resolve
     */
    public static Future<List<InetSocketAddress>> getAddrInfo(EventLoop loop, String host,
            int port) {
        return getAddrInfo(loop, host, port, null);
    }

    /**
     * As {@link #getAddrInfo(EventLoop, String, int)}, keeping the addresses of one family
     * (asyncio's {@code family=AF_INET} / {@code AF_INET6}). The JDK's resolver has no
     * socket-type or service-name arguments: every address carries {@code port}.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param loop   the loop whose future is returned
     * @param host   a host name or an IP literal
     * @param port   0 to 65535
     * @param family {@link StandardProtocolFamily#INET} or {@link StandardProtocolFamily#INET6},
     *               or null for both
     * @return a future of the addresses; it fails with an {@link java.net.UnknownHostException}
     *         when there is none (of that family)
     * @throws IllegalArgumentException if the port is out of range or the family is
     *                                  {@link StandardProtocolFamily#UNIX}
     */
    public static Future<List<InetSocketAddress>> getAddrInfo(EventLoop loop, String host,
            int port, ProtocolFamily family) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(host, "host");
        Endpoints.checkPort(port, true);
        if (family != null && family != StandardProtocolFamily.INET
                && family != StandardProtocolFamily.INET6) {
            throw new IllegalArgumentException("getAddrInfo: family must be INET, INET6 or null "
                    + "(both), got " + family);
        }
        Endpoints.checkLoop(loop, "Net.getAddrInfo");
        return Resolver.resolve(loop, host, port, false, family);
    }

    /**
     * The host name of {@code address}, by a reverse look-up that does not block the loop
     * (asyncio's {@code loop.getnameinfo}, without service names): the JDK's resolver runs on
     * the loop's default executor. An address without a name gives its text form, as
     * {@code getnameinfo} without {@code NI_NAMEREQD}.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param loop    the loop whose future is returned
     * @param address an IPv4 or IPv6 address (a name it carries is ignored: the look-up is done)
     * @return a future of the host name
     */
    public static Future<String> getNameInfo(EventLoop loop, InetAddress address) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(address, "address");
        Endpoints.checkLoop(loop, "Net.getNameInfo");
        return Resolver.nameOf(loop, address);
    }

    // ------------------------------------------------------------------ TCP servers

    /**
     * Starts a TCP server with default options. See
     * {@link #createServer(EventLoop, Supplier, String, int, NetOptions)}.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param loop            the loop
     * @param protocolFactory makes one protocol per accepted connection
     * @param host            where to listen, or null for every interface
     * @param port            0 to 65535; 0 picks a free port (see {@link Server#sockets()})
     * @return the server's future
     */
    public static Future<Server> createServer(EventLoop loop,
            Supplier<? extends Protocol> protocolFactory, String host, int port) {
        return createServer(loop, protocolFactory, host, port, NetOptions.defaults());
    }

    /**
     * Starts a TCP server: binds one listening socket per address {@code host} resolves to (a
     * null or empty host means the wildcard address) and accepts connections at once, making a
     * protocol for each. If one address cannot be bound, none is kept and the future fails with a
     * {@link java.net.BindException} that names the address.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param loop            the loop
     * @param protocolFactory makes one protocol per accepted connection
     * @param host            where to listen, or null for every interface
     * @param port            0 to 65535; 0 picks a free port
     * @param options         backlog, reuse flags, socket options, water marks
     * @return the server's future
     * @throws IllegalArgumentException if the port is out of range
     */
    public static Future<Server> createServer(EventLoop loop,
            Supplier<? extends Protocol> protocolFactory, String host, int port,
            NetOptions options) {
        return Endpoints.serve(loop, protocolFactory, host, port, options);
    }

    /**
     * Starts a connection on a socket accepted somewhere else (asyncio's
     * {@code loop.connect_accepted_socket}): typically one loop accepts and hands the socket to
     * another loop with {@code callSoonThreadsafe}, which calls this. A socket of another poller
     * (of the same provider) is first adopted by this loop's poller
     * ({@link dev.pollen.spi.SocketLayer#adopt}); the TCP options of {@code options}
     * ({@code tcpNoDelay}, {@code keepAlive}, {@code sendBufferSize}) are set on it, the protocol
     * is made, {@link Protocol#connectionMade} is called, then the future completes. The
     * connection belongs to no {@link Server}; see {@link Server#connectAcceptedSocket} for one
     * that does.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs); the
     * socket's old loop must not touch it any more.
     *
     * @param loop            the loop that will own the connection
     * @param protocolFactory makes the connection's protocol
     * @param socket          an open, connected, unregistered stream socket (TCP or Unix) of this
     *                        loop's poller or of another poller of the same provider; owned by
     *                        the connection from now on
     * @param options         socket options and water marks
     * @param <P>             the protocol type
     * @return a future of the transport and protocol; it fails (and the socket is closed) if the
     *         factory or {@code connectionMade} fails
     * @throws IllegalArgumentException if the socket cannot be adopted (another provider's,
     *                                  closed or registered; it is left as it was)
     */
    public static <P extends Protocol> Future<Connection<P>> connectAcceptedSocket(EventLoop loop,
            Supplier<? extends P> protocolFactory, StreamSocket socket, NetOptions options) {
        return Endpoints.connectAccepted(loop, protocolFactory, socket, options);
    }

    /**
     * A server with no listening socket of its own, on {@code loop}: it serves the sockets handed
     * to it with {@link Server#connectAcceptedSocket} (accepted by another loop's server, see
     * {@link Server#setAcceptedSocketHandler}), and tracks them as any server does
     * ({@link Server#connectionCount()}, {@link Server#closeClients()}, {@link Server#waitClosed()}).
     * A loop group's single acceptor uses one per loop.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param loop            the loop
     * @param protocolFactory makes one protocol per connection
     * @param options         socket options and water marks of the connections
     * @return the server, serving (its {@link Server#sockets()} is empty)
     */
    public static Server createHandoffServer(EventLoop loop,
            Supplier<? extends Protocol> protocolFactory, NetOptions options) {
        return Endpoints.serveHandedOff(loop, protocolFactory, options);
    }

    // ------------------------------------------------------------------ raw sockets (sock_*)

    /**
     * Receives up to {@code n} bytes from a connected stream socket (asyncio's
     * {@code loop.sock_recv(sock, n)}). Reads at once if data is waiting (the future is then
     * already done), else waits for readability; one call returns at most 64 KiB (the loop's
     * read buffer), like one read of a transport.
     *
     * <p>Cancelling the future reads nothing: the next receive gets the data. Only one receive (or accept) may wait on a socket at a time.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param sock a connected stream socket ({@link RawSocket#stream}, or from
     *             {@link #sockAccept})
     * @param n    the most bytes to return, at least 0 (0 returns an empty array at once)
     * @return a future of the bytes read: 1 to {@code n} of them, or none at end of stream; it
     *         fails with the {@link IOException} of a failed connection (e.g. a reset)
     * @throws IllegalArgumentException if {@code n} is negative
     * @throws IllegalStateException    if the socket is closed or not a connected stream socket,
     *                                  or another receive is waiting on it
     */
    public static Future<byte[]> sockRecv(RawSocket sock, int n) {
        return Objects.requireNonNull(sock, "sock").recv(n);
    }

    /**
     * Receives into {@code buf} from a connected stream socket (asyncio's
     * {@code loop.sock_recv_into(sock, buf)}): the bytes go between the buffer's position and its
     * limit, and the position moves past them, as {@link java.nio.channels.SocketChannel#read}
     * does. Otherwise as {@link #sockRecv}.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param sock a connected stream socket
     * @param buf  where to receive; not to be touched until the future is done
     * @return a future of how many bytes were received: 0 at end of stream (as asyncio), or at
     *         once if {@code buf} has no room
     * @throws IllegalArgumentException if {@code buf} is read-only
     * @throws IllegalStateException    if the socket is closed or not a connected stream socket,
     *                                  or another receive is waiting on it
     */
    public static Future<Integer> sockRecvInto(RawSocket sock, java.nio.ByteBuffer buf) {
        return Objects.requireNonNull(sock, "sock").recvInto(buf);
    }

    /**
     * Sends all of {@code data} on a connected stream socket (asyncio's
     * {@code loop.sock_sendall(sock, data)}): sends what the kernel takes now, then waits for
     * writability and sends more, until nothing is left. The buffer's position moves past what
     * was sent, so after a cancellation or a failure it tells how much went out. The future
     * completes once the last byte is in the kernel's send buffer.
     *
     * <p>Only one send (or connect) may wait on a socket at a time; a receive may wait alongside.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param sock a connected stream socket
     * @param data the bytes to send, from its position to its limit; not to be touched until the
     *             future is done
     * @return a future done when everything is sent; it fails with the {@link IOException} of a
     *         failed connection (e.g. a broken pipe)
     * @throws IllegalStateException if the socket is closed or not a connected stream socket, or
     *                               another send is waiting on it
     */
    public static Future<Void> sockSendall(RawSocket sock, java.nio.ByteBuffer data) {
        return Objects.requireNonNull(sock, "sock").sendall(data);
    }

    /**
     * Sends all of {@code data}. See {@link #sockSendall(RawSocket, java.nio.ByteBuffer)}.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param sock a connected stream socket
     * @param data the bytes to send; not to be changed until the future is done
     * @return a future done when everything is sent
     * @throws IllegalStateException if the socket is closed or not a connected stream socket, or
     *                               another send is waiting on it
     */
    public static Future<Void> sockSendall(RawSocket sock, byte[] data) {
        return sockSendall(sock, java.nio.ByteBuffer.wrap(Objects.requireNonNull(data, "data")));
    }

    /**
     * Connects a stream socket made by {@link RawSocket#stream} (asyncio's
     * {@code loop.sock_connect(sock, address)}). An unresolved {@link InetSocketAddress} is
     * resolved off the loop first and its first address is used; a
     * {@link java.net.UnixDomainSocketAddress} connects a Unix domain socket.
     *
     * <p>A refused or failed connect fails the future with the {@link IOException} (e.g.
     * {@link java.net.ConnectException} {@code "connect(127.0.0.1:1): ECONNREFUSED (Connection
     * refused)"}), which is routine and logged nowhere. A failed or cancelled connect leaves the
     * socket unconnected and usable for another {@code sockConnect}.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param sock    an unconnected stream socket
     * @param address where to connect
     * @return a future done when connected
     * @throws IllegalStateException if the socket is closed, not a stream socket, already
     *                               connected, or connecting
     */
    public static Future<Void> sockConnect(RawSocket sock, SocketAddress address) {
        return Objects.requireNonNull(sock, "sock").connect(address);
    }

    /**
     * Accepts a connection on a listening socket made by {@link RawSocket#listen} (asyncio's
     * {@code loop.sock_accept(sock)}): at once if one is pending, else when one arrives.
     * Cancelling the future accepts nothing; the connection waits for the next accept.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param sock a listening socket
     * @return a future of the connection and its peer's address; it fails with the
     *         {@link IOException} of a failed accept
     *         ({@link dev.pollen.spi.ResourceExhaustedException} when out of descriptors)
     * @throws IllegalStateException if the socket is closed or not listening, or another accept
     *                               is waiting on it
     */
    public static Future<RawSocket.Accepted> sockAccept(RawSocket sock) {
        return Objects.requireNonNull(sock, "sock").accept();
    }

    /**
     * Receives one datagram of up to {@code n} bytes (asyncio 3.11's
     * {@code loop.sock_recvfrom(sock, n)}); a longer datagram is truncated. Waits for one if none
     * is there; cancelling the future receives nothing.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param sock a datagram socket ({@link RawSocket#datagram})
     * @param n    the most bytes to keep, at least 1
     * @return a future of the payload and the sender; it fails with the {@link IOException} the
     *         kernel queued (e.g. {@link java.net.PortUnreachableException} on a connected socket)
     * @throws IllegalArgumentException if {@code n} is less than 1
     * @throws IllegalStateException    if the socket is closed or not a datagram socket, or
     *                                  another receive is waiting on it
     */
    public static Future<RawSocket.Datagram> sockRecvfrom(RawSocket sock, int n) {
        return Objects.requireNonNull(sock, "sock").recvfrom(n);
    }

    /**
     * Receives one datagram into {@code buf} (asyncio 3.11's
     * {@code loop.sock_recvfrom_into(sock, buf)}), from its position up to its limit (a longer
     * datagram is truncated); the position moves past the bytes. Otherwise as
     * {@link #sockRecvfrom}.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param sock a datagram socket
     * @param buf  where to receive; not to be touched until the future is done
     * @return a future of the byte count and the sender
     * @throws IllegalArgumentException if {@code buf} is read-only
     * @throws IllegalStateException    if the socket is closed or not a datagram socket, or
     *                                  another receive is waiting on it
     */
    public static Future<RawSocket.Received> sockRecvfromInto(RawSocket sock,
            java.nio.ByteBuffer buf) {
        return Objects.requireNonNull(sock, "sock").recvfromInto(buf);
    }

    /**
     * Sends {@code data} as one datagram (asyncio 3.11's
     * {@code loop.sock_sendto(sock, data, address)}), waiting for room in the send buffer if
     * there is none. The buffer's position moves to its limit once sent.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param sock    a datagram socket
     * @param data    the payload; not to be touched until the future is done
     * @param address a resolved destination, or null on a connected socket
     * @return a future of the bytes sent (all of {@code data}); it fails with the kernel's
     *         {@link IOException}
     * @throws IllegalArgumentException if {@code address} is unresolved, or null on an unconnected
     *                                  socket
     * @throws IllegalStateException    if the socket is closed or not a datagram socket, or
     *                                  another send is waiting on it
     */
    public static Future<Integer> sockSendto(RawSocket sock, java.nio.ByteBuffer data,
            SocketAddress address) {
        return Objects.requireNonNull(sock, "sock").sendto(data, address);
    }

    // ------------------------------------------------------------------ Unix domain sockets

    /**
     * Connects to a Unix domain stream socket with default options.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param loop            the loop
     * @param protocolFactory makes the connection's protocol
     * @param path            the socket file
     * @param <P>             the protocol type
     * @return the connection's future
     * @throws UnsupportedOperationException if the loop's poller has no Unix sockets
     */
    public static <P extends Protocol> Future<Connection<P>> createUnixConnection(EventLoop loop,
            Supplier<? extends P> protocolFactory, Path path) {
        return createUnixConnection(loop, protocolFactory, path, NetOptions.defaults());
    }

    /**
     * Connects to a Unix domain stream socket.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param loop            the loop
     * @param protocolFactory makes the connection's protocol
     * @param path            the socket file
     * @param options         buffer sizes, water marks, connect timeout
     * @param <P>             the protocol type
     * @return the connection's future
     * @throws UnsupportedOperationException if the loop's poller has no Unix sockets
     */
    public static <P extends Protocol> Future<Connection<P>> createUnixConnection(EventLoop loop,
            Supplier<? extends P> protocolFactory, Path path, NetOptions options) {
        return Endpoints.connectUnix(loop, protocolFactory, path, options);
    }

    /**
     * Starts a Unix domain stream server with default options.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param loop            the loop
     * @param protocolFactory makes one protocol per connection
     * @param path            the socket file to create
     * @return the server's future
     * @throws UnsupportedOperationException if the loop's poller has no Unix sockets
     */
    public static Future<Server> createUnixServer(EventLoop loop,
            Supplier<? extends Protocol> protocolFactory, Path path) {
        return createUnixServer(loop, protocolFactory, path, NetOptions.defaults());
    }

    /**
     * Starts a Unix domain stream server. A stale socket file at {@code path} (left by a server
     * that died) is removed first, as asyncio does; any other existing file makes the bind fail.
     * {@link Server#close()} removes the socket file.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param loop            the loop
     * @param protocolFactory makes one protocol per connection
     * @param path            the socket file to create
     * @param options         backlog, buffer sizes, water marks
     * @return the server's future
     * @throws UnsupportedOperationException if the loop's poller has no Unix sockets
     */
    public static Future<Server> createUnixServer(EventLoop loop,
            Supplier<? extends Protocol> protocolFactory, Path path, NetOptions options) {
        return Endpoints.serveUnix(loop, protocolFactory, path, options);
    }

    // ------------------------------------------------------------------ UDP

    /**
     * Opens a UDP endpoint with default options. See
     * {@link #createDatagramEndpoint(EventLoop, Supplier, SocketAddress, SocketAddress,
     * NetOptions)}.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param loop            the loop
     * @param protocolFactory makes the endpoint's protocol
     * @param local           where to bind, or null
     * @param remote          the peer to connect to, or null
     * @param <P>             the protocol type
     * @return the endpoint's future
     */
    public static <P extends DatagramProtocol> Future<DatagramEndpoint<P>> createDatagramEndpoint(
            EventLoop loop, Supplier<? extends P> protocolFactory, SocketAddress local,
            SocketAddress remote) {
        return createDatagramEndpoint(loop, protocolFactory, local, remote, NetOptions.defaults());
    }

    /**
     * Opens a UDP endpoint: binds to {@code local} (port 0 for any; null for the wildcard of
     * {@code remote}'s family) and, if {@code remote} is given, connects to it so only its
     * datagrams arrive and {@link DatagramTransport#send(java.nio.ByteBuffer)} needs no address.
     * Unresolved {@link java.net.InetSocketAddress}es are resolved off the loop.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param loop            the loop
     * @param protocolFactory makes the endpoint's protocol
     * @param local           where to bind, or null
     * @param remote          the peer to connect to, or null
     * @param options         reusePort, buffer sizes, water marks
     * @param <P>             the protocol type
     * @return the endpoint's future
     * @throws IllegalArgumentException if both addresses are null
     */
    public static <P extends DatagramProtocol> Future<DatagramEndpoint<P>> createDatagramEndpoint(
            EventLoop loop, Supplier<? extends P> protocolFactory, SocketAddress local,
            SocketAddress remote, NetOptions options) {
        return Endpoints.datagram(loop, protocolFactory, local, remote, options);
    }

    // ------------------------------------------------------------------ streams

    /**
     * Opens a TCP stream connection with default options (asyncio's {@code open_connection}).
     * See {@link #openConnection(String, int, NetOptions)}.
     *
     * <p><b>Threading:</b> loop thread only, inside a task (it awaits).
     *
     * @param host a host name or an IP literal
     * @param port 1 to 65535
     * @return the reader and writer
     * @throws IOException if the connection cannot be made (refused, unknown host...)
     */
    public static StreamConnection openConnection(String host, int port) throws IOException {
        return openConnection(host, port, NetOptions.defaults());
    }

    /**
     * Opens a TCP stream connection on the current task's loop, suspending the task until it is
     * connected.
     *
     * <p><b>Threading:</b> loop thread only, inside a task (it awaits).
     *
     * @param host    a host name or an IP literal
     * @param port    1 to 65535
     * @param options socket options, timeouts and {@link NetOptions#streamLimit()}
     * @return the reader and writer
     * @throws IOException if the connection cannot be made
     * @throws IllegalStateException if not called inside a task
     */
    public static StreamConnection openConnection(String host, int port, NetOptions options)
            throws IOException {
        return Streams.open(host, port, options);
    }

    /**
     * Opens a Unix domain stream connection with default options.
     *
     * <p><b>Threading:</b> loop thread only, inside a task (it awaits).
     *
     * @param path the socket file
     * @return the reader and writer
     * @throws IOException if the connection cannot be made
     */
    public static StreamConnection openUnixConnection(Path path) throws IOException {
        return openUnixConnection(path, NetOptions.defaults());
    }

    /**
     * Opens a Unix domain stream connection.
     *
     * <p><b>Threading:</b> loop thread only, inside a task (it awaits).
     *
     * @param path    the socket file
     * @param options buffer sizes, water marks, stream limit
     * @return the reader and writer
     * @throws IOException if the connection cannot be made
     */
    public static StreamConnection openUnixConnection(Path path, NetOptions options)
            throws IOException {
        return Streams.openUnix(path, options);
    }

    /**
     * Starts a TCP stream server with default options (asyncio's {@code start_server}).
     *
     * <p><b>Threading:</b> loop thread only, inside a task (it awaits).
     *
     * @param handler run as a new task for every connection
     * @param host    where to listen, or null for every interface
     * @param port    0 to 65535 (0 picks a free port)
     * @return the server, already serving
     * @throws IOException if binding fails (the message names the address)
     */
    public static Server startServer(ClientConnected handler, String host, int port)
            throws IOException {
        return startServer(handler, host, port, NetOptions.defaults());
    }

    /**
     * Starts a TCP stream server on the current task's loop: every connection gets a
     * {@link StreamReader} and a {@link StreamWriter} and runs {@code handler} in its own task.
     *
     * <p><b>Threading:</b> loop thread only, inside a task (it awaits).
     *
     * @param handler run as a new task for every connection
     * @param host    where to listen, or null for every interface
     * @param port    0 to 65535
     * @param options backlog, reuse flags, socket options, stream limit
     * @return the server, already serving
     * @throws IOException if binding fails
     */
    public static Server startServer(ClientConnected handler, String host, int port,
            NetOptions options) throws IOException {
        return Streams.serve(handler, host, port, options);
    }

    /**
     * Starts a Unix domain stream server with default options.
     *
     * <p><b>Threading:</b> loop thread only, inside a task (it awaits).
     *
     * @param handler run as a new task for every connection
     * @param path    the socket file to create
     * @return the server
     * @throws IOException if binding fails
     */
    public static Server startUnixServer(ClientConnected handler, Path path) throws IOException {
        return startUnixServer(handler, path, NetOptions.defaults());
    }

    /**
     * Starts a Unix domain stream server.
     *
     * <p><b>Threading:</b> loop thread only, inside a task (it awaits).
     *
     * @param handler run as a new task for every connection
     * @param path    the socket file to create
     * @param options backlog, buffer sizes, stream limit
     * @return the server
     * @throws IOException if binding fails
     */
    public static Server startUnixServer(ClientConnected handler, Path path, NetOptions options)
            throws IOException {
        return Streams.serveUnix(handler, path, options);
    }

    // ------------------------------------------------------------------ TLS

    /**
     * Connects to {@code host:port} over TLS (asyncio's {@code create_connection(ssl=...)}): the
     * TCP connect as {@link #createConnection(EventLoop, Supplier, String, int, NetOptions)},
     * then the handshake; the protocol is made and {@link Protocol#connectionMade} called with
     * the {@link TlsTransport} once the handshake has completed, then the future completes. The
     * server name sent (SNI) and verified is {@code host}, unless the configuration names one.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param loop            the loop
     * @param protocolFactory makes the connection's protocol (after the handshake)
     * @param host            a host name or an IP literal
     * @param port            1 to 65535
     * @param options         socket options and timeouts ({@code connectTimeout} bounds the TCP
     *                        connect; {@link dev.pollen.net.tls.TlsConfig#handshakeTimeout()}
     *                        the handshake)
     * @param tls             a {@link dev.pollen.net.tls.TlsConfig#forClient()} configuration
     * @param <P>             the protocol type
     * @return a future of the transport and protocol; fails as a TCP connect does, or with a
     *         {@link dev.pollen.net.tls.TlsHandshakeException} naming the reason
     * @throws IllegalArgumentException if {@code tls} is a server configuration
     */
    public static <P extends Protocol> Future<Connection<P>> createConnection(EventLoop loop,
            Supplier<? extends P> protocolFactory, String host, int port, NetOptions options,
            dev.pollen.net.tls.TlsConfig tls) {
        return TlsLayer.connect(loop, protocolFactory, host, port, options, tls);
    }

    /**
     * Starts a TLS server (asyncio's {@code create_server(ssl=...)}): as
     * {@link #createServer(EventLoop, Supplier, String, int, NetOptions)}, and every accepted
     * connection runs the handshake before its protocol is made and given the
     * {@link TlsTransport}. A failed handshake closes the connection and is reported to
     * {@link dev.pollen.net.tls.TlsConfig#handshakeFailureListener()}.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param loop            the loop
     * @param protocolFactory makes one protocol per connection, after its handshake
     * @param host            where to listen, or null for every interface
     * @param port            0 to 65535
     * @param options         backlog, reuse flags, socket options, water marks
     * @param tls             a {@link dev.pollen.net.tls.TlsConfig#forServer} configuration
     * @return the server's future
     * @throws IllegalArgumentException if {@code tls} is a client configuration
     */
    public static Future<Server> createServer(EventLoop loop,
            Supplier<? extends Protocol> protocolFactory, String host, int port,
            NetOptions options, dev.pollen.net.tls.TlsConfig tls) {
        return createServer(loop, tlsServerFactory(tls, protocolFactory), host, port, options);
    }

    /**
     * A protocol factory that serves every connection as {@link #startServer} does: a
     * {@link StreamReader} and {@link StreamWriter} and {@code handler} run as a task, on the
     * loop serving the connection. Give it to any server entry point
     * ({@link dev.pollen.group.LoopGroup#createServer}, {@link #createHandoffServer},
     * {@link #tlsServerFactory}...); {@link dev.pollen.group.LoopGroup#startServer} does.
     *
     * <p><b>Threading:</b> any thread; the factory must be called on a loop thread (servers
     * do), and it is thread-safe if {@code handler} is (a loop group calls it from every loop).
     *
     * @param handler run as a new task for every connection
     * @param options the stream limit ({@link NetOptions#streamLimit()}) is taken from here
     * @return the factory to give the server
     */
    public static Supplier<Protocol> streamServerFactory(ClientConnected handler,
            NetOptions options) {
        Objects.requireNonNull(options, "options");
        return Streams.serverFactory(handler, options);
    }

    /**
     * Wraps a server's protocol factory so that every connection it serves speaks TLS: give the
     * result to any server entry point ({@link dev.pollen.group.LoopGroup#createServer},
     * {@link #createHandoffServer}, {@link #createUnixServer}...). {@code protocolFactory} is
     * called after each successful handshake.
     *
     * <p><b>Threading:</b> any thread; the returned factory is thread-safe if
     * {@code protocolFactory} is (a loop group calls it from every loop).
     *
     * @param tls             a {@link dev.pollen.net.tls.TlsConfig#forServer} configuration
     * @param protocolFactory the application's protocol factory
     * @return the factory to give the server
     * @throws IllegalArgumentException if {@code tls} is a client configuration
     */
    public static Supplier<Protocol> tlsServerFactory(dev.pollen.net.tls.TlsConfig tls,
            Supplier<? extends Protocol> protocolFactory) {
        return TlsLayer.serverFactory(tls, protocolFactory);
    }

    /**
     * Upgrades an open connection to TLS (asyncio's {@code loop.start_tls}): from now on the
     * transport's bytes are TLS records, and {@code protocol} (usually the transport's current
     * protocol) talks to the returned {@link TlsTransport}, whose {@code connectionMade} is
     * <em>not</em> called. Stop writing to the old transport. No plaintext reaches
     * {@code protocol} before the future's done-callbacks (or the task awaiting it) have run, so
     * it can switch to the new transport first. If the handshake fails, the
     * connection is closed, the future fails with a
     * {@link dev.pollen.net.tls.TlsHandshakeException}, and {@code protocol} gets
     * {@code connectionLost} with it.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param transport an open stream transport (TCP, Unix, or TLS)
     * @param protocol  the protocol that will read and write plaintext
     * @param tls       {@code forServer} to answer as the server, {@code forClient} as the client
     * @return a future of the TLS transport, completed after the handshake
     * @throws IllegalStateException    if the transport is closing
     * @throws IllegalArgumentException if a client configuration has no server name to verify
     *                                  (use {@link #startTls(Transport, Protocol,
     *                                  dev.pollen.net.tls.TlsConfig, String)})
     */
    public static Future<TlsTransport> startTls(Transport transport, Protocol protocol,
            dev.pollen.net.tls.TlsConfig tls) {
        return TlsLayer.startTls(transport, protocol, tls, null);
    }

    /**
     * {@link #startTls(Transport, Protocol, dev.pollen.net.tls.TlsConfig)} with the server name
     * a client sends (SNI) and verifies (asyncio's {@code server_hostname}).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param transport  an open stream transport
     * @param protocol   the protocol that will read and write plaintext
     * @param tls        the configuration
     * @param serverName the server's name, or null for the configuration's
     * @return a future of the TLS transport
     */
    public static Future<TlsTransport> startTls(Transport transport, Protocol protocol,
            dev.pollen.net.tls.TlsConfig tls, String serverName) {
        return TlsLayer.startTls(transport, protocol, tls, serverName);
    }

    /**
     * Opens a TLS stream connection (asyncio's {@code open_connection(ssl=...)}), suspending the
     * task until the handshake has completed.
     *
     * <p><b>Threading:</b> loop thread only, inside a task (it awaits).
     *
     * @param host    a host name or an IP literal (also the name verified, unless the
     *                configuration names one)
     * @param port    1 to 65535
     * @param options socket options, timeouts, stream limit
     * @param tls     a client configuration
     * @return the reader and writer (plaintext)
     * @throws IOException if the connection cannot be made, or a
     *                     {@link dev.pollen.net.tls.TlsHandshakeException}
     */
    public static StreamConnection openConnection(String host, int port, NetOptions options,
            dev.pollen.net.tls.TlsConfig tls) throws IOException {
        return Streams.open(host, port, options, tls);
    }

    /**
     * Starts a TLS stream server (asyncio's {@code start_server(ssl=...)}): each connection's
     * handler task starts after its handshake.
     *
     * <p><b>Threading:</b> loop thread only, inside a task (it awaits).
     *
     * @param handler run as a new task for every connection
     * @param host    where to listen, or null for every interface
     * @param port    0 to 65535
     * @param options backlog, reuse flags, socket options, stream limit
     * @param tls     a server configuration
     * @return the server, already serving
     * @throws IOException if binding fails
     */
    public static Server startServer(ClientConnected handler, String host, int port,
            NetOptions options, dev.pollen.net.tls.TlsConfig tls) throws IOException {
        return Streams.serve(handler, host, port, options, tls);
    }

    // ------------------------------------------------------------------ proxies

    /**
     * Forwards {@code a} and {@code b} into each other with flow control, half-close and error
     * propagation (see {@link Pipe}). The pipe takes over both transports' protocols and resumes
     * their reading.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param a one transport
     * @param b another open transport of the same loop
     * @return the pipe, whose {@link Pipe#whenClosed()} completes when both are closed
     * @throws IllegalArgumentException if the transports are the same, on different loops, or
     *                                  one is already closing
     */
    public static Pipe pipe(Transport a, Transport b) {
        return new Pipe(a, b);
    }

    // ------------------------------------------------------------------ subprocesses

    /**
     * Starts {@code program} with {@code args}, no shell involved, all streams inherited
     * (asyncio's {@code create_subprocess_exec}); see {@link Subprocess}.
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @param program the program, found on the {@code PATH} unless it contains a slash
     * @param args    its arguments
     * @return the running child
     * @throws IOException if it cannot be started (the message names the program and the
     *                     reason, e.g. "No such file or directory")
     */
    public static Subprocess createSubprocessExec(String program, String... args)
            throws IOException {
        return createSubprocessExec(SubprocessOptions.defaults(), program, args);
    }

    /**
     * Starts {@code program} with {@code args} and the given streams (asyncio's
     * {@code create_subprocess_exec(..., stdin=, stdout=, stderr=)}).
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @param options the streams, directory, environment
     * @param program the program
     * @param args    its arguments
     * @return the running child
     * @throws IOException if it cannot be started
     */
    public static Subprocess createSubprocessExec(SubprocessOptions options, String program,
            String... args) throws IOException {
        Objects.requireNonNull(program, "program");
        List<String> argv = new java.util.ArrayList<>(args.length + 1);
        argv.add(program);
        argv.addAll(List.of(args));
        return Subprocess.exec(options, argv);
    }

    /**
     * Runs {@code command} with {@code /bin/sh -c}, all streams inherited (asyncio's
     * {@code create_subprocess_shell}). Quoting the command is the caller's job.
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @param command the shell command line
     * @return the running shell
     * @throws IOException if the shell cannot be started
     */
    public static Subprocess createSubprocessShell(String command) throws IOException {
        return createSubprocessShell(SubprocessOptions.defaults(), command);
    }

    /**
     * Runs {@code command} with {@code /bin/sh -c} and the given streams.
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @param options the streams, directory, environment
     * @param command the shell command line
     * @return the running shell
     * @throws IOException if the shell cannot be started
     */
    public static Subprocess createSubprocessShell(SubprocessOptions options, String command)
            throws IOException {
        Objects.requireNonNull(command, "command");
        return Subprocess.exec(options, List.of("/bin/sh", "-c", command));
    }

    /**
     * Starts {@code program} at the protocol level (asyncio's {@code loop.subprocess_exec}): the
     * child's output goes to a {@link SubprocessProtocol} made by {@code factory}. The future is
     * done at once (the child is started synchronously, as asyncio's).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param loop    the loop
     * @param factory makes the protocol
     * @param options the streams (asyncio's {@code subprocess_exec} pipes all three by default:
     *                pass {@link SubprocessOptions#pipes()} for the same)
     * @param program the program
     * @param args    its arguments
     * @param <P>     the protocol type
     * @return a future of the transport and protocol; failed with an {@link IOException} if the
     *         child cannot be started
     */
    public static <P extends SubprocessProtocol> Future<SubprocessConnection<P>> subprocessExec(
            EventLoop loop, Supplier<P> factory, SubprocessOptions options, String program,
            String... args) {
        Objects.requireNonNull(program, "program");
        List<String> argv = new java.util.ArrayList<>(args.length + 1);
        argv.add(program);
        argv.addAll(List.of(args));
        return subprocess(loop, factory, options, argv);
    }

    /**
     * Runs {@code command} with {@code /bin/sh -c} at the protocol level (asyncio's
     * {@code loop.subprocess_shell}).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param loop    the loop
     * @param factory makes the protocol
     * @param options the streams
     * @param command the shell command line
     * @param <P>     the protocol type
     * @return a future of the transport and protocol
     */
    public static <P extends SubprocessProtocol> Future<SubprocessConnection<P>> subprocessShell(
            EventLoop loop, Supplier<P> factory, SubprocessOptions options, String command) {
        Objects.requireNonNull(command, "command");
        return subprocess(loop, factory, options, List.of("/bin/sh", "-c", command));
    }

    private static <P extends SubprocessProtocol> Future<SubprocessConnection<P>> subprocess(
            EventLoop loop, Supplier<P> factory, SubprocessOptions options, List<String> argv) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(factory, "factory");
        Future<SubprocessConnection<P>> f = loop.createFuture();
        try {
            P p = Objects.requireNonNull(factory.get(), "the protocol factory returned null");
            Subprocess s = Subprocess.spawn(loop, options, argv, p);
            f.setResult(new SubprocessConnection<>(s, p));
        } catch (IOException e) {
            f.setException(e);
        }
        return f;
    }

    // ------------------------------------------------------------------ sendfile

    /**
     * Sends {@code count} bytes of {@code file} from {@code offset} over a stream transport
     * (asyncio's {@code loop.sendfile(transport, file, offset, count, fallback=True)}); see
     * {@link #sendfile(Transport, java.nio.channels.FileChannel, long, long, boolean)}.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param transport an open stream transport (TCP, Unix, TLS, a subprocess's stdin)
     * @param file      the file, readable
     * @param offset    where to start, {@code >= 0}
     * @param count     how many bytes, {@code > 0}, or -1 for "to the end of the file"
     * @return a future of the number of bytes sent (fewer than {@code count} if the file ends
     *         first); it fails with a {@link java.net.SocketException} if the connection is lost
     * @throws IllegalArgumentException for a negative offset or a bad count
     * @throws IllegalStateException    if the transport is closing, or a sendfile already runs on it
     */
    public static Future<Long> sendfile(Transport transport, java.nio.channels.FileChannel file,
            long offset, long count) {
        return Sendfile.start(transport, file, offset, count, true);
    }

    /**
     * Sends {@code count} bytes of {@code file} from {@code offset} over a stream transport
     * (asyncio's {@code loop.sendfile(transport, file, offset, count, fallback)}).
     *
     * <p>Zero-copy where it can: on a plain TCP or Unix transport of a poller with a kernel file
     * sender (Linux {@code sendfile(2)} on epoll, io_uring and libkqueue; the JDK's
     * {@code FileChannel.transferTo} on nio), the transport flushes what it buffered and hands its
     * writability over, and the kernel moves the bytes as the socket drains, without copying them
     * through the JVM. Everywhere else (TLS, pipes, netty-epoll, kqueue on macOS) it is asyncio's
     * read/write fallback when {@code fallback} is true: 64 KiB chunks read on the loop's default
     * executor and written under the transport's water marks. {@link #sendfileStats} says which
     * path ran. See docs/networking.md#sending-a-file-sendfile.
     *
     * <p>In both: reading is paused while it runs and resumes afterwards if it was on; the file's
     * position ends just past the bytes sent; a lost connection fails the future with a
     * {@link java.net.SocketException} naming the bytes sent. On the zero-copy path, the transport
     * refuses {@code write} and {@code writeEof} until the future completes (an
     * {@link IllegalStateException}, asyncio's {@code RuntimeError}); cancelling the future stops
     * the transfer and leaves the transport open and writable. On the fallback, a stand-in
     * protocol hears the transport's flow-control events (data, end-of-stream and loss still reach
     * yours); do not write to the transport meanwhile.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param transport an open stream transport (TCP, Unix, TLS, a subprocess's stdin)
     * @param file      the file, readable
     * @param offset    where to start, {@code >= 0}
     * @param count     how many bytes, {@code > 0}, or -1 for "to the end of the file"
     * @param fallback  whether to use the read/write path where the zero-copy one is not available
     * @return a future of the number of bytes sent (fewer than {@code count} if the file ends
     *         first)
     * @throws IllegalArgumentException      for a negative offset or a bad count
     * @throws IllegalStateException         if the transport is closing, or a sendfile already
     *                                       runs on it
     * @throws SendfileNotAvailableException if {@code fallback} is false and the zero-copy path
     *                                       is not available on this transport
     */
    public static Future<Long> sendfile(Transport transport, java.nio.channels.FileChannel file,
            long offset, long count, boolean fallback) {
        return Sendfile.start(transport, file, offset, count, fallback);
    }

    /**
     * Sends all of {@code file} from its start: {@code sendfile(transport, file, 0, -1)}.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param transport an open stream transport
     * @param file      the file
     * @return a future of the number of bytes sent
     */
    public static Future<Long> sendfile(Transport transport, java.nio.channels.FileChannel file) {
        return Sendfile.start(transport, file, 0, -1, true);
    }

    /**
     * What {@link #sendfile} did on {@code loop} so far: bytes and calls of the zero-copy path and
     * of the fallback.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param loop the loop
     * @return a snapshot of its counters
     */
    public static SendfileStats sendfileStats(EventLoop loop) {
        loop.checkThread("Net.sendfileStats");
        NetLoopState n = NetLoopState.of(loop);
        return new SendfileStats(n.sendfileKernelBytes, n.sendfileKernelCalls,
                n.sendfileWouldBlock, n.sendfileFallbackBytes, n.sendfileZeroCopyRuns,
                n.sendfileFallbackRuns);
    }
}
