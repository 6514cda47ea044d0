package dev.pollen.spi;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A connected (or connecting) non-blocking stream socket: TCP or Unix domain.
 *
 * <p>Reads and writes take heap or direct buffers; backends are fastest with direct ones. They
 * move the buffer's position by the bytes transferred, as {@link java.nio.channels.SocketChannel}
 * does.
 *
 * <p><b>Threading:</b> loop thread only.
 */
public interface StreamSocket extends IoSource {

    /**
     * Completes a connect started by {@link SocketLayer#connect}. Call it when WRITE readiness is
     * reported.
     *
     * @return true if connected (also when already connected), false if still in progress
     * @throws IOException if the connect failed, e.g. {@link java.net.ConnectException} for
     *                     ECONNREFUSED, with the address in the message
     */
    boolean finishConnect() throws IOException;

    /**
     * Reads what is available into {@code dst}.
     *
     * @param dst where to put the bytes
     * @return bytes read, 0 if none are available now, -1 at end of stream
     * @throws IOException if the connection failed (e.g. ECONNRESET)
     */
    int read(ByteBuffer dst) throws IOException;

    /**
     * Writes what the kernel accepts now from {@code src}.
     *
     * @param src the bytes to write
     * @return bytes written, 0 if the send buffer is full
     * @throws IOException if the connection failed (e.g. EPIPE, ECONNRESET)
     */
    int write(ByteBuffer src) throws IOException;

    /**
     * Gathering write: writes what the kernel accepts now from {@code srcs[offset..offset+length)}
     * in one system call where the backend can.
     *
     * @param srcs   the buffers
     * @param offset index of the first buffer
     * @param length how many buffers
     * @return bytes written, 0 if the send buffer is full
     * @throws IOException if the connection failed
     */
    long write(ByteBuffer[] srcs, int offset, int length) throws IOException;

    /**
     * Half-closes: sends FIN after what was written; reads keep working.
     *
     * <p>On a connection that is already gone — the peer reset it, so the kernel answers
     * {@code ENOTCONN} — there is nothing left to half-close: this returns normally (as the JDK's
     * {@code SocketChannel.shutdownOutput} does) and the reset surfaces as the next read's or
     * write's {@link IOException}. A peer that has gone is routine, never a programming error.
     *
     * @throws IOException if the kernel refuses for another reason
     */
    void shutdownOutput() throws IOException;

    /**
     * The local address.
     *
     * @return the bound address, or null if unknown
     */
    SocketAddress localAddress();

    /**
     * The peer's address.
     *
     * @return the remote address, or null if unknown
     */
    SocketAddress remoteAddress();

    /**
     * Sets a socket option.
     *
     * @param option the option
     * @param value  the value
     * @param <T>    its type
     * @throws IOException                   if the kernel refuses
     * @throws UnsupportedOperationException if the backend does not know the option
     */
    <T> void setOption(SocketOption<T> option, T value) throws IOException;

    /**
     * Reads a socket option.
     *
     * @param option the option
     * @param <T>    its type
     * @return its value
     * @throws IOException                   if the kernel refuses
     * @throws UnsupportedOperationException if the backend does not know the option
     */
    <T> T getOption(SocketOption<T> option) throws IOException;

    /**
     * Optional capability: a sender that moves bytes of {@code file} to this socket inside the
     * kernel ({@code sendfile(2)}, or the JDK's {@link FileChannel#transferTo}), for
     * {@code Net.sendfile}'s zero-copy path. The default says "not available" (null), and
     * {@code Net.sendfile} then uses its read/write fallback; a backend overrides it only where
     * the kernel copy works on this socket.
     *
     * <p>The caller owns the returned sender and closes it when the transfer ends; it does not
     * close {@code file}, and never moves the file's position (the caller sets it afterwards).
     * While a sender is in use the caller writes nothing else to the socket.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param file an open file channel, readable
     * @return a sender, or null where this socket (backend, platform, or this file) cannot send
     *         files in the kernel
     * @throws IOException if the backend supports it but could not set it up now (for example
     *                     out of descriptors); the caller may fall back
     */
    default FileSender fileSender(FileChannel file) throws IOException {
        return null;
    }

    /**
     * Moves bytes of one file to one socket inside the kernel; see {@link #fileSender}.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    interface FileSender extends AutoCloseable {

        /**
         * Sends what the socket's send buffer accepts now of the file's bytes from
         * {@code position}, at most {@code count}, in one kernel call (retried on EINTR). It does
         * not block: a full send buffer returns 0 (wait for WRITE readiness and call again).
         *
         * @param position the file offset of the first byte, {@code >= 0}
         * @param count    at most this many bytes, {@code > 0}
         * @return bytes sent ({@code > 0}); 0 if the send buffer is full now; -1 if
         *         {@code position} is at or past the end of the file
         * @throws IOException if the connection failed (EPIPE, ECONNRESET: a routine
         *                     {@link java.net.SocketException}) or the file could not be read
         */
        long send(long position, long count) throws IOException;

        /** Releases what the sender holds (a duplicated descriptor, native memory); idempotent. */
        @Override
        void close();
    }

    /**
     * Opens a {@link SplicePipe} that moves bytes arriving on this socket to {@code to} inside the
     * kernel, or returns null when this pair of sockets can never splice: the backend has no such
     * path (the default: every backend but the POSIX socket layer on Linux), {@code to} is not a
     * socket of the same kind of backend, or the backend's cap on pipes is 0. The pipe holds no
     * kernel pipe until it is {@link SplicePipe#reserve() reserved}; a shortage of pipes shows
     * there, never here. A null is never an error: the caller copies instead.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param to the destination, an open socket of the same loop
     * @return the pipe, owned by the caller (it must {@link SplicePipe#close()} it), or null
     */
    default SplicePipe openSplice(StreamSocket to) {
        return null;
    }
}
