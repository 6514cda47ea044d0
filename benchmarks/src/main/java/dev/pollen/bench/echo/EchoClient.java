package dev.pollen.bench.echo;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The load generator, the same for every server: plain blocking JDK sockets driven by the one
 * benchmark thread, no Pollen and no Netty. A {@linkplain #round() round} writes one message on
 * every connection, then reads every echo back in full, so each connection has exactly one
 * message in flight (ping-pong) and the server sees up to {@code connections} ready sockets at a
 * time.
 *
 * <p>Steady state allocates nothing: the buffers are direct and reused.
 *
 * <p><b>Threading:</b> one thread at a time (the benchmark thread).
 */
public final class EchoClient implements AutoCloseable {

    private final SocketChannel[] channels;
    private final ByteBuffer message;
    private final ByteBuffer reply;
    private final int size;

    /**
     * Opens {@code connections} connections to {@code server}.
     *
     * @param server      the echo server's address
     * @param connections at least 1
     * @param size        the message size in bytes, at least 1
     * @throws UncheckedIOException if a connection fails
     */
    public EchoClient(InetSocketAddress server, int connections, int size) {
        if (connections < 1) {
            throw new IllegalArgumentException("connections must be at least 1, got " + connections);
        }
        if (size < 1) {
            throw new IllegalArgumentException("size must be at least 1 byte, got " + size);
        }
        this.size = size;
        this.channels = new SocketChannel[connections];
        this.message = ByteBuffer.allocateDirect(size);
        this.reply = ByteBuffer.allocateDirect(size);
        for (int i = 0; i < size; i++) {
            message.put(i, (byte) (i * 31 + 7));
        }
        try {
            for (int i = 0; i < connections; i++) {
                SocketChannel ch = SocketChannel.open(server);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channels[i] = ch;
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot connect to the echo server at " + server, e);
        }
    }

    /**
     * One message out and back on every connection.
     *
     * @throws UncheckedIOException if a connection fails or the server closes it
     */
    public void round() {
        try {
            for (SocketChannel ch : channels) {
                message.clear();
                while (message.hasRemaining()) {
                    ch.write(message);
                }
            }
            for (SocketChannel ch : channels) {
                readReply(ch);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("echo round failed", e);
        }
    }

    private void readReply(SocketChannel ch) throws IOException {
        reply.clear();
        while (reply.hasRemaining()) {
            if (ch.read(reply) < 0) {
                throw new EOFException("the echo server closed the connection after "
                        + reply.position() + " of " + size + " bytes");
            }
        }
    }

    /**
     * One round that also checks every echoed byte (for setup, not for the measured loop).
     *
     * @throws IllegalStateException if an echo differs from the message
     */
    public void verifiedRound() {
        try {
            for (SocketChannel ch : channels) {
                message.clear();
                while (message.hasRemaining()) {
                    ch.write(message);
                }
            }
            for (SocketChannel ch : channels) {
                readReply(ch);
                if (reply.flip().compareTo(message.clear()) != 0) {
                    throw new IllegalStateException("the echo differs from the message sent");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("echo round failed", e);
        }
    }

    /**
     * How many connections a round uses (messages echoed per round).
     *
     * @return the connection count
     */
    public int connections() {
        return channels.length;
    }

    @Override
    public void close() {
        for (SocketChannel ch : channels) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // closing at teardown: nothing useful to do with the error
                }
            }
        }
    }
}
