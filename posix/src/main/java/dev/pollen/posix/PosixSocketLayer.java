package dev.pollen.posix;

import dev.pollen.spi.DatagramSocket;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.SocketLayer;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The {@link SocketLayer} of fd-based pollers: non-blocking, close-on-exec libc sockets through
 * the {@link LibC} binding (java.lang.foreign or JNA, see {@link NativeBinding}), with this OS's
 * constants ({@link OsConstants}) and the socket-creation
 * {@link SocketPlan} (accept4 and SOCK_NONBLOCK on Linux and FreeBSD; accept + fcntl on macOS).
 *
 * <p>One layer per poller. The poller passes its {@link FdCloseHook} so that closing a socket
 * deregisters it first, and recognises its own sources by {@link FdSource#layer()}.
 *
 * <p>Memory: the layer owns small GC-managed direct buffers (sockaddr and option scratch, an
 * iovec array, a 64 KiB copy buffer made on first use). Heap {@link ByteBuffer}s given to
 * read/write/send/receive are copied through that copy buffer (so one call moves at most 64 KiB
 * for a heap buffer); direct buffers are passed to the kernel at their own address with no copy.
 * Because this memory is GC-managed, a socket stays safe to use (and to close) after its poller
 * has closed.
 *
 * <p><b>Threading:</b> loop thread only (the scratch memory is shared by the layer's sockets).
 */
public final class PosixSocketLayer implements SocketLayer {

    /** Size of the copy buffer for heap buffers. */
    static final int COPY_BUFFER_SIZE = 64 * 1024;

    // Layout of the small scratch buffer.
    private static final int SA = 0;          // struct sockaddr_storage (128 bytes)
    private static final int SA_LEN = 128;    // socklen_t for the sockaddr
    private static final int OPT = 136;       // option value (int, or struct linger: 2 ints)
    private static final int OPT_LEN = 144;   // socklen_t for the option
    private static final int SMALL_SIZE = 152;
    /** sizeof(struct iovec) on 64-bit: void *iov_base; size_t iov_len. */
    static final int IOVEC_SIZE = 16;

    private final OsConstants os;
    private final SocketPlan plan;
    private final FdCloseHook closeHook;
    private final ByteBuffer small;
    private final long smallAddress;
    private ByteBuffer copy;
    private long copyAddress;
    private ByteBuffer iov;
    private long iovAddress;

    /**
     * Makes a layer for the running OS.
     *
     * <p><b>Threading:</b> any thread; then loop thread only.
     *
     * @param closeHook called before any of this layer's sockets closes its fd
     * @throws UnsupportedOperationException on an OS without a constants table
     */
    public PosixSocketLayer(FdCloseHook closeHook) {
        this(closeHook, OsConstants.current());
    }

    /**
     * Makes a layer with an explicit constants table (which must be the running OS's).
     *
     * <p><b>Threading:</b> any thread; then loop thread only.
     *
     * @param closeHook called before any of this layer's sockets closes its fd
     * @param os        the constants table
     */
    public PosixSocketLayer(FdCloseHook closeHook, OsConstants os) {
        this(closeHook, os, PosixProcessLayer::open);
    }

    /**
     * Makes a layer whose child processes come from {@code processes} (a poller with its own way
     * of watching a child's exit passes {@code layer -> PosixProcessLayer.open(layer, watch)}).
     *
     * <p><b>Threading:</b> any thread; then loop thread only.
     *
     * @param closeHook called before any of this layer's sockets closes its fd
     * @param os        the constants table
     * @param processes makes the process layer on first use of {@link #processes()}; may return
     *                  null (the core then uses its JDK fallback)
     */
    public PosixSocketLayer(FdCloseHook closeHook, OsConstants os,
            java.util.function.Function<PosixSocketLayer, dev.pollen.spi.ProcessLayer> processes) {
        this.processFactory = Objects.requireNonNull(processes, "processes");
        this.closeHook = Objects.requireNonNull(closeHook, "closeHook");
        this.os = Objects.requireNonNull(os, "os");
        this.plan = SocketPlan.forOs(os);
        LibC.load();
        if (plan.useAccept4()) {
            // Bind now (a throwaway call on fd -1, which fails with EBADF): loading a class
            // later, when descriptors may have run out, can fail.
            LibC.accept4(-1, 0, 0, 0);
        }
        if (os.os == OsConstants.Os.LINUX) {
            KernelPipe.bind();
        }
        this.small = ByteBuffer.allocateDirect(SMALL_SIZE).order(ByteOrder.nativeOrder());
        this.smallAddress = DirectAddress.base(small);
    }

    /**
     * The constants table in use.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the table
     */
    public OsConstants os() {
        return os;
    }

    /**
     * The socket-creation plan in use.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the plan
     */
    public SocketPlan plan() {
        return plan;
    }

    FdCloseHook closeHook() {
        return closeHook;
    }

    // ---------------------------------------------------------------- SocketLayer

    @Override
    public ListenSocket listen(SocketAddress local, int backlog, SocketOptions options)
            throws IOException {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(options, "options");
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be at least 1, got " + backlog);
        }
        int family = SockAddr.family(os, local);
        SocketKind kind = family == os.AF_UNIX ? SocketKind.UNIX_STREAM : SocketKind.TCP;
        checkOptions(kind, options);
        int fd = newSocket(family, os.SOCK_STREAM, local);
        try {
            if (kind == SocketKind.TCP && options.get(StandardSocketOptions.SO_REUSEADDR) == null) {
                // As the JDK and asyncio do on POSIX: a restarted server can rebind at once.
                setInt(fd, os.SOL_SOCKET, os.SO_REUSEADDR, 1, "SO_REUSEADDR");
            }
            applyOptions(fd, kind, options);
            int len = SockAddr.encode(os, local, family, small, SA);
            if (LibC.bind(fd, smallAddress + SA, len) != 0) {
                throw PosixErrors.socketError(os, "bind", local, LibC.errno());
            }
            if (LibC.listen(fd, backlog) != 0) {
                throw PosixErrors.socketError(os, "listen", local, LibC.errno());
            }
            SocketAddress bound = localAddress(fd);
            return new PosixListenSocket(this, fd, kind, bound != null ? bound : local);
        } catch (IOException | RuntimeException | Error e) {
            LibC.close(fd);
            throw e;
        }
    }

    @Override
    public StreamSocket connect(SocketAddress remote, SocketOptions options) throws IOException {
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(options, "options");
        int family = SockAddr.family(os, remote);
        SocketKind kind = family == os.AF_UNIX ? SocketKind.UNIX_STREAM : SocketKind.TCP;
        checkOptions(kind, options);
        int fd = newSocket(family, os.SOCK_STREAM, remote);
        try {
            applyOptions(fd, kind, options);
            int len = SockAddr.encode(os, remote, family, small, SA);
            boolean connected;
            while (true) {
                if (LibC.connect(fd, smallAddress + SA, len) == 0) {
                    connected = true; // Unix domain sockets, sometimes loopback
                    break;
                }
                int e = LibC.errno();
                // EINTR: the connect goes on in the background, exactly like EINPROGRESS.
                if (e == os.EINPROGRESS || e == os.EINTR) {
                    connected = false;
                    break;
                }
                // EAGAIN on a Unix socket means the listener's backlog is full: an error here.
                throw PosixErrors.socketError(os, "connect", remote, e);
            }
            return new PosixStreamSocket(this, fd, kind, remote, connected);
        } catch (IOException | RuntimeException | Error e) {
            LibC.close(fd);
            throw e;
        }
    }

    @Override
    public DatagramSocket openDatagram(SocketAddress local, SocketAddress remote,
                                       SocketOptions options) throws IOException {
        Objects.requireNonNull(options, "options");
        if (local instanceof java.net.UnixDomainSocketAddress
                || remote instanceof java.net.UnixDomainSocketAddress) {
            throw new IllegalArgumentException("Unix domain datagram sockets are not supported: "
                    + "use InetSocketAddress for local and remote");
        }
        checkOptions(SocketKind.UDP, options);
        SocketAddress bindTo = local;
        int family;
        if (local != null) {
            family = SockAddr.family(os, local);
        } else if (remote != null) {
            family = SockAddr.family(os, remote);
            bindTo = new InetSocketAddress(family == os.AF_INET
                    ? InetAddress.getByAddress(new byte[4]) : InetAddress.getByAddress(new byte[16]), 0);
        } else {
            family = os.AF_INET;
            bindTo = new InetSocketAddress(InetAddress.getByAddress(new byte[4]), 0);
        }
        int fd = newSocket(family, os.SOCK_DGRAM, bindTo);
        try {
            applyOptions(fd, SocketKind.UDP, options);
            int len = SockAddr.encode(os, bindTo, family, small, SA);
            if (LibC.bind(fd, smallAddress + SA, len) != 0) {
                throw PosixErrors.socketError(os, "bind", bindTo, LibC.errno());
            }
            if (remote != null) {
                len = SockAddr.encode(os, remote, family, small, SA);
                // A UDP connect only records the peer: it completes at once.
                if (LibC.connect(fd, smallAddress + SA, len) != 0) {
                    throw PosixErrors.socketError(os, "connect", remote, LibC.errno());
                }
            }
            return new PosixDatagramSocket(this, fd, family, remote);
        } catch (IOException | RuntimeException | Error e) {
            LibC.close(fd);
            throw e;
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The fd moves to a new {@link PosixStreamSocket} of this layer. Layers belong to the same
     * provider when their pollers are of the same class (their {@link FdCloseHook}s are), so an
     * epoll socket cannot move to a kqueue poller (both use this layer) and back.
     *
     * <p><b>Threading:</b> the adopting poller's loop thread.
     */
    @Override
    public StreamSocket adopt(StreamSocket socket) {
        Objects.requireNonNull(socket, "socket");
        if (!(socket instanceof PosixStreamSocket s)) {
            throw new IllegalArgumentException("adopt: " + socket + " (a "
                    + socket.getClass().getName() + ") was not made by a POSIX socket layer; this"
                    + " layer belongs to a " + pollerKind(closeHook) + " and can only adopt sockets"
                    + " of the same kind of poller");
        }
        if (s.layer() == this) {
            return s;
        }
        String mine = pollerKind(closeHook);
        String theirs = pollerKind(s.layer().closeHook());
        if (!mine.equals(theirs)) {
            throw new IllegalArgumentException("adopt: " + s + " was made by a " + theirs
                    + "'s sockets; this layer belongs to a " + mine + ", and sockets only move"
                    + " between pollers of the same provider");
        }
        if (!s.isOpen()) {
            throw new IllegalArgumentException("adopt: socket is closed: " + s);
        }
        if (s.registration() != null) {
            throw new IllegalArgumentException("adopt: " + s + " is registered with its poller;"
                    + " hand a socket over before registering it (or after cancelling)");
        }
        if (s.readAhead() != null) {
            throw new IllegalArgumentException("adopt: " + s + " still holds bytes its poller"
                    + " received ahead (or a receive in flight); read it empty on its own loop first");
        }
        if (s.writeBehind() != null) {
            throw new IllegalArgumentException("adopt: " + s + " still has bytes its poller is"
                    + " sending (io_uring send=ring); let its own loop run until they are sent first");
        }
        return PosixStreamSocket.adopt(this, s);
    }

    /**
     * The kind of poller behind a close hook, e.g. {@code "EpollPoller"}: its class's simple name
     * (for a lambda or method reference, the class that made it).
     */
    private static String pollerKind(FdCloseHook hook) {
        String n = hook.getClass().getName();
        int lambda = n.indexOf("$$");
        if (lambda >= 0) {
            n = n.substring(0, lambda);
        }
        return n.substring(n.lastIndexOf('.') + 1);
    }

    /**
     * Makes the last close of {@code fd} reset the connection ({@code SO_LINGER} on, 0 s), for a
     * poller that holds a duplicate of a closed socket's descriptor and must not let the peer
     * take a truncated stream for a complete one. An error (the connection is gone already)
     * leaves nothing to reset and is ignored.
     *
     * <p><b>Threading:</b> the loop thread of this layer's poller (it uses the layer's scratch
     * memory).
     *
     * @param fd an open stream socket descriptor
     */
    public void resetOnClose(int fd) {
        try {
            setInt2(fd, os.SOL_SOCKET, os.SO_LINGER, 1, 0, "SO_LINGER");
        } catch (IOException e) {
            // nothing to reset: see above
        }
    }

    @Override
    public boolean supportsUnixDomain() {
        return true;
    }

    @Override
    public boolean supportsReusePortBalancing() {
        return os.REUSEPORT_BALANCES;
    }

    // ---------------------------------------------------------------- creation

    /**
     * socket() made non-blocking and close-on-exec according to the plan.
     *
     * @param where the address for error messages
     */
    private int newSocket(int family, int type, SocketAddress where) throws IOException {
        int fd = LibC.socket(family, type | plan.typeFlags(), 0);
        if (fd < 0) {
            throw PosixErrors.socketError(os, "socket", where, LibC.errno());
        }
        if (plan.fcntlAfter() || plan.noSigpipe()) {
            try {
                configureNewFd(fd, where, plan.fcntlAfter());
            } catch (IOException e) {
                LibC.close(fd);
                throw e;
            }
        }
        return fd;
    }

    /**
     * Makes a new fd non-blocking and close-on-exec with fcntl where the plan says so (macOS),
     * and sets SO_NOSIGPIPE where the OS has it.
     *
     * @param fd    the new fd
     * @param where the address for messages
     * @param fcntl whether the fcntl calls are needed
     * @throws IOException if a call fails (the caller closes the fd)
     */
    void configureNewFd(int fd, SocketAddress where, boolean fcntl) throws IOException {
        if (fcntl) {
            // A fresh socket has no status flags (an accepted one on the BSDs inherits only
            // O_NONBLOCK), so F_SETFL with O_NONBLOCK alone needs no F_GETFL first. The fd is
            // close-on-exec a moment after it exists: a fork in between would inherit it (the JDK
            // spawns children through a helper that closes stray fds, so this is harmless there).
            if (Fcntl.fcntl(fd, os.F_SETFL, os.O_NONBLOCK) < 0) {
                throw PosixErrors.socketError(os, "fcntl(F_SETFL, O_NONBLOCK)", where,
                        LibC.errno());
            }
            if (Fcntl.fcntl(fd, os.F_SETFD, os.FD_CLOEXEC) < 0) {
                throw PosixErrors.socketError(os, "fcntl(F_SETFD, FD_CLOEXEC)", where,
                        LibC.errno());
            }
        }
        if (plan.noSigpipe()) {
            setInt(fd, os.SOL_SOCKET, os.SO_NOSIGPIPE, 1, "SO_NOSIGPIPE");
        }
    }

    /**
     * Accepts one connection: accept4 with SOCK_NONBLOCK|SOCK_CLOEXEC where the OS has it,
     * otherwise accept then fcntl. The peer's sockaddr is left in the scratch buffer for
     * {@link #decodePeer()}.
     *
     * @param listenFd the listening socket
     * @param local    its address, for messages
     * @return the new fd, or -1 if none is pending
     */
    int accept(int listenFd, SocketAddress local) throws IOException {
        while (true) {
            small.putInt(SA_LEN, os.SOCKADDR_STORAGE_SIZE);
            int fd = plan.useAccept4()
                    ? LibC.accept4(listenFd, smallAddress + SA, smallAddress + SA_LEN,
                            plan.acceptFlags())
                    : LibC.accept(listenFd, smallAddress + SA, smallAddress + SA_LEN);
            if (fd >= 0) {
                if (plan.fcntlAfterAccept() || plan.noSigpipe()) {
                    try {
                        configureNewFd(fd, local, plan.fcntlAfterAccept());
                    } catch (IOException e) {
                        LibC.close(fd);
                        throw e;
                    }
                }
                return fd;
            }
            int e = LibC.errno();
            if (e == os.EAGAIN) {
                return -1;
            }
            // EINTR: retry. ECONNABORTED/EPROTO: the peer gave up before we accepted; Linux's
            // accept(2) page says to treat errors of the pending connection like EAGAIN and retry.
            if (e == os.EINTR || e == os.ECONNABORTED || e == os.EPROTO) {
                continue;
            }
            throw PosixErrors.socketError(os, "accept", local, e);
        }
    }

    /** The peer address {@link #accept} left in the scratch buffer. */
    SocketAddress decodePeer() {
        return SockAddr.decode(os, small, SA, small.getInt(SA_LEN));
    }

    // ---------------------------------------------------------------- addresses

    /**
     * getsockname(fd), decoded.
     *
     * @param fd the socket
     * @return the address, or null if the call fails
     */
    SocketAddress localAddress(int fd) {
        small.putInt(SA_LEN, os.SOCKADDR_STORAGE_SIZE);
        if (LibC.getsockname(fd, smallAddress + SA, smallAddress + SA_LEN) != 0) {
            return null;
        }
        return SockAddr.decode(os, small, SA, small.getInt(SA_LEN));
    }

    /**
     * getpeername(fd), decoded.
     *
     * @param fd the socket
     * @return the address, or null if not connected (errno ENOTCONN) or the call fails
     */
    SocketAddress peerAddress(int fd) {
        small.putInt(SA_LEN, os.SOCKADDR_STORAGE_SIZE);
        if (LibC.getpeername(fd, smallAddress + SA, smallAddress + SA_LEN) != 0) {
            return null;
        }
        return SockAddr.decode(os, small, SA, small.getInt(SA_LEN));
    }

    /**
     * Encodes an address into the scratch sockaddr.
     *
     * @return its length; the address is at {@link #sockaddrAddress()}
     */
    int encodeSockaddr(SocketAddress address, int socketFamily) {
        return SockAddr.encode(os, address, socketFamily, small, SA);
    }

    /** The native address of the scratch sockaddr. */
    long sockaddrAddress() {
        return smallAddress + SA;
    }

    /** The native address of the scratch sockaddr's socklen_t. */
    long sockaddrLenAddress() {
        return smallAddress + SA_LEN;
    }

    /** Prepares the scratch socklen_t for a call that fills the sockaddr. */
    void resetSockaddrLen() {
        small.putInt(SA_LEN, os.SOCKADDR_STORAGE_SIZE);
    }

    /** Decodes the scratch sockaddr after a call filled it. */
    SocketAddress decodeSockaddr() {
        return SockAddr.decode(os, small, SA, small.getInt(SA_LEN));
    }

    // ---------------------------------------------------------------- options

    private void checkOptions(SocketKind kind, SocketOptions options) {
        options.forEach((option, value) -> PosixOptions.check(os, kind, option));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void applyOptions(int fd, SocketKind kind, SocketOptions options) throws IOException {
        IOException[] failure = new IOException[1];
        options.forEach((option, value) -> {
            if (failure[0] == null) {
                try {
                    PosixOptions.set(this, fd, kind, (SocketOption) option, value);
                } catch (IOException e) {
                    failure[0] = e;
                }
            }
        });
        if (failure[0] != null) {
            throw failure[0];
        }
    }

    void setInt(int fd, int level, int name, int value, String optionName) throws IOException {
        small.putInt(OPT, value);
        if (LibC.setsockopt(fd, level, name, smallAddress + OPT, 4) != 0) {
            throw PosixErrors.socketError(os, "setsockopt(" + optionName + ")", null,
                    LibC.errno());
        }
    }

    void setInt2(int fd, int level, int name, int first, int second, String optionName)
            throws IOException {
        small.putInt(OPT, first);
        small.putInt(OPT + 4, second);
        if (LibC.setsockopt(fd, level, name, smallAddress + OPT, 8) != 0) {
            throw PosixErrors.socketError(os, "setsockopt(" + optionName + ")", null,
                    LibC.errno());
        }
    }

    int getInt(int fd, int level, int name, String optionName) throws IOException {
        small.putInt(OPT, 0);
        small.putInt(OPT_LEN, 4);
        if (LibC.getsockopt(fd, level, name, smallAddress + OPT, smallAddress + OPT_LEN) != 0) {
            throw PosixErrors.socketError(os, "getsockopt(" + optionName + ")", null,
                    LibC.errno());
        }
        return small.getInt(OPT);
    }

    /** Two ints (struct linger): first in the low 32 bits, second in the high 32 bits. */
    long getInt2(int fd, int level, int name, String optionName) throws IOException {
        small.putLong(OPT, 0);
        small.putInt(OPT_LEN, 8);
        if (LibC.getsockopt(fd, level, name, smallAddress + OPT, smallAddress + OPT_LEN) != 0) {
            throw PosixErrors.socketError(os, "getsockopt(" + optionName + ")", null,
                    LibC.errno());
        }
        return (small.getInt(OPT) & 0xffffffffL) | ((long) small.getInt(OPT + 4) << 32);
    }

    // ---------------------------------------------------------------- scratch memory

    /** The copy buffer for heap buffers (made on first use); its contents are scratch. */
    ByteBuffer copyBuffer() {
        if (copy == null) {
            copy = ByteBuffer.allocateDirect(COPY_BUFFER_SIZE);
            copyAddress = DirectAddress.base(copy);
        }
        return copy;
    }

    /** The native address of {@link #copyBuffer()} (call that first). */
    long copyAddress() {
        return copyAddress;
    }

    /** The iovec array with room for {@code count} entries (grown on demand, at most IOV_MAX). */
    ByteBuffer iovecs(int count) {
        if (iov == null || iov.capacity() < count * IOVEC_SIZE) {
            int entries = Math.max(count, iov == null ? 16 : iov.capacity() / IOVEC_SIZE * 2);
            entries = Math.min(entries, os.IOV_MAX);
            iov = ByteBuffer.allocateDirect(entries * IOVEC_SIZE).order(ByteOrder.nativeOrder());
            iovAddress = DirectAddress.base(iov);
        }
        return iov;
    }

    /** The native address of the iovec array from the last {@link #iovecs(int)}. */
    long iovecsAddress() {
        return iovAddress;
    }

    @Override
    public String toString() {
        return "PosixSocketLayer[" + os.os + ", " + plan + "]";
    }

    // Two most recent direct buffers and their base addresses. The steady-state message path
    // reads into the loop's one reused read buffer and writes from it, so these hit nearly always;
    // a hit needs no MemorySegment (whose allocation escape analysis removes only sometimes:
    // the echo benchmark measured 32-64 B per message on one connection without this cache).
    // Holding the buffers keeps them reachable, so a cached address never outlives its memory.
    private ByteBuffer cachedA;
    private long baseA;
    private ByteBuffer cachedB;
    private long baseB;

    /**
     * The native address of {@code buf}'s position, for a direct buffer.
     *
     * <p><b>Threading:</b> loop thread only (the cache is per layer, i.e. per poller).
     *
     * @param buf a direct buffer
     * @return its address plus its position
     */
    long addressOf(ByteBuffer buf) {
        if (buf == cachedA) {
            return baseA + buf.position();
        }
        if (buf == cachedB) {
            return baseB + buf.position();
        }
        long address = DirectAddress.of(buf);
        cachedB = cachedA;
        baseB = baseA;
        cachedA = buf;
        baseA = address - buf.position();
        return address;
    }

    // ---------------------------------------------------------------- child processes

    private final java.util.function.Function<PosixSocketLayer, dev.pollen.spi.ProcessLayer>
            processFactory;
    private dev.pollen.spi.ProcessLayer processes;
    private boolean processesProbed;

    /**
     * The process layer the constructor's factory makes: by default the {@link PosixProcessLayer}
     * on Linux with pidfd, else null (the JDK fallback).
     */
    @Override
    public dev.pollen.spi.ProcessLayer processes() {
        if (!processesProbed) {
            processesProbed = true;
            processes = processFactory.apply(this);
        }
        return processes;
    }

    // ---------------------------------------------------------------- splice(2)

    /** Kernel pipes the splice pipes of this layer hold now ({@link KernelPipe} counts them). */
    final dev.pollen.spi.AbstractSplicePipe.LoopCount splicePipes =
            new dev.pollen.spi.AbstractSplicePipe.LoopCount();

    /** The address of two ints of scratch (the option slot), for {@code pipe2}'s result. */
    long intPairAddress() {
        return smallAddress + OPT;
    }

    /** One of the two scratch ints at {@link #intPairAddress()}. */
    int intPair(int index) {
        return small.getInt(OPT + 4 * index);
    }
}
