package dev.pollen.examples;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Small helpers for ports and printed addresses.
 *
 * <p><b>Threading:</b> stateless, any thread.
 */
final class Ports {

    private Ports() {
    }

    /** Parses a port number, 0 to 65535. */
    static int parse(String text, String what) {
        try {
            int p = Integer.parseInt(text.trim());
            if (p < 0 || p > 65535) {
                throw new IllegalArgumentException(what + " must be 0 to 65535, got " + p);
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a number from 0 to 65535, got '" + text + "'");
        }
    }

    /** HOST:PORT of a bound address, as the "listening" line prints it. */
    static String format(SocketAddress address) {
        if (address instanceof InetSocketAddress a) {
            String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
            int pct = host.indexOf('%');
            if (pct >= 0) {
                host = host.substring(0, pct);
            }
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
        }
        return String.valueOf(address);
    }
}
