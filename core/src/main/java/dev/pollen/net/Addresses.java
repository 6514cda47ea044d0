package dev.pollen.net;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;

/** Formats addresses for error messages: {@code 127.0.0.1:80}, {@code [::1]:80}, a path. */
final class Addresses {

    private Addresses() {
    }

    static String format(SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            String host = i.getAddress() != null ? i.getAddress().getHostAddress()
                    : i.getHostString();
            if (i.getAddress() instanceof Inet6Address) {
                host = "[" + host + "]";
            }
            return host + ":" + i.getPort();
        }
        if (a instanceof UnixDomainSocketAddress u) {
            return "unix:" + u.getPath();
        }
        return String.valueOf(a);
    }

    /** {@code host:port} as the user gave it, for messages before resolution. */
    static String format(String host, int port) {
        return (host != null && host.indexOf(':') >= 0 && !host.startsWith("[")
                ? "[" + host + "]" : String.valueOf(host)) + ":" + port;
    }

    /**
     * A backend's error message without its own "call(address): " prefix when that address is
     * the one the caller's prefix already names, so that a message reads
     * "connect to 127.0.0.1:1: ECONNREFUSED (...)" and not
     * "connect to 127.0.0.1:1: connect(127.0.0.1:1): ECONNREFUSED (...)". A different address
     * (a host name the caller gave that resolved to this address) is kept: it says which one
     * failed.
     */
    static String withoutRepeatedAddress(String message, String call, String named) {
        String repeated = call + "(" + named + "): ";
        return message != null && message.startsWith(repeated)
                ? message.substring(repeated.length()) : message;
    }
}
