package dev.pollen.net;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.spi.DatagramSocket;
import dev.pollen.spi.IoSource;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.Poller;
import dev.pollen.spi.Registration;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * A non-blocking socket with no transport, for asyncio's low-level {@code loop.sock_*}
 * operations ({@link Net#sockRecv}, {@link Net#sockRecvInto}, {@link Net#sockSendall},
 * {@link Net#sockConnect}, {@link Net#sockAccept}, and for UDP {@link Net#sockRecvfrom},
 * {@link Net#sockRecvfromInto}, {@link Net#sockSendto}). It is Pollen's counterpart of the
 * Python {@code socket} object those operations take: the program reads and writes it itself,
 * one operation at a time, with no protocol and no write buffer in between.
 *
 * <p>A raw socket belongs to the loop it was made on and is made by that loop's poller
 * ({@link Poller#sockets()}), so it works on every poller the same way. It is always
 * non-blocking (asyncio requires that of the sockets it is given; here there is no other kind).
 * Three kinds:
 * <ul>
 *   <li>{@link #stream(EventLoop)}: a stream socket, not connected yet; {@link Net#sockConnect}
 *       connects it (TCP, or Unix domain where the poller supports it). The socket's descriptor
 *       is made by the connect (the poller's socket layer creates and connects in one call), so a
 *       connect that fails or is cancelled leaves the socket unconnected, ready for another
 *       {@code sockConnect}.</li>
 *   <li>{@link #listen(EventLoop, SocketAddress)}: a bound, listening socket for
 *       {@link Net#sockAccept}, which returns connected stream sockets.</li>
 *   <li>{@link #datagram(EventLoop, SocketAddress, SocketAddress)}: a bound UDP socket.</li>
 * </ul>
 *
 * <p>At most one operation that waits to read ({@code sockRecv}, {@code sockRecvInto},
 * {@code sockAccept}, {@code sockRecvfrom}, {@code sockRecvfromInto}) and one that waits to
 * write ({@code sockSendall}, {@code sockConnect}, {@code sockSendto}) may be pending on a socket
 * at a time, as asyncio's single reader and writer per descriptor; a second one throws
 * {@link IllegalStateException}. Cancelling an operation's future leaves the socket usable:
 * nothing is read by a cancelled receive, and the socket stops being watched for it (a receive's
 * READ interest is kept until the next readiness report finds nobody waiting, so that receives
 * in a row cost no system call to change it). {@link #close()} fails pending
 * operations with a {@link SocketException}. Close a socket when done with it: until then its
 * loop keeps it (in the list of what closing the loop closes).
 *
 * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs), like every
 * {@code sock*} operation on it.
 */
public final class RawSocket implements AutoCloseable {

    /**
     * What {@link Net#sockAccept} returns, asyncio's {@code (conn, address)}.
     *
     * <p><b>Threading:</b> immutable; the socket itself is loop thread only.
     *
     * @param socket  the accepted connection, a connected stream socket of the same loop
     * @param address the peer's address (null where the poller cannot tell, e.g. some Unix
     *                sockets)
     */
    public record Accepted(RawSocket socket, SocketAddress address) {
    }

    /**
     * What {@link Net#sockRecvfrom} returns, asyncio's {@code (data, address)}.
     *
     * <p><b>Threading:</b> immutable (the array is the caller's once returned).
     *
     * @param data    the datagram's payload, truncated to the size asked for
     * @param address the sender
     */
    public record Datagram(byte[] data, SocketAddress address) {
    }

    /**
     * What {@link Net#sockRecvfromInto} returns, asyncio's {@code (nbytes, address)}.
     *
     * <p><b>Threading:</b> immutable.
     *
     * @param bytes   how many bytes were put into the buffer
     * @param address the sender
     */
    public record Received(int bytes, SocketAddress address) {
    }

    private enum Kind { STREAM, LISTENER, DATAGRAM }

    private static final byte[] EMPTY = new byte[0];

    private final EventLoop loop;
    private final NetLoopState state;
    private final Kind kind;
    /** Options applied before a stream socket's connect; null for the other kinds. */
    private final SocketOptions connectOptions;
    private StreamSocket stream;
    private ListenSocket listener;
    private DatagramSocket datagram;
    private boolean connected;
    private boolean closed;
    private Registration registration;
    /** The pending read-side operation and its next attempt (true once it completed its future). */
    private Future<?> reading;
    private BooleanSupplier readStep;
    private String readOp;
    /** The pending write-side operation; {@code writeStep} is null while a connect resolves. */
    private Future<?> writing;
    private BooleanSupplier writeStep;
    private String writeOp;
    /**
     * Keeps the socket in its loop's list from creation to {@link #close()}, so closing the loop
     * closes it (a stream socket without a descriptor yet included).
     */
    private final LoopResource tracker = new LoopResource() {
        @Override
        void closeWithLoop() {
            closeNow();
        }
    };

    private RawSocket(EventLoop loop, Kind kind, SocketOptions connectOptions) {
        this.loop = loop;
        this.state = NetLoopState.of(loop);
        this.kind = kind;
        this.connectOptions = connectOptions;
        state.track(tracker);
    }

    // ------------------------------------------------------------------ making sockets

    /**
     * A stream socket, not connected yet, with default options (asyncio's
     * {@code socket.socket(AF_INET, SOCK_STREAM)} made non-blocking). See
     * {@link #stream(EventLoop, NetOptions)}.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param loop the loop whose poller will make and watch the socket
     * @return the socket; connect it with {@link Net#sockConnect}
     */
    public static RawSocket stream(EventLoop loop) {
        return stream(loop, NetOptions.defaults());
    }

    /**
     * A stream socket, not connected yet. No descriptor exists until {@link Net#sockConnect}
     * (whose address decides TCP or Unix domain); the options are applied before the connect.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param loop    the loop whose poller will make and watch the socket
     * @param options {@code tcpNoDelay}, {@code keepAlive} and the buffer sizes are used
     * @return the socket; connect it with {@link Net#sockConnect}
     */
    public static RawSocket stream(EventLoop loop, NetOptions options) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(options, "options");
        loop.checkThread("RawSocket.stream");
        return new RawSocket(loop, Kind.STREAM, SocketOptionsMapper.forConnection(options, true));
    }

    /**
     * A listening stream socket with default options (asyncio's {@code sock.bind(address)}
     * followed by {@code sock.listen()}). See {@link #listen(EventLoop, SocketAddress, NetOptions)}.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param loop  the loop whose poller makes and watches the socket
     * @param local where to bind: a resolved {@link InetSocketAddress} (port 0 for any free port)
     *              or a {@link UnixDomainSocketAddress}
     * @return the listening socket
     * @throws IOException if the kernel refuses, e.g. {@link java.net.BindException} for an
     *                     address in use (the message names the address)
     */
    public static RawSocket listen(EventLoop loop, SocketAddress local) throws IOException {
        return listen(loop, local, NetOptions.defaults());
    }

    /**
     * A listening stream socket: made, bound and listening in one step (the poller's socket
     * layer has no separate {@code bind}). {@link #localAddress()} tells the port picked for 0.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param loop    the loop whose poller makes and watches the socket
     * @param local   where to bind: a resolved {@link InetSocketAddress} (port 0 for any free
     *                port) or a {@link UnixDomainSocketAddress}
     * @param options {@code backlog}, {@code reuseAddress}, {@code reusePort},
     *                {@code receiveBufferSize}
     * @return the listening socket
     * @throws IOException              if the kernel refuses, e.g. {@link java.net.BindException}
     *                                  for an address in use (the message names the address)
     * @throws IllegalArgumentException if {@code local} is an unresolved host name
     */
    public static RawSocket listen(EventLoop loop, SocketAddress local, NetOptions options)
            throws IOException {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(options, "options");
        loop.checkThread("RawSocket.listen");
        requireResolved("RawSocket.listen", "local", local);
        ListenSocket l = loop.poller().sockets().listen(local, options.backlog(),
                SocketOptionsMapper.forListener(options, local instanceof InetSocketAddress));
        RawSocket s = new RawSocket(loop, Kind.LISTENER, null);
        s.listener = l;
        return s;
    }

    /**
     * A UDP socket with default options. See
     * {@link #datagram(EventLoop, SocketAddress, SocketAddress, NetOptions)}.
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param loop   the loop whose poller makes and watches the socket
     * @param local  where to bind (port 0 for any), or null for the wildcard address of
     *               {@code remote}'s family
     * @param remote the only peer to talk to, or null
     * @return the socket
     * @throws IOException if the kernel refuses
     */
    public static RawSocket datagram(EventLoop loop, SocketAddress local, SocketAddress remote)
            throws IOException {
        return datagram(loop, local, remote, NetOptions.defaults());
    }

    /**
     * A UDP socket bound to {@code local} and, if {@code remote} is given, connected to it (only
     * its datagrams arrive, and {@link Net#sockSendto} may omit the address).
     *
     * <p><b>Threading:</b> loop thread only (or any one thread before the loop runs).
     *
     * @param loop    the loop whose poller makes and watches the socket
     * @param local   where to bind (port 0 for any), or null for the wildcard address of
     *                {@code remote}'s family
     * @param remote  the only peer to talk to, or null
     * @param options {@code reusePort} and the buffer sizes
     * @return the socket
     * @throws IOException              if the kernel refuses
     * @throws IllegalArgumentException if both addresses are null, or one is an unresolved host
     *                                  name
     */
    public static RawSocket datagram(EventLoop loop, SocketAddress local, SocketAddress remote,
            NetOptions options) throws IOException {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(options, "options");
        loop.checkThread("RawSocket.datagram");
        if (local == null && remote == null) {
            throw new IllegalArgumentException("RawSocket.datagram: give a local address to bind "
                    + "(port 0 for any), a remote one, or both");
        }
        requireResolved("RawSocket.datagram", "local", local);
        requireResolved("RawSocket.datagram", "remote", remote);
        DatagramSocket d = loop.poller().sockets().openDatagram(local, remote,
                SocketOptionsMapper.forDatagram(options));
        RawSocket s = new RawSocket(loop, Kind.DATAGRAM, null);
        s.datagram = d;
        return s;
    }

    /** An accepted connection: connected from the start. */
    private static RawSocket accepted(EventLoop loop, StreamSocket s) {
        RawSocket r = new RawSocket(loop, Kind.STREAM, null);
        r.stream = s;
        r.connected = true;
        return r;
    }

    private static void requireResolved(String op, String what, SocketAddress a) {
        if (a instanceof InetSocketAddress i && i.isUnresolved()) {
            throw new IllegalArgumentException(op + ": the " + what + " address " + i.getHostString()
                    + ":" + i.getPort() + " is not resolved; resolve it first (Net.getAddrInfo) "
                    + "or give an IP literal");
        }
    }

    // ------------------------------------------------------------------ state

    /**
     * The loop this socket belongs to.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the loop
     */
    public EventLoop loop() {
        return loop;
    }

    /**
     * Whether the socket is open: true until {@link #close()} (or the loop's close).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return false once closed
     */
    public boolean isOpen() {
        return !closed;
    }

    /**
     * Whether a stream socket is connected ({@link Net#sockConnect} completed, or it came from
     * {@link Net#sockAccept}), or a datagram socket has a fixed peer.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true if connected and open
     */
    public boolean isConnected() {
        if (closed) {
            return false;
        }
        return switch (kind) {
            case STREAM -> connected;
            case DATAGRAM -> datagram.remoteAddress() != null;
            case LISTENER -> false;
        };
    }

    /**
     * The bound address (the real port when 0 was asked for).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the address, or null while a stream socket has no descriptor yet, or once closed
     */
    public SocketAddress localAddress() {
        if (closed) {
            return null;
        }
        return switch (kind) {
            case STREAM -> stream == null ? null : stream.localAddress();
            case LISTENER -> listener.localAddress();
            case DATAGRAM -> datagram.localAddress();
        };
    }

    /**
     * The peer's address.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the connected peer, or null if there is none (listening, not connected, closed)
     */
    public SocketAddress remoteAddress() {
        if (closed) {
            return null;
        }
        return switch (kind) {
            case STREAM -> connected ? stream.remoteAddress() : null;
            case LISTENER -> null;
            case DATAGRAM -> datagram.remoteAddress();
        };
    }

    /**
     * Half-closes a connected stream socket (asyncio's {@code sock.shutdown(socket.SHUT_WR)}):
     * the peer's receive then returns end-of-stream; this side can still receive.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @throws IOException           if the kernel refuses
     * @throws IllegalStateException if the socket is closed or not a connected stream socket
     */
    public void shutdownOutput() throws IOException {
        requireConnectedStream("RawSocket.shutdownOutput");
        stream.shutdownOutput();
    }

    /**
     * Closes the socket. A pending operation fails with a {@link SocketException} that names it.
     * Closing twice does nothing.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public void close() {
        loop.checkThread("RawSocket.close");
        if (closed) {
            return;
        }
        Future<?> r = reading == null || reading.isDone() ? null : reading;
        Future<?> w = writing == null || writing.isDone() ? null : writing;
        String rOp = readOp;
        String wOp = writeOp;
        closeNow();
        if (r != null) {
            r.setException(new SocketException(rOp + ": the socket was closed while it waited"));
        }
        if (w != null) {
            w.setException(new SocketException(wOp + ": the socket was closed while it waited"));
        }
    }

    /** Closes the descriptor and forgets pending operations; no future is touched. */
    private void closeNow() {
        closed = true;
        reading = null;
        readStep = null;
        writing = null;
        writeStep = null;
        if (registration != null) {
            registration.cancel();
            registration = null;
        }
        IoSource s = source();
        if (s != null) {
            s.close();
        }
        state.untrack(tracker);
    }

    @Override
    public String toString() {
        if (closed) {
            return "RawSocket[closed]";
        }
        return switch (kind) {
            case STREAM -> connected
                    ? "RawSocket[stream " + Addresses.format(localAddress()) + " -> "
                            + Addresses.format(remoteAddress()) + "]"
                    : "RawSocket[stream, not connected]";
            case LISTENER -> "RawSocket[listening on " + Addresses.format(localAddress()) + "]";
            case DATAGRAM -> "RawSocket[datagram " + Addresses.format(localAddress())
                    + (remoteAddress() == null ? "" : " -> " + Addresses.format(remoteAddress()))
                    + "]";
        };
    }

    private IoSource source() {
        return switch (kind) {
            case STREAM -> stream;
            case LISTENER -> listener;
            case DATAGRAM -> datagram;
        };
    }

    private String kindText() {
        return switch (kind) {
            case STREAM -> connected ? "a connected stream socket" : "a stream socket that is not "
                    + "connected";
            case LISTENER -> "a listening socket";
            case DATAGRAM -> "a datagram socket";
        };
    }

    // ------------------------------------------------------------------ checks

    private void requireOpen(String op) {
        loop.checkThread(op);
        if (closed) {
            throw new IllegalStateException(op + ": the socket is closed");
        }
        settle();
    }

    private void requireConnectedStream(String op) {
        requireOpen(op);
        if (kind != Kind.STREAM || !connected) {
            String hint = switch (kind) {
                case STREAM -> writing != null ? "; await its sockConnect first"
                        : "; connect it with Net.sockConnect first";
                case LISTENER -> "; accept a connection with Net.sockAccept and use that";
                case DATAGRAM -> "; use Net.sockRecvfrom and Net.sockSendto";
            };
            throw new IllegalStateException(op + " needs a connected stream socket; this is "
                    + kindText() + hint);
        }
    }

    private void requireDatagram(String op) {
        requireOpen(op);
        if (kind != Kind.DATAGRAM) {
            throw new IllegalStateException(op + " needs a datagram socket (RawSocket.datagram); "
                    + "this is " + kindText());
        }
    }

    private void requireNoRead(String op) {
        if (reading != null) {
            throw new IllegalStateException(op + ": a " + readOp + " is already waiting on this "
                    + "socket; only one receive or accept may wait at a time (await it, or "
                    + "cancel it, first)");
        }
    }

    private void requireNoWrite(String op) {
        if (writing != null) {
            throw new IllegalStateException(op + ": a " + writeOp + " is already waiting on this "
                    + "socket; only one send or connect may wait at a time (await it, or cancel "
                    + "it, first)");
        }
    }

    private static void requireWritable(String op, ByteBuffer buf) {
        Objects.requireNonNull(buf, "buf");
        if (buf.isReadOnly()) {
            throw new IllegalArgumentException(op + ": buf is read-only; give a writable buffer "
                    + "to receive into");
        }
    }

    // ------------------------------------------------------------------ waiting

    /**
     * Forgets operations whose futures are done (completed, failed, or cancelled since): a
     * cancelled connect also gives up its descriptor, so the socket is unconnected again.
     */
    private void settle() {
        if (reading != null && reading.isDone()) {
            reading = null;
            readStep = null;
            readOp = null;
        }
        if (writing != null && writing.isDone()) {
            writing = null;
            writeStep = null;
            writeOp = null;
            if (kind == Kind.STREAM && !connected && stream != null) {
                dropAttempt();
            }
        }
    }

    /**
     * Watches the source for what the pending operations wait for. READ interest outlives the
     * receive that needed it, until a readiness report finds no receive waiting
     * ({@code dropIdleRead}): a receive that follows another (request/response, a read loop)
     * then finds it set, and no system call changes it twice per receive. WRITE is dropped at
     * once: an idle socket is nearly always writable, and would be reported on every poll.
     */
    private void updateInterest(boolean dropIdleRead) {
        if (closed) {
            return;
        }
        int ops = (reading != null ? Poller.READ : 0)
                | (writing != null && writeStep != null ? Poller.WRITE : 0);
        if (registration == null) {
            IoSource s = source();
            if (ops != 0 && s != null) {
                registration = loop.poller().register(s, ops, this::ready);
            }
            return;
        }
        int current = registration.interest();
        if (!dropIdleRead) {
            ops |= current & Poller.READ;
        }
        if (current != ops) {
            registration.interest(ops);
        }
    }

    private void updateInterest() {
        updateInterest(false);
    }

    /** The poller's report: try the pending operations again. Never throws. */
    private void ready(int readyOps) {
        boolean read = (readyOps & Poller.READ) != 0;
        boolean idleRead = read && (reading == null || reading.isDone());
        if (read && !idleRead) {
            attempt(reading, readStep);
        }
        if ((readyOps & Poller.WRITE) != 0 && writing != null && writeStep != null
                && !writing.isDone()) {
            attempt(writing, writeStep);
        }
        settle();
        updateInterest(idleRead);
    }

    private static void attempt(Future<?> f, BooleanSupplier step) {
        try {
            step.getAsBoolean();
        } catch (RuntimeException e) {
            if (!f.isDone()) {
                f.setException(e);
            }
        }
    }

    /** Tries {@code step} now; if it cannot complete yet, waits for readability. */
    private <T> Future<T> startRead(String op, Future<T> f, BooleanSupplier step) {
        if (!step.getAsBoolean()) {
            reading = f;
            readStep = step;
            readOp = op;
            f.addDoneCallback(this::operationDone);
            updateInterest();
        }
        return f;
    }

    /** Tries {@code step} now; if it cannot complete yet, waits for writability. */
    private <T> Future<T> startWrite(String op, Future<T> f, BooleanSupplier step) {
        if (!step.getAsBoolean()) {
            writing = f;
            writeStep = step;
            writeOp = op;
            f.addDoneCallback(this::operationDone);
            updateInterest();
        }
        return f;
    }

    /** An operation's future is done (cancelled, for one we did not complete ourselves). */
    private void operationDone(Future<?> f) {
        if (closed) {
            return;
        }
        settle();
        updateInterest();
    }

    // ------------------------------------------------------------------ stream operations

    Future<byte[]> recv(int n) {
        String op = "sockRecv";
        if (n < 0) {
            throw new IllegalArgumentException(op + ": n must be >= 0, got " + n);
        }
        requireConnectedStream(op);
        requireNoRead(op);
        Future<byte[]> f = loop.createFuture();
        if (n == 0) {
            f.setResult(EMPTY);
            return f;
        }
        return startRead(op, f, () -> {
            ByteBuffer b = state.readBuffer;
            b.clear().limit(Math.min(n, b.capacity()));
            int r;
            try {
                r = stream.read(b);
            } catch (IOException e) {
                f.setException(e);
                return true;
            }
            if (r == 0) {
                return false;
            }
            byte[] out = EMPTY;
            if (r > 0) {
                out = new byte[r];
                b.flip().get(out);
            }
            f.setResult(out);
            return true;
        });
    }

    Future<Integer> recvInto(ByteBuffer buf) {
        String op = "sockRecvInto";
        requireWritable(op, buf);
        requireConnectedStream(op);
        requireNoRead(op);
        Future<Integer> f = loop.createFuture();
        if (!buf.hasRemaining()) {
            f.setResult(0);
            return f;
        }
        return startRead(op, f, () -> {
            int r;
            try {
                r = stream.read(buf);
            } catch (IOException e) {
                f.setException(e);
                return true;
            }
            if (r == 0) {
                return false;
            }
            f.setResult(Math.max(r, 0));
            return true;
        });
    }

    Future<Void> sendall(ByteBuffer data) {
        String op = "sockSendall";
        Objects.requireNonNull(data, "data");
        requireConnectedStream(op);
        requireNoWrite(op);
        Future<Void> f = loop.createFuture();
        return startWrite(op, f, () -> {
            try {
                while (data.hasRemaining()) {
                    if (stream.write(data) == 0) {
                        return false;
                    }
                }
            } catch (IOException e) {
                f.setException(e);
                return true;
            }
            f.setResult(null);
            return true;
        });
    }

    Future<Void> connect(SocketAddress address) {
        String op = "sockConnect";
        Objects.requireNonNull(address, "address");
        requireOpen(op);
        if (kind != Kind.STREAM) {
            throw new IllegalStateException(op + " needs a stream socket made by RawSocket.stream;"
                    + " this is " + kindText());
        }
        if (connected) {
            throw new IllegalStateException(op + ": the socket is already connected to "
                    + Addresses.format(remoteAddress()) + "; make a new one for another "
                    + "connection");
        }
        requireNoWrite(op);
        Future<Void> f = loop.createFuture();
        writing = f;
        writeOp = op;
        f.addDoneCallback(this::operationDone);
        if (address instanceof InetSocketAddress i && i.isUnresolved()) {
            String target = i.getHostString() + ":" + i.getPort();
            Resolver.resolve(loop, i.getHostString(), i.getPort(), false).addDoneCallback(r -> {
                if (f.isDone()) {
                    if (!r.isCancelled()) {
                        r.exception(); // nobody else will look at it
                    }
                } else if (r.isCancelled()) {
                    f.cancel("address resolution was cancelled");
                } else if (r.exception() != null) {
                    Throwable e = r.exception();
                    f.setException(e instanceof UnknownHostException u
                            ? Resolver.unknownHost("connect to " + target, u) : e);
                } else if (r.result().isEmpty()) {
                    f.setException(new ConnectException("connect to " + target
                            + ": the host name resolved to no address"));
                } else {
                    startConnect(f, r.result().get(0));
                }
            });
        } else {
            startConnect(f, address);
        }
        return f;
    }

    /** Makes the descriptor and starts the kernel's connect; completion is reported as WRITE. */
    private void startConnect(Future<Void> f, SocketAddress address) {
        boolean tcp = !(address instanceof UnixDomainSocketAddress);
        try {
            stream = loop.poller().sockets().connect(address, tcp ? connectOptions
                    : SocketOptions.none());
        } catch (IOException | RuntimeException e) {
            f.setException(e);
            return;
        }
        writeStep = () -> {
            boolean done;
            try {
                done = stream.finishConnect();
            } catch (IOException e) {
                dropAttempt();
                f.setException(e);
                return true;
            }
            if (!done) {
                return false;
            }
            connected = true;
            f.setResult(null);
            return true;
        };
        updateInterest();
    }

    /** Gives up a connect's descriptor: the socket is unconnected again. */
    private void dropAttempt() {
        if (registration != null) {
            registration.cancel();
            registration = null;
        }
        if (stream != null) {
            stream.close();
            stream = null;
        }
    }

    Future<Accepted> accept() {
        String op = "sockAccept";
        requireOpen(op);
        if (kind != Kind.LISTENER) {
            throw new IllegalStateException(op + " needs a listening socket (RawSocket.listen); "
                    + "this is " + kindText());
        }
        requireNoRead(op);
        Future<Accepted> f = loop.createFuture();
        return startRead(op, f, () -> {
            StreamSocket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                f.setException(e);
                return true;
            }
            if (s == null) {
                return false;
            }
            f.setResult(new Accepted(accepted(loop, s), s.remoteAddress()));
            return true;
        });
    }

    // ------------------------------------------------------------------ datagram operations

    Future<Datagram> recvfrom(int n) {
        String op = "sockRecvfrom";
        if (n < 1) {
            throw new IllegalArgumentException(op + ": n must be at least 1, got " + n);
        }
        requireDatagram(op);
        requireNoRead(op);
        Future<Datagram> f = loop.createFuture();
        return startRead(op, f, () -> {
            ByteBuffer b = n <= state.readBuffer.capacity() ? state.readBuffer
                    : ByteBuffer.allocate(n);
            b.clear().limit(n);
            SocketAddress from;
            try {
                from = datagram.receive(b);
            } catch (IOException e) {
                f.setException(e);
                return true;
            }
            if (from == null) {
                return false;
            }
            byte[] out = new byte[b.position()];
            b.flip().get(out);
            f.setResult(new Datagram(out, from));
            return true;
        });
    }

    Future<Received> recvfromInto(ByteBuffer buf) {
        String op = "sockRecvfromInto";
        requireWritable(op, buf);
        requireDatagram(op);
        requireNoRead(op);
        Future<Received> f = loop.createFuture();
        return startRead(op, f, () -> {
            int start = buf.position();
            SocketAddress from;
            try {
                from = datagram.receive(buf);
            } catch (IOException e) {
                f.setException(e);
                return true;
            }
            if (from == null) {
                return false;
            }
            f.setResult(new Received(buf.position() - start, from));
            return true;
        });
    }

    Future<Integer> sendto(ByteBuffer data, SocketAddress address) {
        String op = "sockSendto";
        Objects.requireNonNull(data, "data");
        requireResolved(op, "destination", address);
        requireDatagram(op);
        if (address == null && datagram.remoteAddress() == null) {
            throw new IllegalArgumentException(op + ": the socket is not connected; give the "
                    + "destination address");
        }
        requireNoWrite(op);
        Future<Integer> f = loop.createFuture();
        return startWrite(op, f, () -> {
            int n;
            try {
                n = datagram.send(data, address);
            } catch (IOException e) {
                f.setException(e);
                return true;
            }
            if (n == 0 && data.hasRemaining()) {
                return false;
            }
            f.setResult(n);
            return true;
        });
    }
}
