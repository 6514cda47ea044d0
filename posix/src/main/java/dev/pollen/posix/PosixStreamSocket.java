package dev.pollen.posix;

import dev.pollen.spi.SplicePipe;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Objects;

/**
 * A non-blocking TCP or Unix domain stream socket on a file descriptor.
 *
 * <p>Reads and writes are one {@code recv}/{@code send}/{@code writev} system call each
 * (retried on EINTR); EAGAIN is "nothing now" (0). {@code recv} and {@code send} (as
 * {@code recvfrom}/{@code sendto} without an address and with no flags) do what {@code read} and
 * {@code write} do on a socket, but enter the socket layer directly instead of through the VFS
 * (no file-position lookup, permission hook or fsnotify): about 3 % less kernel time per
 * exchange here (docs/pollers-native.md). Direct buffers go to the kernel at their own
 * address; heap buffers are copied through the layer's 64 KiB copy buffer, so one call moves at
 * most 64 KiB for them. A gathering write of direct buffers is one {@code writev} of up to
 * IOV_MAX buffers; if any buffer is a heap buffer, the buffers are copied into the copy buffer
 * and written with one {@code write}.
 *
 * <p>A poller that receives ahead of the reader (io_uring with
 * {@code -Dpollen.io_uring.recv=ahead}) attaches a {@link ReadAhead} stash: reads and splices
 * then take its bytes, end of stream or error first, and read the descriptor themselves only
 * when it answers {@link ReadAhead#DIRECT}.
 *
 * <p>A poller that sends behind the writer (io_uring with {@code -Dpollen.io_uring.send=ring})
 * attaches a {@link WriteBehind} queue: writes then copy into its buffer instead of calling
 * {@code send(2)}, and {@code sendfile}, splices into the socket and {@code shutdown(SHUT_WR)}
 * wait until its queued bytes went; a write after {@link #shutdownOutput()} fails with EPIPE at
 * once, as {@code send(2)} would.
 *
 * <p><b>Threading:</b> loop thread only.
 */
public final class PosixStreamSocket extends FdStream implements StreamSocket {

    private final SocketKind kind;
    private final OsConstants os;
    private SocketAddress remote;
    private SocketAddress local;
    private boolean connected;
    /** The poller's receive-ahead stash, if it reads ahead for this socket ({@link ReadAhead}). */
    private ReadAhead readAhead;
    /** The poller's send queue, if it sends behind the writer for this socket ({@link WriteBehind}). */
    private WriteBehind writeBehind;
    /**
     * {@link #shutdownOutput()} was called: a write through the write-behind queue then fails as
     * the kernel's would (EPIPE), instead of queueing bytes behind the half-close or after it.
     */
    private boolean outputShut;

    PosixStreamSocket(PosixSocketLayer layer, int fd, SocketKind kind, SocketAddress remote,
                      boolean connected) {
        super(layer, fd);
        this.kind = kind;
        this.os = layer.os();
        this.remote = remote;
        this.connected = connected;
    }

    /**
     * Moves {@code old}'s descriptor to a socket of {@code layer} (see
     * {@link PosixSocketLayer#adopt}); kind, addresses and connect state carry over and
     * {@code old} is detached.
     *
     * @param layer the adopting layer
     * @param old   an open, unregistered socket of another layer of the same kind of poller
     * @return the new owner of the fd
     */
    static PosixStreamSocket adopt(PosixSocketLayer layer, PosixStreamSocket old) {
        PosixStreamSocket s = new PosixStreamSocket(layer, old.fd, old.kind, old.remote,
                old.connected);
        s.local = old.local;
        old.detach();
        return s;
    }

    @Override
    public boolean finishConnect() throws IOException {
        ensureOpen();
        if (connected) {
            return true;
        }
        // SO_ERROR holds (and clears) the error of a failed non-blocking connect, unless the
        // poller consumed it first and handed it back (libkqueue).
        int err = takeRestoredError();
        if (err == 0) {
            err = layer.getInt(fd, os.SOL_SOCKET, os.SO_ERROR, "SO_ERROR");
        }
        if (err != 0) {
            throw PosixErrors.socketError(os, "connect", remote, err);
        }
        // No error yet: connected if the kernel knows a peer, else still in progress.
        if (layer.peerAddress(fd) == null) {
            int e = LibC.errno();
            if (e == os.ENOTCONN) {
                return false;
            }
            throw PosixErrors.socketError(os, "getpeername", remote, e);
        }
        connected = true;
        return true;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        if (dst.isReadOnly() && dst.hasRemaining()) {
            throw new IllegalArgumentException("dst is a read-only buffer");
        }
        ReadAhead ra = readAhead;
        if (ra != null) {
            int s = ra.stashed();
            if (s != ReadAhead.DIRECT) {
                int n = takeStashed(ra, s, dst);
                if (n == 0 && writeBehind != null) {
                    throwSendFailure(writeBehind, "write");
                }
                return n;
            }
        }
        int n = readInto(dst);
        if (ra != null) {
            ra.readDirectly(n);
        }
        WriteBehind wb = writeBehind;
        if (n == 0 && wb != null) {
            throwSendFailure(wb, "write"); // a failed send queued earlier: readiness led here
        }
        return n;
    }

    /** Throws the failure of a send the write-behind queue made, if any ({@link WriteBehind}). */
    private void throwSendFailure(WriteBehind wb, String op) throws IOException {
        int e = wb.takeFailure();
        if (e != 0) {
            throw PosixErrors.socketError(os, op, remote, e);
        }
    }

    /**
     * A write through the write-behind queue after {@link #shutdownOutput()}: EPIPE, as
     * {@code send(2)} answers on a half-closed socket (the queue would otherwise accept bytes that
     * either go out before the deferred FIN or fail later, unseen by this write).
     */
    private void throwIfOutputShut(String op) throws IOException {
        if (outputShut) {
            throw PosixErrors.socketError(os, op, remote, os.errno.number("EPIPE"));
        }
    }

    /**
     * Whether a write of {@code bytes} goes through the write-behind queue: unless it is large
     * and nothing is queued or in flight ({@link WriteBehind#directFrom()}).
     */
    private static boolean throughQueue(WriteBehind wb, long bytes) {
        return bytes < wb.directFrom() || wb.queued();
    }

    /**
     * Whether bytes the write-behind queue holds would be overtaken by a direct write of the
     * descriptor now ({@code sendfile}, {@code splice}): then those answer "not writable now".
     */
    boolean writeBehindQueued() {
        WriteBehind wb = writeBehind;
        return wb != null && wb.queued();
    }

    /** A read served by the read-ahead stash: its bytes, end of stream or error, or 0. */
    private int takeStashed(ReadAhead ra, int stashed, ByteBuffer dst) throws IOException {
        if (stashed > 0) {
            int pos = dst.position();
            int n = Math.min(stashed, dst.limit() - pos);
            if (n > 0) {
                ByteBuffer b = ra.bytes();
                dst.put(pos, b, b.position(), n);
                dst.position(pos + n);
                ra.consume(n);
            }
            return n;
        }
        if (stashed == ReadAhead.FAILED) {
            throw PosixErrors.socketError(os, "read", remote, ra.takeFailure());
        }
        return stashed == ReadAhead.END ? -1 : 0; // PENDING: a receive is in flight
    }

    /**
     * Moves stashed bytes (the read-ahead's) into a kernel pipe, for {@link KernelPipe}'s splice
     * from this socket: what a splice from the descriptor would have moved first.
     *
     * @param pipeFd the pipe's write end (non-blocking)
     * @param room   at most this many bytes
     * @return bytes moved, 0 if none now, -1 at end of stream, or {@link #RETRY} when nothing is
     *         stashed or in flight (then splice from the descriptor)
     * @throws IOException the stashed error, as a splice would have thrown it
     */
    long fillFromStash(int pipeFd, int room) throws IOException {
        ReadAhead ra = readAhead;
        int s = ra == null ? ReadAhead.DIRECT : ra.stashed();
        if (s == ReadAhead.DIRECT) {
            return RETRY;
        }
        if (s > 0) {
            ByteBuffer b = ra.bytes();
            long n = LibC.write(pipeFd, layer.addressOf(b), Math.min(s, room));
            if (n > 0) {
                ra.consume((int) n);
                return n;
            }
            return 0; // the pipe is full (EAGAIN): its reader drains it first
        }
        if (s == ReadAhead.FAILED) {
            throw PosixErrors.socketError(os, "splice", remote, ra.takeFailure());
        }
        return s == ReadAhead.END ? -1 : 0;
    }

    /**
     * Attaches (or with null detaches) a poller's read-ahead stash: from now on reads and splices
     * take its bytes first ({@link ReadAhead} states the contract).
     *
     * <p><b>Threading:</b> loop thread only (the poller's, on registration and when the stash is
     * done).
     *
     * @param stash the stash, or null
     */
    public void readAhead(ReadAhead stash) {
        readAhead = stash;
    }

    /**
     * Attaches (or with null detaches) a poller's write-behind queue: from now on writes copy
     * into it ({@link WriteBehind} states the contract).
     *
     * <p><b>Threading:</b> loop thread only (the poller's, on registration and when the queue is
     * done).
     *
     * @param queue the queue, or null
     */
    public void writeBehind(WriteBehind queue) {
        writeBehind = queue;
    }

    /**
     * Whether closing the descriptor now resets the connection ({@code SO_LINGER} on with a
     * timeout of 0, as {@code Transport.abort()} sets it): a poller's write-behind queue then
     * drops its bytes instead of sending them after the close. Readable while the socket is
     * closing (from the {@link FdCloseHook}); false when the option cannot be read.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true for an abortive close
     */
    public boolean closesWithReset() {
        try {
            long v = layer.getInt2(fd, os.SOL_SOCKET, os.SO_LINGER, "SO_LINGER");
            return (int) v != 0 && (int) (v >>> 32) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The attached write-behind queue.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the queue, or null when the socket writes its descriptor itself
     */
    public WriteBehind writeBehind() {
        return writeBehind;
    }

    /**
     * The attached read-ahead stash.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the stash, or null when the socket reads its descriptor itself
     */
    public ReadAhead readAhead() {
        return readAhead;
    }

    @Override
    int readAt(long address, int len) throws IOException {
        while (true) {
            long n = LibC.recvfrom(fd, address, len, 0, 0L, 0L); // recv(2), see the class comment
            if (n > 0) {
                return (int) n;
            }
            long r = afterRead(n, "read");
            if (r != RETRY) {
                return (int) r;
            }
        }
    }

    /** The answer of {@link #afterRead} and {@link #afterFailure} after EINTR: call again. */
    static final long RETRY = Long.MIN_VALUE;

    /**
     * What a read-like call on this socket ({@code read}, or {@code splice} from it) that returned
     * {@code n <= 0} means: -1 at end of stream, 0 when nothing is available now, {@link #RETRY}
     * after EINTR. The kernel hands out queued data before a pending error, and so does a restored
     * one: it is thrown here, after the data. Call it right after the call, while errno holds.
     *
     * @throws IOException for a failure, naming {@code op} and the peer
     */
    long afterRead(long n, String op) throws IOException {
        int restored = takeRestoredError();
        if (restored != 0) {
            throw PosixErrors.socketError(os, op, remote, restored);
        }
        if (n == 0) {
            return -1;
        }
        return afterFailure(op);
    }

    /**
     * What a call on this socket that returned -1 means, from errno: 0 for EAGAIN (nothing now,
     * or the send buffer is full), {@link #RETRY} for EINTR.
     *
     * @throws IOException for any other errno, naming {@code op} and the peer
     */
    long afterFailure(String op) throws IOException {
        int e = LibC.errno();
        if (e == os.EAGAIN) {
            return 0;
        }
        if (e == os.EINTR) {
            return RETRY;
        }
        throw PosixErrors.socketError(os, op, remote, e);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        ensureOpen();
        WriteBehind wb = writeBehind;
        if (wb != null) {
            throwRestoredError("write");
            throwSendFailure(wb, "write");
            throwIfOutputShut("write");
            if (throughQueue(wb, src.remaining())) {
                return wb.accept(src);
            }
        }
        return writeFrom(src);
    }

    @Override
    int writeAt(long address, long len) throws IOException {
        throwRestoredError("write");
        while (true) {
            long n = LibC.sendto(fd, address, len, 0, 0L, 0); // send(2)
            if (n >= 0) {
                return (int) n;
            }
            long r = afterFailure("write");
            if (r != RETRY) {
                return (int) r;
            }
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        ensureOpen();
        int end = offset + length;
        int count = 0;
        boolean allDirect = true;
        for (int i = offset; i < end; i++) {
            ByteBuffer b = srcs[i];
            if (b.hasRemaining()) {
                count++;
                allDirect &= b.isDirect();
            }
        }
        if (count == 0) {
            return 0;
        }
        WriteBehind wb = writeBehind;
        if (wb != null) {
            throwRestoredError("writev");
            throwSendFailure(wb, "writev");
            throwIfOutputShut("writev");
            long total = 0;
            for (int i = offset; i < end; i++) {
                total += srcs[i].remaining();
            }
            if (!throughQueue(wb, total)) {
                wb = null; // large and nothing queued: written directly below
            }
        }
        if (wb != null) {
            long accepted = 0;
            for (int i = offset; i < end; i++) {
                ByteBuffer b = srcs[i];
                accepted += wb.accept(b);
                if (b.hasRemaining()) {
                    break; // full: later buffers must not go before this one's rest
                }
            }
            return accepted;
        }
        long written;
        if (allDirect) {
            ByteBuffer iov = layer.iovecs(Math.min(count, os.IOV_MAX));
            int entries = 0;
            for (int i = offset; i < end && entries < os.IOV_MAX; i++) {
                ByteBuffer b = srcs[i];
                if (b.hasRemaining()) {
                    iov.putLong(entries * PosixSocketLayer.IOVEC_SIZE, layer.addressOf(b));
                    iov.putLong(entries * PosixSocketLayer.IOVEC_SIZE + 8, b.remaining());
                    entries++;
                }
            }
            written = writevAt(layer.iovecsAddress(), entries);
        } else {
            // Any heap buffer: gather everything into the copy buffer, one write.
            ByteBuffer copy = layer.copyBuffer();
            int filled = 0;
            for (int i = offset; i < end && filled < copy.capacity(); i++) {
                ByteBuffer b = srcs[i];
                int len = Math.min(b.remaining(), copy.capacity() - filled);
                copy.put(filled, b, b.position(), len);
                filled += len;
            }
            written = writeAt(layer.copyAddress(), filled);
        }
        long left = written;
        for (int i = offset; i < end && left > 0; i++) {
            ByteBuffer b = srcs[i];
            int step = (int) Math.min(b.remaining(), left);
            b.position(b.position() + step);
            left -= step;
        }
        return written;
    }

    private long writevAt(long iovAddress, int entries) throws IOException {
        throwRestoredError("writev");
        while (true) {
            long n = LibC.writev(fd, iovAddress, entries);
            if (n >= 0) {
                return n;
            }
            int e = LibC.errno();
            if (e == os.EAGAIN) {
                return 0;
            }
            if (e != os.EINTR) {
                throw PosixErrors.socketError(os, "writev", remote, e);
            }
        }
    }

    /** A write meets a pending error before it sends anything, as in the kernel. */
    void throwRestoredError(String op) throws IOException {
        int restored = takeRestoredError();
        if (restored != 0) {
            throw PosixErrors.socketError(os, op, remote, restored);
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        ensureOpen();
        outputShut = true;
        WriteBehind wb = writeBehind;
        if (wb != null && wb.queued()) {
            wb.shutdownAfter(); // after the queued bytes, in order
            return;
        }
        if (LibC.shutdown(fd, os.SHUT_WR) != 0) {
            int e = LibC.errno();
            if (e == os.ENOTCONN) {
                return; // the peer reset the connection: nothing to half-close (StreamSocket)
            }
            throw PosixErrors.socketError(os, "shutdown(SHUT_WR)", remote, e);
        }
    }

    @Override
    public SocketAddress localAddress() {
        if (local == null && isOpen()) {
            SocketAddress a = layer.localAddress(fd);
            if (connected) {
                local = a; // fixed once connected
            }
            return a;
        }
        return local;
    }

    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) throws IOException {
        Objects.requireNonNull(option, "option");
        ensureOpen();
        PosixOptions.set(layer, fd, kind, option, value);
    }

    @Override
    public <T> T getOption(SocketOption<T> option) throws IOException {
        Objects.requireNonNull(option, "option");
        ensureOpen();
        return PosixOptions.get(layer, fd, kind, option);
    }

    // ------------------------------------------------------------------ sendfile(2)

    /**
     * Linux only: a {@code sendfile(2)} sender ({@link PosixFileSender}). On macOS and FreeBSD
     * (kqueue) the function has another signature and headers-and-trailers semantics: null, and
     * {@code Net.sendfile} uses its read/write fallback there.
     */
    @Override
    public FileSender fileSender(FileChannel file) throws IOException {
        ensureOpen();
        if (os.os != OsConstants.Os.LINUX) {
            return null;
        }
        return PosixFileSender.open(this, file);
    }

    /**
     * One {@code sendfile(2)} from {@code fileFd} at the offset stored at {@code offsetAddress}.
     *
     * @return bytes sent; 0 if the send buffer is full; -1 at the end of the file
     * @throws IOException on a failure (EPIPE, ECONNRESET, EIO), naming the peer
     */
    long sendfileFrom(int fileFd, long offsetAddress, long count) throws IOException {
        ensureOpen();
        throwRestoredError("sendfile");
        if (writeBehindQueued()) {
            return 0; // queued bytes go first; their sends' completions report WRITE
        }
        while (true) {
            long n = LibC.sendfile(fd, fileFd, offsetAddress, count);
            if (n > 0) {
                return n;
            }
            if (n == 0) {
                return -1;
            }
            long r = afterFailure("sendfile");
            if (r != RETRY) {
                return r;
            }
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: a {@link KernelPipe} on Linux when {@code to} is another open
     * {@code PosixStreamSocket} (holding no kernel pipe until reserved); null elsewhere, or when
     * the cap {@code pollen.splice.maxPipes} is 0.
     */
    @Override
    public SplicePipe openSplice(StreamSocket to) {
        if (!(to instanceof PosixStreamSocket dst) || dst == this || !isOpen() || !dst.isOpen()) {
            return null;
        }
        KernelPipe pipe = KernelPipe.open(layer, this, dst);
        if (pipe != null && readAhead != null) {
            readAhead.stop(); // spliced bytes come from the descriptor: the stash goes first
        }
        return pipe;
    }

    @Override
    public String toString() {
        return "PosixStreamSocket[fd " + fd + ", " + kind + ", "
                + (connected ? "connected to " : "connecting to ") + SockAddr.format(remote)
                + (isOpen() ? "" : ", closed") + "]";
    }
}
