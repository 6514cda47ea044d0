package dev.pollen.posix;

import dev.pollen.spi.ErrnoTable;
import java.util.Locale;

/**
 * The socket, fcntl and errno constants of one OS, and the facts about its C library the socket
 * layer branches on (sockaddr layout, {@code accept4}, {@code SOCK_NONBLOCK}).
 *
 * <p>Three tables: {@link #LINUX} (identical on x86_64 and aarch64: both use the generic
 * {@code asm-generic} values), {@link #DARWIN} (macOS) and {@link #FREEBSD}. {@link #current()}
 * picks the table for the running OS. Field names are the C names, so a reader can check them
 * against the headers ({@code sys/socket.h}, {@code netinet/in.h}, {@code netinet/tcp.h},
 * {@code fcntl.h}).
 *
 * <p>A value of {@code -1} means the OS has no such option; a flag value of {@code 0} means the
 * OS has no such flag (so or-ing it in is harmless).
 *
 * <p><b>Threading:</b> immutable, any thread.
 */
public final class OsConstants {

    /** The OS families that have a table. */
    public enum Os {
        /** Linux (glibc or musl), x86_64 and aarch64. */
        LINUX,
        /** macOS. */
        DARWIN,
        /** FreeBSD. */
        FREEBSD
    }

    /** Linux, x86_64 and aarch64 (the generic {@code asm-generic} values). */
    public static final OsConstants LINUX = new OsConstants(Os.LINUX, ErrnoTable.LINUX);
    /** macOS (x86_64 and arm64 use the same values). */
    public static final OsConstants DARWIN = new OsConstants(Os.DARWIN, ErrnoTable.DARWIN);
    /** FreeBSD. */
    public static final OsConstants FREEBSD = new OsConstants(Os.FREEBSD, ErrnoTable.FREEBSD);

    /** Which OS this table describes. */
    public final Os os;
    /** The errno numbers, names and texts. */
    public final ErrnoTable errno;

    /** Unix domain sockets. */
    public final int AF_UNIX;
    /** IPv4. */
    public final int AF_INET;
    /** IPv6. */
    public final int AF_INET6;
    /** Stream socket type. */
    public final int SOCK_STREAM;
    /** Datagram socket type. */
    public final int SOCK_DGRAM;
    /** Type flag making socket()/accept4() return a non-blocking fd; 0 on macOS, which has none. */
    public final int SOCK_NONBLOCK;
    /** Type flag making socket()/accept4() return a close-on-exec fd; 0 on macOS, which has none. */
    public final int SOCK_CLOEXEC;
    /** Level of the SO_* options. */
    public final int SOL_SOCKET;
    /** SO_REUSEADDR. */
    public final int SO_REUSEADDR;
    /** SO_TYPE. */
    public final int SO_TYPE;
    /** SO_ERROR (reading it clears the pending error). */
    public final int SO_ERROR;
    /** SO_BROADCAST. */
    public final int SO_BROADCAST;
    /** SO_SNDBUF. */
    public final int SO_SNDBUF;
    /** SO_RCVBUF. */
    public final int SO_RCVBUF;
    /** SO_KEEPALIVE. */
    public final int SO_KEEPALIVE;
    /** The linger option counted in <em>seconds</em>: SO_LINGER on Linux and FreeBSD, SO_LINGER_SEC (0x1080) on macOS, whose SO_LINGER (0x80) counts clock ticks. */
    public final int SO_LINGER;
    /** SO_REUSEPORT. */
    public final int SO_REUSEPORT;
    /** SO_NOSIGPIPE on the BSDs; -1 on Linux, which has MSG_NOSIGNAL instead. */
    public final int SO_NOSIGPIPE;
    /** MSG_PEEK. */
    public final int MSG_PEEK;
    /** MSG_TRUNC. */
    public final int MSG_TRUNC;
    /** MSG_DONTWAIT. */
    public final int MSG_DONTWAIT;
    /** MSG_NOSIGNAL; 0 on macOS, which uses SO_NOSIGPIPE. */
    public final int MSG_NOSIGNAL;
    /** shutdown(2) how: reading. */
    public final int SHUT_RD;
    /** shutdown(2) how: writing. */
    public final int SHUT_WR;
    /** shutdown(2) how: both. */
    public final int SHUT_RDWR;
    /** Most iovecs one readv/writev accepts. */
    public final int IOV_MAX;
    /** IPPROTO_TCP. */
    public final int IPPROTO_TCP;
    /** TCP_NODELAY. */
    public final int TCP_NODELAY;
    /** IPPROTO_IPV6. */
    public final int IPPROTO_IPV6;
    /** IPV6_V6ONLY. */
    public final int IPV6_V6ONLY;
    /** O_NONBLOCK. */
    public final int O_NONBLOCK;
    /** F_GETFD. */
    public final int F_GETFD;
    /** F_SETFD. */
    public final int F_SETFD;
    /** F_GETFL. */
    public final int F_GETFL;
    /** F_SETFL. */
    public final int F_SETFL;
    /** FD_CLOEXEC. */
    public final int FD_CLOEXEC;
    /** Size of sockaddr_un.sun_path, including the terminating NUL. */
    public final int SUN_PATH_SIZE;
    /** Size of struct sockaddr_storage, big enough for any address. */
    public final int SOCKADDR_STORAGE_SIZE;
    /** Whether a sockaddr starts with a one-byte length and a one-byte family (the BSDs) rather than a two-byte family in host order (Linux). */
    public final boolean SOCKADDR_HAS_LEN;
    /** Whether libc has accept4(2): Linux and FreeBSD (since 10) do, macOS does not. */
    public final boolean HAS_ACCEPT4;
    /** Whether SO_REUSEPORT spreads incoming connections over several listeners (Linux). FreeBSD needs SO_REUSEPORT_LB for that; macOS cannot. */
    public final boolean REUSEPORT_BALANCES;

    /** errno EINTR. */
    public final int EINTR;
    /** errno EAGAIN. */
    public final int EAGAIN;
    /** errno EINPROGRESS. */
    public final int EINPROGRESS;
    /** errno EALREADY. */
    public final int EALREADY;
    /** errno EISCONN. */
    public final int EISCONN;
    /** errno ENOTCONN. */
    public final int ENOTCONN;
    /** errno ECONNABORTED. */
    public final int ECONNABORTED;
    /** errno EPROTO. */
    public final int EPROTO;
    /** errno EBADF. */
    public final int EBADF;
    /** errno ENOENT. */
    public final int ENOENT;
    /** errno EMFILE. */
    public final int EMFILE;
    /** errno ENFILE. */
    public final int ENFILE;
    /** errno ENOBUFS. */
    public final int ENOBUFS;
    /** errno ENOMEM. */
    public final int ENOMEM;

    private OsConstants(Os os, ErrnoTable errno) {
        this.os = os;
        this.errno = errno;
        // Each line: pick(os, Linux, macOS, FreeBSD).
        AF_UNIX =               pick(os, 1, 1, 1);
        AF_INET =               pick(os, 2, 2, 2);
        AF_INET6 =              pick(os, 10, 30, 28);
        SOCK_STREAM =           pick(os, 1, 1, 1);
        SOCK_DGRAM =            pick(os, 2, 2, 2);
        SOCK_NONBLOCK =         pick(os, 0x800, 0, 0x20000000);
        SOCK_CLOEXEC =          pick(os, 0x80000, 0, 0x10000000);
        SOL_SOCKET =            pick(os, 1, 0xffff, 0xffff);
        SO_REUSEADDR =          pick(os, 2, 0x4, 0x4);
        SO_TYPE =               pick(os, 3, 0x1008, 0x1008);
        SO_ERROR =              pick(os, 4, 0x1007, 0x1007);
        SO_BROADCAST =          pick(os, 6, 0x20, 0x20);
        SO_SNDBUF =             pick(os, 7, 0x1001, 0x1001);
        SO_RCVBUF =             pick(os, 8, 0x1002, 0x1002);
        SO_KEEPALIVE =          pick(os, 9, 0x8, 0x8);
        SO_LINGER =             pick(os, 13, 0x1080, 0x80);
        SO_REUSEPORT =          pick(os, 15, 0x200, 0x200);
        SO_NOSIGPIPE =          pick(os, -1, 0x1022, 0x800);
        MSG_PEEK =              pick(os, 2, 2, 2);
        MSG_TRUNC =             pick(os, 0x20, 0x10, 0x10);
        MSG_DONTWAIT =          pick(os, 0x40, 0x80, 0x80);
        MSG_NOSIGNAL =          pick(os, 0x4000, 0, 0x20000);
        SHUT_RD =               pick(os, 0, 0, 0);
        SHUT_WR =               pick(os, 1, 1, 1);
        SHUT_RDWR =             pick(os, 2, 2, 2);
        IOV_MAX =               pick(os, 1024, 1024, 1024);
        IPPROTO_TCP =           pick(os, 6, 6, 6);
        TCP_NODELAY =           pick(os, 1, 1, 1);
        IPPROTO_IPV6 =          pick(os, 41, 41, 41);
        IPV6_V6ONLY =           pick(os, 26, 27, 27);
        O_NONBLOCK =            pick(os, 0x800, 0x4, 0x4);
        F_GETFD =               pick(os, 1, 1, 1);
        F_SETFD =               pick(os, 2, 2, 2);
        F_GETFL =               pick(os, 3, 3, 3);
        F_SETFL =               pick(os, 4, 4, 4);
        FD_CLOEXEC =            pick(os, 1, 1, 1);
        SUN_PATH_SIZE =         pick(os, 108, 104, 104);
        SOCKADDR_STORAGE_SIZE = pick(os, 128, 128, 128);
        SOCKADDR_HAS_LEN =      pick(os, false, true, true);
        HAS_ACCEPT4 =           pick(os, true, false, true);
        REUSEPORT_BALANCES =    pick(os, true, false, false);
        EINTR = errno.number("EINTR");
        EAGAIN = errno.number("EAGAIN");
        EINPROGRESS = errno.number("EINPROGRESS");
        EALREADY = errno.number("EALREADY");
        EISCONN = errno.number("EISCONN");
        ENOTCONN = errno.number("ENOTCONN");
        ECONNABORTED = errno.number("ECONNABORTED");
        EPROTO = errno.number("EPROTO");
        EBADF = errno.number("EBADF");
        ENOENT = errno.number("ENOENT");
        EMFILE = errno.number("EMFILE");
        ENFILE = errno.number("ENFILE");
        ENOBUFS = errno.number("ENOBUFS");
        ENOMEM = errno.number("ENOMEM");
    }

    private static int pick(Os os, int linux, int darwin, int freebsd) {
        return switch (os) {
            case LINUX -> linux;
            case DARWIN -> darwin;
            case FREEBSD -> freebsd;
        };
    }

    private static boolean pick(Os os, boolean linux, boolean darwin, boolean freebsd) {
        return switch (os) {
            case LINUX -> linux;
            case DARWIN -> darwin;
            case FREEBSD -> freebsd;
        };
    }

    /**
     * The table for an OS, by the value of the {@code os.name} system property.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param osName e.g. {@code "Linux"}, {@code "Mac OS X"}, {@code "FreeBSD"}
     * @return the table
     * @throws UnsupportedOperationException if no table matches
     */
    public static OsConstants forOsName(String osName) {
        String n = osName == null ? "" : osName.toLowerCase(Locale.ROOT);
        if (n.startsWith("linux")) {
            return LINUX;
        }
        if (n.startsWith("mac") || n.startsWith("darwin")) {
            return DARWIN;
        }
        if (n.startsWith("freebsd")) {
            return FREEBSD;
        }
        throw new UnsupportedOperationException("no POSIX socket constants for OS '" + osName
                + "': supported are Linux, macOS and FreeBSD");
    }

    /**
     * The table for the running OS.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the table
     * @throws UnsupportedOperationException on an OS without a table
     */
    public static OsConstants current() {
        return forOsName(System.getProperty("os.name"));
    }

    @Override
    public String toString() {
        return "OsConstants[" + os + "]";
    }
}
