package dev.pollen.nio;

import dev.pollen.spi.SocketOptions;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Applies {@link SocketOptions} to NIO channels with the same outcome as {@code setsockopt} on the
 * native backends.
 *
 * <p>Two gaps between NIO and the kernel are bridged here:
 * <ul>
 *   <li>A {@link java.nio.channels.ServerSocketChannel} refuses connection options
 *       ({@code TCP_NODELAY}, {@code SO_KEEPALIVE}, {@code SO_SNDBUF}, {@code SO_LINGER}) that
 *       the kernel would accept on the listening socket and copy to every accepted one. They are
 *       kept and applied to each accepted channel instead (a few extra system calls per accept,
 *       only when such options were given).</li>
 *   <li>The JDK refuses {@code SO_REUSEADDR}, {@code SO_REUSEPORT} and {@code SO_KEEPALIVE} on
 *       Unix domain channels, while Linux accepts them on {@code AF_UNIX} sockets and ignores them.
 *       They are ignored here too, so one configuration works for TCP and Unix listeners.
 *       {@code TCP_NODELAY} is refused on Unix sockets, as the kernel does.</li>
 * </ul>
 * Anything else the channel does not support is an {@link UnsupportedOperationException} naming
 * the option and the kind of socket.
 *
 * <p><b>Threading:</b> loop thread only (it configures channels owned by the loop).
 */
final class NioOptions {

    /** Socket-level options Linux accepts and ignores on AF_UNIX sockets; the JDK refuses them. */
    private static final Set<SocketOption<?>> MEANINGLESS_FOR_UNIX = Set.of(
            StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT,
            StandardSocketOptions.SO_KEEPALIVE);

    /** Options a listening socket passes on to accepted sockets in the kernel. */
    private static final Set<SocketOption<?>> PER_CONNECTION = Set.of(
            StandardSocketOptions.TCP_NODELAY, StandardSocketOptions.SO_KEEPALIVE,
            StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_LINGER);

    /** No options to copy to accepted sockets. */
    static final Pending NONE = new Pending(new SocketOption<?>[0], new Object[0]);

    private NioOptions() {
    }

    /**
     * Options kept by a listener for the sockets it accepts.
     *
     * @param options the options
     * @param values  their values, index for index
     */
    record Pending(SocketOption<?>[] options, Object[] values) {

        /**
         * Applies them to an accepted channel.
         *
         * @param ch      the accepted channel
         * @param unix    whether it is a Unix domain socket
         * @param address for error messages
         * @throws IOException if the kernel refuses a value
         */
        void applyTo(NetworkChannel ch, boolean unix, SocketAddress address) throws IOException {
            for (int i = 0; i < options.length; i++) {
                set(ch, options[i], values[i], unix, unix ? "Unix domain stream socket"
                        : "TCP socket", address);
            }
        }

        boolean isEmpty() {
            return options.length == 0;
        }
    }

    /**
     * Applies options to a listening channel before bind.
     *
     * @param ch      the listener
     * @param options the options
     * @param unix    whether it is a Unix domain socket
     * @param local   the address it will bind, for messages
     * @return the options to apply to each accepted socket
     * @throws IOException                   if the kernel refuses a value
     * @throws UnsupportedOperationException for an option no socket of this kind supports
     */
    static Pending applyToListener(NetworkChannel ch, SocketOptions options, boolean unix,
            SocketAddress local) throws IOException {
        List<SocketOption<?>> later = new ArrayList<>();
        List<Object> laterValues = new ArrayList<>();
        String kind = unix ? "Unix domain listening socket" : "TCP listening socket";
        for (Entry e : entries(options)) {
            if (unix && MEANINGLESS_FOR_UNIX.contains(e.option)) {
                continue;
            }
            if (ch.supportedOptions().contains(e.option)) {
                set(ch, e.option, e.value, unix, kind, local);
            } else if (PER_CONNECTION.contains(e.option)
                    && !(unix && e.option == StandardSocketOptions.TCP_NODELAY)) {
                later.add(e.option);
                laterValues.add(e.value);
            } else {
                throw unsupported(e.option, kind);
            }
        }
        return later.isEmpty() ? NONE
                : new Pending(later.toArray(new SocketOption<?>[0]), laterValues.toArray());
    }

    /**
     * Applies options to a new stream or datagram channel.
     *
     * @param ch      the channel
     * @param options the options
     * @param unix    whether it is a Unix domain socket
     * @param kind    the socket's kind for messages, e.g. "UDP socket"
     * @param address the address, for messages
     * @throws IOException                   if the kernel refuses a value
     * @throws UnsupportedOperationException for an option this kind of socket does not support
     */
    static void apply(NetworkChannel ch, SocketOptions options, boolean unix, String kind,
            SocketAddress address) throws IOException {
        for (Entry e : entries(options)) {
            set(ch, e.option, e.value, unix, kind, address);
        }
    }

    /**
     * Sets one option.
     *
     * @param ch      the channel
     * @param option  the option
     * @param value   its value
     * @param unix    whether the channel is a Unix domain socket
     * @param kind    the socket's kind for messages
     * @param address for error messages
     * @throws IOException                   if the kernel refuses the value
     * @throws UnsupportedOperationException if the channel does not support the option
     */
    @SuppressWarnings("unchecked")
    static void set(NetworkChannel ch, SocketOption<?> option, Object value, boolean unix,
            String kind, SocketAddress address) throws IOException {
        if (unix && MEANINGLESS_FOR_UNIX.contains(option)) {
            return; // Linux accepts and ignores it on AF_UNIX; the JDK would refuse it
        }
        if (!ch.supportedOptions().contains(option)) {
            throw unsupported(option, kind);
        }
        try {
            ch.setOption((SocketOption<Object>) option, value);
        } catch (IOException e) {
            throw NioErrors.wrap("setOption " + option.name() + "=" + value + " on "
                    + kind, address, e);
        }
    }

    /**
     * The exception for an option this kind of socket does not support.
     *
     * @param option the option
     * @param kind   the socket's kind
     * @return the exception
     */
    static UnsupportedOperationException unsupported(SocketOption<?> option, String kind) {
        return new UnsupportedOperationException("socket option " + option.name()
                + " is not supported on a " + kind + " by the nio poller");
    }

    private record Entry(SocketOption<?> option, Object value) {
    }

    private static List<Entry> entries(SocketOptions options) {
        if (options.isEmpty()) {
            return List.of();
        }
        List<Entry> list = new ArrayList<>();
        options.forEach((o, v) -> list.add(new Entry(o, v)));
        return list;
    }
}
