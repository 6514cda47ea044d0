package dev.pollen.net;

import dev.pollen.loop.Task;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The writing half of a stream connection (asyncio's {@code StreamWriter}): writes go to the
 * transport at once (nothing blocks); {@link #drain()} is where a task waits for the peer to
 * catch up.
 *
 * <pre>{@code
 * writer.write(bytes);
 * writer.drain();          // returns at once under the high-water mark, else waits for the low one
 * }</pre>
 *
 * <p><b>Threading:</b> loop thread only; {@link #drain()} and {@link #waitClosed()} must run
 * inside a task (they await).
 */
public final class StreamWriter {

    private Transport transport;
    private final StreamProtocol protocol;
    private final StreamReader reader;

    StreamWriter(Transport transport, StreamProtocol protocol, StreamReader reader) {
        this.transport = transport;
        this.protocol = protocol;
        this.reader = reader;
    }

    /**
     * Writes bytes (buffered by the transport as needed). Follow a series of writes with
     * {@link #drain()} to respect flow control.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param data the bytes
     * @throws IllegalStateException after {@link #close()} or {@link #writeEof()}
     */
    public void write(byte[] data) {
        Objects.requireNonNull(data, "data");
        transport.write(ByteBuffer.wrap(data));
    }

    /**
     * Writes bytes, as {@link #write(byte[])}; advances {@code data}'s position.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param data the bytes
     */
    public void write(ByteBuffer data) {
        transport.write(data);
    }

    /**
     * Waits until the write buffer is small enough to write more (asyncio's {@code drain}):
     * returns at once while the buffer is under the high-water mark, otherwise suspends the task
     * until it has drained to the low-water mark. Several tasks may drain at once; all are woken.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @throws IOException the connection's error (a failed read of the same connection), or a
     *                     {@link SocketException} "Connection lost" once it is closed
     */
    public void drain() throws IOException {
        Throwable e = reader.exception();
        if (e != null) {
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException(e);
        }
        if (transport.isClosing()) {
            // Let connectionLost run first (it is scheduled on the loop), as asyncio's sleep(0).
            Task.yieldNow();
        }
        protocol.drainHelper();
    }

    /**
     * Upgrades the connection to TLS (asyncio's {@code StreamWriter.start_tls}, for STARTTLS
     * protocols such as SMTP, IMAP or PostgreSQL): drains what is written, runs the handshake, and
     * from then on this writer and the connection's {@link StreamReader} carry plaintext over
     * TLS. A client configuration needs the server's name to verify it: here, in the
     * configuration ({@link dev.pollen.net.tls.TlsConfig.Builder#serverName}), or with
     * verification off.
     *
     * <p><b>Threading:</b> loop thread only, inside a task (it awaits).
     *
     * @param tls        the TLS configuration ({@code forServer} to answer a client's STARTTLS)
     * @param serverName the server's name for SNI and verification, or null for the
     *                   configuration's
     * @throws IOException a {@link dev.pollen.net.tls.TlsHandshakeException} if the handshake
     *                     fails (the connection is then closed), or the connection's error
     * @throws IllegalArgumentException if a client configuration has no server name to verify
     */
    public void startTls(dev.pollen.net.tls.TlsConfig tls, String serverName) throws IOException {
        Objects.requireNonNull(tls, "tls");
        drain();
        Streams.awaitIo(TlsLayer.startTls(transport, protocol, tls, serverName));
    }

    /**
     * {@link #startTls(dev.pollen.net.tls.TlsConfig, String)} with the configuration's server
     * name.
     *
     * <p><b>Threading:</b> loop thread only, inside a task (it awaits).
     *
     * @param tls the TLS configuration
     * @throws IOException if the handshake fails
     */
    public void startTls(dev.pollen.net.tls.TlsConfig tls) throws IOException {
        startTls(tls, null);
    }

    /** The TLS transport took over (called by the stream protocol at the end of the handshake). */
    void replaceTransport(Transport t) {
        this.transport = t;
    }

    /**
     * Sends end-of-stream after what is queued; reading goes on.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    public void writeEof() {
        transport.writeEof();
    }

    /**
     * Whether {@link #writeEof()} is supported.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true for TCP and Unix sockets
     */
    public boolean canWriteEof() {
        return transport.canWriteEof();
    }

    /**
     * Closes the connection gracefully (queued bytes are sent first). Idempotent.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    public void close() {
        transport.close();
    }

    /**
     * Whether the connection is closing or closed.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true once closing
     */
    public boolean isClosing() {
        return transport.isClosing();
    }

    /**
     * Waits until the connection is closed (asyncio's {@code wait_closed}); call it after
     * {@link #close()}.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @throws IOException the error that broke the connection, if it did not close cleanly
     */
    public void waitClosed() throws IOException {
        Throwable e = protocol.awaitClosed();
        if (e instanceof IOException io) {
            throw io;
        }
        if (e != null) {
            throw new IOException(e);
        }
    }

    /**
     * The underlying transport (after {@link #startTls}, the {@link TlsTransport}).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the transport
     */
    public Transport transport() {
        return transport;
    }

    /**
     * The local address.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the address
     */
    public SocketAddress localAddress() {
        return transport.localAddress();
    }

    /**
     * The peer's address.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the address
     */
    public SocketAddress peerAddress() {
        return transport.peerAddress();
    }

    @Override
    public String toString() {
        return "StreamWriter[" + transport + "]";
    }
}
