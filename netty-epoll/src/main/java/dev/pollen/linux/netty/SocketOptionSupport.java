package dev.pollen.linux.netty;

import dev.pollen.spi.SocketOptions;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;

/**
 * Sets and reads {@link StandardSocketOptions} on a Netty {@link Socket}.
 *
 * <p>Supported: {@code SO_REUSEADDR}, {@code SO_REUSEPORT}, {@code TCP_NODELAY},
 * {@code SO_KEEPALIVE}, {@code SO_RCVBUF}, {@code SO_SNDBUF}, {@code SO_LINGER} (negative turns
 * it off), {@code SO_BROADCAST} and {@code IP_TOS}. Anything else is refused with an
 * {@link UnsupportedOperationException} naming the option.
 *
 * <p><b>Threading:</b> stateless; the socket's owner (the loop thread) calls it.
 */
final class SocketOptionSupport {

    private SocketOptionSupport() {
    }

    /**
     * Applies every option of a set, in order.
     *
     * @param socket  the socket
     * @param options the options
     * @param address the address for error messages, or null
     * @throws IOException if the kernel refuses one
     */
    static void applyAll(Socket socket, SocketOptions options, SocketAddress address) throws IOException {
        if (options.isEmpty()) {
            return;
        }
        IOException[] failure = new IOException[1];
        options.forEach((option, value) -> {
            if (failure[0] == null) {
                try {
                    setRaw(socket, option, value);
                } catch (IOException e) {
                    failure[0] = NativeErrors.translate(e, "setsockopt " + option.name(), address);
                }
            }
        });
        if (failure[0] != null) {
            throw failure[0];
        }
    }

    /**
     * Sets one option.
     *
     * @param socket the socket
     * @param option the option
     * @param value  its value, of the option's type
     * @param <T>    the type
     * @throws IOException                   if the kernel refuses
     * @throws UnsupportedOperationException for an unknown option
     */
    static <T> void set(Socket socket, SocketOption<T> option, T value) throws IOException {
        if (value == null) {
            throw new NullPointerException("value of socket option " + option.name());
        }
        try {
            setRaw(socket, option, value);
        } catch (IOException e) {
            throw NativeErrors.translate(e, "setsockopt " + option.name(), null);
        }
    }

    private static void setRaw(Socket socket, SocketOption<?> option, Object value) throws IOException {
        if (option == StandardSocketOptions.SO_REUSEADDR) {
            socket.setReuseAddress((Boolean) value);
        } else if (option == StandardSocketOptions.SO_REUSEPORT) {
            socket.setReusePort((Boolean) value);
        } else if (option == StandardSocketOptions.TCP_NODELAY) {
            socket.setTcpNoDelay((Boolean) value);
        } else if (option == StandardSocketOptions.SO_KEEPALIVE) {
            socket.setKeepAlive((Boolean) value);
        } else if (option == StandardSocketOptions.SO_RCVBUF) {
            socket.setReceiveBufferSize((Integer) value);
        } else if (option == StandardSocketOptions.SO_SNDBUF) {
            socket.setSendBufferSize((Integer) value);
        } else if (option == StandardSocketOptions.SO_LINGER) {
            socket.setSoLinger((Integer) value);
        } else if (option == StandardSocketOptions.SO_BROADCAST) {
            socket.setBroadcast((Boolean) value);
        } else if (option == StandardSocketOptions.IP_TOS) {
            socket.setTrafficClass((Integer) value);
        } else {
            throw unsupported(option);
        }
    }

    /**
     * Reads one option.
     *
     * @param socket the socket
     * @param option the option
     * @param <T>    its type
     * @return the value
     * @throws IOException                   if the kernel refuses
     * @throws UnsupportedOperationException for an unknown option
     */
    static <T> T get(Socket socket, SocketOption<T> option) throws IOException {
        Object v;
        try {
            if (option == StandardSocketOptions.SO_REUSEADDR) {
                v = socket.isReuseAddress();
            } else if (option == StandardSocketOptions.SO_REUSEPORT) {
                v = socket.isReusePort();
            } else if (option == StandardSocketOptions.TCP_NODELAY) {
                v = socket.isTcpNoDelay();
            } else if (option == StandardSocketOptions.SO_KEEPALIVE) {
                v = socket.isKeepAlive();
            } else if (option == StandardSocketOptions.SO_RCVBUF) {
                v = socket.getReceiveBufferSize();
            } else if (option == StandardSocketOptions.SO_SNDBUF) {
                v = socket.getSendBufferSize();
            } else if (option == StandardSocketOptions.SO_LINGER) {
                v = socket.getSoLinger();
            } else if (option == StandardSocketOptions.SO_BROADCAST) {
                v = socket.isBroadcast();
            } else if (option == StandardSocketOptions.IP_TOS) {
                v = socket.getTrafficClass();
            } else {
                throw unsupported(option);
            }
        } catch (IOException e) {
            throw NativeErrors.translate(e, "getsockopt " + option.name(), null);
        }
        return option.type().cast(v);
    }

    private static UnsupportedOperationException unsupported(SocketOption<?> option) {
        return new UnsupportedOperationException("socket option " + option.name()
                + " is not supported by the netty-epoll poller (supported: SO_REUSEADDR, "
                + "SO_REUSEPORT, TCP_NODELAY, SO_KEEPALIVE, SO_RCVBUF, SO_SNDBUF, SO_LINGER, "
                + "SO_BROADCAST, IP_TOS)");
    }
}
