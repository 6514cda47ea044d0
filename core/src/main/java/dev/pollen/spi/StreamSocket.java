package dev.pollen.spi;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;

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
     * Opens a {@link SplicePipe} that moves bytes arriving on this socket to {@code to} inside the
     * kernel, or returns null when it cannot: the backend has no such path (the default: every
     * backend but the POSIX socket layer on Linux), {@code to} is not a socket of the same kind of
     * backend, or no pipe can be had now (the backend's cap on pipes, or {@code pipe2} failing,
     * e.g. EMFILE when descriptors run out). A null is never an error: the caller copies instead.
     *
     * @param to the destination, an open socket of the same loop
     * @return the pipe, owned by the caller (it must {@link SplicePipe#close()} it), or null
     */
    default SplicePipe openSplice(StreamSocket to) {
        return null;
    }
}
