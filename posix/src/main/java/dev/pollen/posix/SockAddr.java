package dev.pollen.posix;

import dev.pollen.spi.SocketErrors;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Encodes and decodes {@code sockaddr_in}, {@code sockaddr_in6} and {@code sockaddr_un} in a
 * buffer, for the OS a table describes. Pure Java (no native call), so the layouts are unit
 * tested on every OS.
 *
 * <p>Layouts (offsets in bytes):
 * <ul>
 *   <li>Linux: family is a {@code uint16} in host order at 0. BSDs: a {@code uint8} length at 0
 *       and a {@code uint8} family at 1.</li>
 *   <li>{@code sockaddr_in} (16 bytes): port (network order) at 2, IPv4 address at 4, eight zero
 *       bytes at 8.</li>
 *   <li>{@code sockaddr_in6} (28 bytes): port at 2, flow info at 4, IPv6 address at 8, scope id
 *       ({@code uint32}, host order) at 24.</li>
 *   <li>{@code sockaddr_un}: path at 2, NUL-terminated, at most {@link OsConstants#SUN_PATH_SIZE}
 *       bytes with the NUL; the length passed to the kernel is 2 + path bytes + 1.</li>
 * </ul>
 *
 * <p>Buffers are addressed absolutely (their position is ignored); multi-byte host-order fields
 * are written in {@link ByteOrder#nativeOrder()} whatever the buffer's order.
 *
 * <p><b>Threading:</b> stateless, any thread.
 */
public final class SockAddr {

    /** sizeof(struct sockaddr_in). */
    public static final int SOCKADDR_IN_SIZE = 16;
    /** sizeof(struct sockaddr_in6). */
    public static final int SOCKADDR_IN6_SIZE = 28;
    /** offsetof(struct sockaddr_un, sun_path). */
    public static final int SUN_PATH_OFFSET = 2;

    private static final boolean LITTLE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /** The charset of file names, as the JDK uses it for Unix domain socket paths. */
    private static final Charset PATH_CHARSET = pathCharset();

    private SockAddr() {
    }

    private static Charset pathCharset() {
        try {
            String name = System.getProperty("sun.jnu.encoding");
            return name != null ? Charset.forName(name) : StandardCharsets.UTF_8;
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }

    /**
     * The address family a socket for {@code address} needs.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param os      the OS table
     * @param address an {@link InetSocketAddress} (resolved) or {@link UnixDomainSocketAddress}
     * @return AF_INET, AF_INET6 or AF_UNIX
     * @throws IllegalArgumentException for an unresolved or unsupported address
     */
    public static int family(OsConstants os, SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            InetAddress a = inet.getAddress();
            if (a == null) {
                throw new IllegalArgumentException("address is unresolved: " + inet
                        + " (resolve it first, e.g. new InetSocketAddress(host, port))");
            }
            return a instanceof Inet4Address ? os.AF_INET : os.AF_INET6;
        }
        if (address instanceof UnixDomainSocketAddress) {
            return os.AF_UNIX;
        }
        throw new IllegalArgumentException("unsupported address type "
                + (address == null ? "null" : address.getClass().getName())
                + ": expected InetSocketAddress or UnixDomainSocketAddress");
    }

    /**
     * Encodes {@code address} at {@code off} for a socket of family {@code socketFamily}. An IPv4
     * address for an AF_INET6 socket is encoded as IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d}).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param os           the OS table
     * @param address      the address
     * @param socketFamily the family of the socket it is for
     * @param buf          where to write (at least {@link OsConstants#SOCKADDR_STORAGE_SIZE}
     *                     bytes from {@code off})
     * @param off          the offset
     * @return the length to pass to the kernel
     * @throws IllegalArgumentException for an unresolved address, a family mismatch, or a Unix
     *                                  path that does not fit {@code sun_path}
     */
    public static int encode(OsConstants os, SocketAddress address, int socketFamily,
                             ByteBuffer buf, int off) {
        if (address instanceof UnixDomainSocketAddress unix) {
            if (socketFamily != os.AF_UNIX) {
                throw new IllegalArgumentException("Unix domain address " + unix
                        + " for a non-Unix socket");
            }
            return encodeUnix(os, unix, buf, off);
        }
        int family = family(os, address);
        InetSocketAddress inet = (InetSocketAddress) address;
        byte[] ip = inet.getAddress().getAddress();
        int port = inet.getPort();
        if (family == os.AF_INET && socketFamily == os.AF_INET) {
            clear(buf, off, SOCKADDR_IN_SIZE);
            putHeader(os, buf, off, SOCKADDR_IN_SIZE, os.AF_INET);
            putPort(buf, off, port);
            buf.put(off + 4, ip);
            return SOCKADDR_IN_SIZE;
        }
        if (socketFamily != os.AF_INET6) {
            throw new IllegalArgumentException("IPv6 address " + inet + " for an IPv4 socket");
        }
        clear(buf, off, SOCKADDR_IN6_SIZE);
        putHeader(os, buf, off, SOCKADDR_IN6_SIZE, os.AF_INET6);
        putPort(buf, off, port);
        if (ip.length == 4) {
            // IPv4-mapped IPv6 address ::ffff:a.b.c.d, for a dual-stack socket.
            buf.put(off + 18, (byte) 0xff);
            buf.put(off + 19, (byte) 0xff);
            buf.put(off + 20, ip);
        } else {
            buf.put(off + 8, ip);
            int scope = ((Inet6Address) inet.getAddress()).getScopeId();
            putHostInt(buf, off + 24, scope);
        }
        return SOCKADDR_IN6_SIZE;
    }

    private static int encodeUnix(OsConstants os, UnixDomainSocketAddress unix, ByteBuffer buf,
                                  int off) {
        byte[] path = unix.getPath().toString().getBytes(PATH_CHARSET);
        if (path.length + 1 > os.SUN_PATH_SIZE) {
            throw new IllegalArgumentException("Unix domain socket path is too long: "
                    + path.length + " bytes, at most " + (os.SUN_PATH_SIZE - 1) + " on " + os.os
                    + ": " + unix.getPath());
        }
        int len = SUN_PATH_OFFSET + path.length + 1;
        clear(buf, off, SUN_PATH_OFFSET + os.SUN_PATH_SIZE);
        putHeader(os, buf, off, len, os.AF_UNIX);
        buf.put(off + SUN_PATH_OFFSET, path);
        return len;
    }

    /**
     * Decodes the address the kernel wrote at {@code off}.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param os  the OS table
     * @param buf the buffer
     * @param off where the sockaddr starts
     * @param len the length the kernel returned
     * @return an {@link InetSocketAddress} or {@link UnixDomainSocketAddress}, or null for an
     *         unknown family or a truncated address
     */
    public static SocketAddress decode(OsConstants os, ByteBuffer buf, int off, int len) {
        if (len < 2) {
            return null;
        }
        int family = os.SOCKADDR_HAS_LEN ? buf.get(off + 1) & 0xff : getHostShort(buf, off);
        try {
            if (family == os.AF_INET && len >= SOCKADDR_IN_SIZE) {
                byte[] ip = new byte[4];
                buf.get(off + 4, ip);
                return new InetSocketAddress(InetAddress.getByAddress(ip), getPort(buf, off));
            }
            if (family == os.AF_INET6 && len >= SOCKADDR_IN6_SIZE) {
                byte[] ip = new byte[16];
                buf.get(off + 8, ip);
                int scope = getHostInt(buf, off + 24);
                // getByAddress turns an IPv4-mapped address into an Inet4Address, so a dual-stack
                // socket reports IPv4 peers as IPv4.
                InetAddress a = scope != 0 && !isV4Mapped(ip)
                        ? Inet6Address.getByAddress(null, ip, scope)
                        : InetAddress.getByAddress(ip);
                return new InetSocketAddress(a, getPort(buf, off));
            }
        } catch (UnknownHostException e) {
            throw new AssertionError("a 4- or 16-byte address is always valid", e);
        }
        if (family == os.AF_UNIX) {
            // An unnamed socket (e.g. the client side of a connection) has no path; Linux's
            // abstract names (a leading NUL) have no UnixDomainSocketAddress form and read as "".
            int end = off + SUN_PATH_OFFSET;
            int max = off + Math.min(len, SUN_PATH_OFFSET + os.SUN_PATH_SIZE);
            while (end < max && buf.get(end) != 0) {
                end++;
            }
            byte[] path = new byte[end - off - SUN_PATH_OFFSET];
            buf.get(off + SUN_PATH_OFFSET, path);
            return UnixDomainSocketAddress.of(new String(path, PATH_CHARSET));
        }
        return null;
    }

    /**
     * A short form of an address for messages: {@code 127.0.0.1:80}, {@code [::1]:80}, or the
     * Unix path.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param address the address, may be null
     * @return the text
     */
    public static String format(SocketAddress address) {
        return SocketErrors.format(address);
    }

    private static boolean isV4Mapped(byte[] ip) {
        for (int i = 0; i < 10; i++) {
            if (ip[i] != 0) {
                return false;
            }
        }
        return ip[10] == (byte) 0xff && ip[11] == (byte) 0xff;
    }

    private static void clear(ByteBuffer buf, int off, int len) {
        for (int i = 0; i < len; i++) {
            buf.put(off + i, (byte) 0);
        }
    }

    private static void putHeader(OsConstants os, ByteBuffer buf, int off, int len, int family) {
        if (os.SOCKADDR_HAS_LEN) {
            buf.put(off, (byte) len);
            buf.put(off + 1, (byte) family);
        } else {
            short f = (short) family;
            buf.put(off, (byte) (LITTLE ? f : f >> 8));
            buf.put(off + 1, (byte) (LITTLE ? f >> 8 : f));
        }
    }

    private static int getHostShort(ByteBuffer buf, int off) {
        int b0 = buf.get(off) & 0xff;
        int b1 = buf.get(off + 1) & 0xff;
        return LITTLE ? b0 | b1 << 8 : b0 << 8 | b1;
    }

    private static void putHostInt(ByteBuffer buf, int off, int v) {
        for (int i = 0; i < 4; i++) {
            int shift = LITTLE ? 8 * i : 8 * (3 - i);
            buf.put(off + i, (byte) (v >>> shift));
        }
    }

    private static int getHostInt(ByteBuffer buf, int off) {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int shift = LITTLE ? 8 * i : 8 * (3 - i);
            v |= (buf.get(off + i) & 0xff) << shift;
        }
        return v;
    }

    private static void putPort(ByteBuffer buf, int off, int port) {
        // sin_port / sin6_port are in network (big-endian) order on every OS.
        buf.put(off + 2, (byte) (port >> 8));
        buf.put(off + 3, (byte) port);
    }

    private static int getPort(ByteBuffer buf, int off) {
        return (buf.get(off + 2) & 0xff) << 8 | buf.get(off + 3) & 0xff;
    }
}
