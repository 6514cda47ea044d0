package dev.pollen.posix;

import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;

/**
 * Maps {@link StandardSocketOptions} to setsockopt/getsockopt levels, names and encodings.
 *
 * <p>Supported: {@code SO_REUSEADDR}, {@code SO_REUSEPORT} (where the OS has it),
 * {@code TCP_NODELAY} and {@code SO_KEEPALIVE} (TCP), {@code SO_RCVBUF}, {@code SO_SNDBUF},
 * {@code SO_LINGER} (streams; seconds, negative = off), {@code SO_BROADCAST} (UDP). As with the
 * JDK's Unix domain channels, a Unix socket takes only the buffer sizes and linger. Anything
 * else is an {@link UnsupportedOperationException} naming the option and the socket kind.
 *
 * <p>Values are as the kernel reports them: Linux doubles {@code SO_RCVBUF}/{@code SO_SNDBUF}
 * for its bookkeeping, so a get returns twice what was set there, as with the JDK.
 *
 * <p><b>Threading:</b> loop thread only (uses the layer's scratch memory).
 */
final class PosixOptions {

    private PosixOptions() {
    }

    /** Throws unless {@code option} applies to {@code kind}. */
    static void check(OsConstants os, SocketKind kind, SocketOption<?> option) {
        boolean ok;
        if (option == StandardSocketOptions.SO_RCVBUF || option == StandardSocketOptions.SO_SNDBUF) {
            ok = true;
        } else if (option == StandardSocketOptions.SO_LINGER) {
            ok = kind != SocketKind.UDP;
        } else if (option == StandardSocketOptions.SO_REUSEADDR) {
            ok = kind != SocketKind.UNIX_STREAM;
        } else if (option == StandardSocketOptions.SO_REUSEPORT) {
            ok = kind != SocketKind.UNIX_STREAM && os.SO_REUSEPORT >= 0;
        } else if (option == StandardSocketOptions.TCP_NODELAY
                || option == StandardSocketOptions.SO_KEEPALIVE) {
            ok = kind == SocketKind.TCP;
        } else if (option == StandardSocketOptions.SO_BROADCAST) {
            ok = kind == SocketKind.UDP;
        } else {
            ok = false;
        }
        if (!ok) {
            throw new UnsupportedOperationException("socket option " + option.name()
                    + " is not supported on " + describe(kind) + " sockets by this backend");
        }
    }

    private static String describe(SocketKind kind) {
        return switch (kind) {
            case TCP -> "TCP";
            case UNIX_STREAM -> "Unix domain stream";
            case UDP -> "UDP";
        };
    }

    /** setsockopt for one option; the value was type-checked by the caller's generic. */
    static <T> void set(PosixSocketLayer layer, int fd, SocketKind kind, SocketOption<T> option,
                        T value) throws IOException {
        OsConstants os = layer.os();
        check(os, kind, option);
        if (value == null) {
            throw new IllegalArgumentException("value of socket option " + option.name()
                    + " must not be null");
        }
        if (option == StandardSocketOptions.SO_LINGER) {
            int secs = (Integer) value;
            // struct linger { int l_onoff; int l_linger; } on every supported OS.
            layer.setInt2(fd, os.SOL_SOCKET, os.SO_LINGER, secs < 0 ? 0 : 1, Math.max(secs, 0),
                    option.name());
            return;
        }
        int v;
        if (value instanceof Boolean b) {
            v = b ? 1 : 0;
        } else {
            v = (Integer) value;
            if (v < 0) {
                throw new IllegalArgumentException("socket option " + option.name()
                        + " must not be negative, got " + v);
            }
        }
        layer.setInt(fd, level(os, option), name(os, option), v, option.name());
    }

    /** getsockopt for one option. */
    static <T> T get(PosixSocketLayer layer, int fd, SocketKind kind, SocketOption<T> option)
            throws IOException {
        OsConstants os = layer.os();
        check(os, kind, option);
        if (option == StandardSocketOptions.SO_LINGER) {
            long both = layer.getInt2(fd, os.SOL_SOCKET, os.SO_LINGER, option.name());
            int onoff = (int) both;
            int secs = (int) (both >>> 32);
            return option.type().cast(onoff == 0 ? -1 : secs);
        }
        int v = layer.getInt(fd, level(os, option), name(os, option), option.name());
        Object boxed = option.type() == Boolean.class ? (Object) (v != 0) : (Object) v;
        return option.type().cast(boxed);
    }

    private static int level(OsConstants os, SocketOption<?> option) {
        return option == StandardSocketOptions.TCP_NODELAY ? os.IPPROTO_TCP : os.SOL_SOCKET;
    }

    private static int name(OsConstants os, SocketOption<?> option) {
        if (option == StandardSocketOptions.SO_REUSEADDR) {
            return os.SO_REUSEADDR;
        } else if (option == StandardSocketOptions.SO_REUSEPORT) {
            return os.SO_REUSEPORT;
        } else if (option == StandardSocketOptions.TCP_NODELAY) {
            return os.TCP_NODELAY;
        } else if (option == StandardSocketOptions.SO_KEEPALIVE) {
            return os.SO_KEEPALIVE;
        } else if (option == StandardSocketOptions.SO_RCVBUF) {
            return os.SO_RCVBUF;
        } else if (option == StandardSocketOptions.SO_SNDBUF) {
            return os.SO_SNDBUF;
        } else if (option == StandardSocketOptions.SO_BROADCAST) {
            return os.SO_BROADCAST;
        }
        throw new UnsupportedOperationException("socket option " + option.name());
    }

    /** Reads errno after a failed call (kept here so the intent is named). */
    static int errno() {
        return LibC.errno();
    }
}
