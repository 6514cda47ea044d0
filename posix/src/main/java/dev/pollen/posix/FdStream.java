package dev.pollen.posix;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * An fd that moves bytes with {@code read(2)}/{@code write(2)} (a stream socket, a pipe end):
 * holds the buffer staging they share. A direct buffer is passed to the kernel at its own
 * address; a heap buffer goes through the layer's copy buffer, at most its capacity per call.
 * Subclasses supply the system call and its error handling ({@link #readAt}, {@link #writeAt}).
 *
 * <p><b>Threading:</b> loop thread only.
 */
abstract class FdStream extends FdSource {

    FdStream(PosixSocketLayer layer, int fd) {
        super(layer, fd);
    }

    /**
     * One read at a native address.
     *
     * @param address where to read to
     * @param len     at most this many bytes (more than 0)
     * @return bytes read, 0 if none are ready, -1 at end-of-stream
     * @throws IOException on an error
     */
    abstract int readAt(long address, int len) throws IOException;

    /**
     * One write from a native address.
     *
     * @param address what to write
     * @param len     this many bytes (more than 0)
     * @return bytes written, 0 if the fd is not ready
     * @throws IOException on an error
     */
    abstract int writeAt(long address, long len) throws IOException;

    /**
     * Reads into {@code dst}'s remaining bytes and advances its position by what was read;
     * returns 0 at once if it has none.
     *
     * @param dst the buffer, writable
     * @return as {@link #readAt}
     * @throws IOException on an error
     */
    final int readInto(ByteBuffer dst) throws IOException {
        int pos = dst.position();
        int rem = dst.limit() - pos;
        if (rem == 0) {
            return 0;
        }
        if (dst.isDirect()) {
            int n = readAt(layer.addressOf(dst), rem);
            if (n > 0) {
                dst.position(pos + n);
            }
            return n;
        }
        ByteBuffer copy = layer.copyBuffer();
        int n = readAt(layer.copyAddress(), Math.min(rem, copy.capacity()));
        if (n > 0) {
            dst.put(pos, copy, 0, n);
            dst.position(pos + n);
        }
        return n;
    }

    /**
     * Writes {@code src}'s remaining bytes and advances its position by what was written;
     * returns 0 at once if it has none.
     *
     * @param src the buffer
     * @return as {@link #writeAt}
     * @throws IOException on an error
     */
    final int writeFrom(ByteBuffer src) throws IOException {
        int pos = src.position();
        int rem = src.limit() - pos;
        if (rem == 0) {
            return 0;
        }
        int n;
        if (src.isDirect()) {
            n = writeAt(layer.addressOf(src), rem);
        } else {
            ByteBuffer copy = layer.copyBuffer();
            int len = Math.min(rem, copy.capacity());
            copy.put(0, src, pos, len);
            n = writeAt(layer.copyAddress(), len);
        }
        if (n > 0) {
            src.position(pos + n);
        }
        return n;
    }
}
