package dev.pollen.posix;

import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The parent's end of a child's stdin, stdout or stderr pipe, non-blocking, as a
 * {@link StreamSocket} the pollers register like a socket. A read end only reads, a write end
 * only writes. A write end is never readable: when the poller reports it ready to read it means
 * the child closed its end (an error/hang-up event), so {@link #read} returns end-of-stream there,
 * as asyncio's pipe transport treats that event.
 *
 * <p><b>Threading:</b> the owning loop's thread.
 */
final class PipeEnd extends FdStream implements StreamSocket {

    private final boolean writeEnd;
    private final String name;

    PipeEnd(PosixSocketLayer layer, int fd, boolean writeEnd, String name) {
        super(layer, fd);
        this.writeEnd = writeEnd;
        this.name = name;
    }

    @Override
    public boolean finishConnect() {
        return true;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        if (writeEnd) {
            return -1; // the child closed its end
        }
        return readInto(dst);
    }

    @Override
    int readAt(long address, int len) throws IOException {
        while (true) {
            long n = LibC.read(fd, address, len);
            if (n > 0) {
                return (int) n;
            }
            if (n == 0) {
                return -1;
            }
            int e = LibC.errno();
            if (e == layer.os().EAGAIN) {
                return 0;
            }
            if (e != layer.os().EINTR) {
                throw PosixErrors.error(layer.os(), "read(" + name + ")", e);
            }
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        ensureOpen();
        if (!writeEnd) {
            throw new IOException(name + " is the read end of a pipe");
        }
        return writeFrom(src);
    }

    @Override
    int writeAt(long address, long len) throws IOException {
        while (true) {
            long n = LibC.write(fd, address, len);
            if (n >= 0) {
                return (int) n;
            }
            int e = LibC.errno();
            if (e == layer.os().EAGAIN) {
                return 0;
            }
            if (e != layer.os().EINTR) {
                throw PosixErrors.error(layer.os(), "write(" + name + ")", e);
            }
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            ByteBuffer b = srcs[i];
            int want = b.remaining();
            int n = write(b);
            total += n;
            if (n < want) {
                break;
            }
        }
        return total;
    }

    /** A pipe's end-of-file is its close; the core closes the transport instead. */
    @Override
    public void shutdownOutput() {
        // nothing: see above
    }

    @Override
    public SocketAddress localAddress() {
        return null;
    }

    @Override
    public SocketAddress remoteAddress() {
        return null;
    }

    @Override
    public <T> void setOption(SocketOption<T> option, T value) {
        throw new UnsupportedOperationException("a pipe has no socket options");
    }

    @Override
    public <T> T getOption(SocketOption<T> option) {
        throw new UnsupportedOperationException("a pipe has no socket options");
    }

    @Override
    public String toString() {
        return "PipeEnd[" + name + ", fd " + fd + (isOpen() ? "" : ", closed") + "]";
    }
}
