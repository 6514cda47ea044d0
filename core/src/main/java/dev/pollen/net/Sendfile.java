package dev.pollen.net;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Objects;

/**
 * {@link Net#sendfile}: chooses the zero-copy path ({@link ZeroCopySendfile}) where the transport
 * is a plain stream socket whose backend can send files in the kernel, else (with
 * {@code fallback}) this read/write path. The fallback sends part of a file over a transport by
 * reading it in chunks on the loop's default executor and writing them to the transport with flow control (asyncio's
 * {@code _sendfile_fallback}, which {@code loop.sendfile} uses wherever {@code os.sendfile}
 * cannot be: TLS, or {@code fallback=True} on a loop without it). While it runs, a protocol of its
 * own stands in for the user's to hear the transport's flow-control events; data, end-of-stream
 * and connection loss are passed on to the user's protocol, and reading is paused. Afterwards the
 * user's protocol is back, reading resumes if it was on, and the file's position is just past the
 * bytes sent (asyncio's rule).
 *
 * <p><b>Threading:</b> loop thread only; the file is read on the loop's default executor.
 */
final class Sendfile implements Protocol {

    static final int CHUNK = 64 * 1024;

    private final EventLoop loop;
    private final Transport transport;
    private final Protocol user;
    private final boolean wasReading;
    private final boolean userPaused;
    private boolean transportPaused;
    private boolean lost;
    private Throwable lostCause;
    private Future<Void> resumed;
    private NetLoopState net;

    private Sendfile(Transport transport) {
        this.loop = transport.loop();
        this.transport = transport;
        this.user = transport.getProtocol();
        this.wasReading = transport.isReading();
        this.userPaused = transport.writeBufferSize() > transport.writeBufferHighWater();
        this.transportPaused = userPaused;
    }

    static Future<Long> start(Transport transport, FileChannel file, long offset, long count,
            boolean fallback) {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(file, "file");
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, got " + offset);
        }
        if (count <= 0 && count != -1) {
            throw new IllegalArgumentException("count must be positive (or -1 for \"to the end of "
                    + "the file\"), got " + count);
        }
        EventLoop loop = transport.loop();
        loop.checkThread("Net.sendfile");
        if (transport.isClosing()) {
            throw new IllegalStateException("Net.sendfile: the transport is closing");
        }
        NetLoopState net = NetLoopState.of(loop);
        IOException setUp = null;
        if (transport instanceof StreamTransport st) {
            if (st.sendfileActive()) {
                throw new IllegalStateException("Net.sendfile: a sendfile is already in progress on "
                        + "this transport; start the next one when its future completes");
            }
            StreamSocket.FileSender sender = null;
            try {
                sender = st.fileSender(file);
            } catch (IOException e) {
                setUp = e;
            }
            if (sender != null) {
                return ZeroCopySendfile.start(st, net, sender, file, offset, count);
            }
        }
        if (!fallback) {
            throw new SendfileNotAvailableException("Net.sendfile: the kernel cannot send the file "
                    + "on this transport (" + (setUp != null ? setUp.getMessage()
                    : transport instanceof StreamTransport
                    ? "the poller " + loop.poller().name() + " cannot send this file from its "
                    + "socket in the kernel"
                    : "not a plain TCP/Unix socket: TLS, a pipe or a subprocess stream")
                    + "); pass fallback=true for the read/write path", setUp);
        }
        net.sendfileFallbackRuns++;
        Sendfile s = new Sendfile(transport);
        s.net = net;
        transport.pauseReading();
        transport.setProtocol(s);
        return loop.createTask("sendfile", () -> s.run(file, offset, count));
    }

    private long run(FileChannel file, long offset, long count) throws IOException {
        long sent = 0;
        try {
            while (count < 0 || sent < count) {
                if (lost) {
                    throw connectionLost();
                }
                int want = (int) (count < 0 ? CHUNK : Math.min(CHUNK, count - sent));
                ByteBuffer buf = ByteBuffer.allocate(want);
                int n = read(file, buf, offset + sent);
                if (n <= 0) {
                    break; // end of file
                }
                if (lost) {
                    throw connectionLost();
                }
                buf.flip();
                transport.write(buf);
                sent += n;
                while (!lost && (transportPaused
                        || transport.writeBufferSize() > transport.writeBufferHighWater())) {
                    resumed = loop.createFuture();
                    resumed.await();
                }
            }
            if (lost) {
                throw connectionLost();
            }
            return sent;
        } finally {
            net.sendfileFallbackBytes += sent;
            file.position(offset + sent);
            restore();
        }
    }

    /** Reads at {@code position} on the default executor; -1 or 0 at the end of the file. */
    private int read(FileChannel file, ByteBuffer buf, long position) throws IOException {
        Future<Integer> f = loop.createFuture();
        loop.defaultExecutor().execute(() -> {
            try {
                int total = 0;
                while (buf.hasRemaining()) {
                    int n = file.read(buf, position + total);
                    if (n < 0) {
                        break;
                    }
                    total += n;
                }
                int result = total;
                loop.callSoonThreadsafe(() -> f.setResult(result));
            } catch (Throwable e) {
                loop.callSoonThreadsafe(() -> f.setException(e));
            }
        });
        return Streams.awaitIo(f);
    }

    private SocketException connectionLost() {
        SocketException e = new SocketException("Connection lost during sendfile");
        if (lostCause != null) {
            e.initCause(lostCause);
        }
        return e;
    }

    private void restore() {
        if (transport.getProtocol() == this) {
            transport.setProtocol(user);
        }
        if (lost) {
            return;
        }
        if (userPaused && !transportPaused) {
            user.resumeWriting();
        } else if (!userPaused && transportPaused) {
            user.pauseWriting();
        }
        if (wasReading && !transport.isClosing()) {
            transport.resumeReading();
        }
    }

    private void wake() {
        Future<Void> r = resumed;
        resumed = null;
        if (r != null && !r.isDone()) {
            r.setResult(null);
        }
    }

    // ------------------------------------------------------------------ Protocol (stand-in)

    @Override
    public void connectionMade(Transport t) {
        // the transport is already connected
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        user.dataReceived(data);
    }

    @Override
    public boolean eofReceived() {
        return user.eofReceived();
    }

    @Override
    public void connectionLost(Throwable cause) {
        lost = true;
        lostCause = cause;
        wake();
        user.connectionLost(cause);
    }

    @Override
    public void pauseWriting() {
        transportPaused = true;
    }

    @Override
    public void resumeWriting() {
        transportPaused = false;
        wake();
    }
}
