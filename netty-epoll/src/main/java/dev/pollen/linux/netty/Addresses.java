package dev.pollen.linux.netty;

import dev.pollen.spi.SocketErrors;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Converts and checks socket addresses between Pollen's ({@link InetSocketAddress},
 * {@link UnixDomainSocketAddress}) and Netty's ({@link DomainSocketAddress}) forms, and formats
 * them for error messages.
 *
 * <p><b>Threading:</b> stateless, any thread.
 */
final class Addresses {

    private Addresses() {
    }

    /**
     * Checks that {@code address} is one Pollen's socket layer accepts.
     *
     * @param address the address
     * @param name    the argument's name for the message
     * @return the address
     * @throws NullPointerException     if null
     * @throws IllegalArgumentException if unresolved or of another type
     */
    static SocketAddress check(SocketAddress address, String name) {
        if (address == null) {
            throw new NullPointerException(name);
        }
        if (address instanceof InetSocketAddress inet) {
            if (inet.isUnresolved()) {
                throw new IllegalArgumentException(name + " must be a resolved address, got the "
                        + "unresolved " + inet.getHostString() + ":" + inet.getPort());
            }
            return address;
        }
        if (address instanceof UnixDomainSocketAddress) {
            return address;
        }
        throw new IllegalArgumentException(name + " must be an InetSocketAddress or a "
                + "UnixDomainSocketAddress, got " + address.getClass().getName());
    }

    /**
     * Whether an internet address needs an AF_INET6 socket.
     *
     * @param address a resolved internet address
     * @return true for IPv6
     */
    static boolean isIpv6(InetSocketAddress address) {
        return address.getAddress() instanceof Inet6Address;
    }

    /**
     * Netty's form of a Unix domain address.
     *
     * @param address the JDK form
     * @return Netty's form
     */
    static DomainSocketAddress toNetty(UnixDomainSocketAddress address) {
        return new DomainSocketAddress(address.getPath().toString());
    }

    /**
     * The JDK form of a Unix domain address Netty returned.
     *
     * @param address Netty's form, or null
     * @return the JDK form (an empty path for an unnamed socket), or null
     */
    static UnixDomainSocketAddress fromNetty(DomainSocketAddress address) {
        if (address == null) {
            return null;
        }
        // Kernel paths of unnamed sockets come back empty or NUL-padded.
        String path = address.path();
        int nul = path.indexOf('\0');
        return UnixDomainSocketAddress.of(nul >= 0 ? path.substring(0, nul) : path);
    }

    /**
     * Whether something already exists at a Unix socket's path. Netty's {@code bind} unlinks the
     * path first (so it would silently steal a live socket's name or delete a file); Pollen keeps
     * the kernel's (and the JDK's) rule instead: an existing path is EADDRINUSE.
     *
     * @param address the address to bind
     * @return true if the path exists (a dangling symlink counts)
     */
    static boolean pathExists(UnixDomainSocketAddress address) {
        Path p = address.getPath();
        return !p.toString().isEmpty() && Files.exists(p, LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * The address as a user reads it: {@code 127.0.0.1:80}, {@code [::1]:80}, or the path.
     *
     * @param address any address, or null
     * @return the text
     */
    static String format(SocketAddress address) {
        return SocketErrors.format(address);
    }
}
