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
}
