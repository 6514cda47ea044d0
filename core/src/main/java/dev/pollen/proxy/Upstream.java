package dev.pollen.proxy;

import java.util.Objects;

/**
 * One server a {@link TcpProxy} forwards to.
 *
 * <p><b>Threading:</b> any thread (immutable).
 *
 * @param host a host name or an IPv4/IPv6 literal, resolved at each connect
 * @param port 1 to 65535
 */
public record Upstream(String host, int port) {

    /**
     * Checks the host and port.
     *
     * @throws IllegalArgumentException if the host is empty or the port out of range
     * @throws NullPointerException     if the host is null
     */
    public Upstream {
        Objects.requireNonNull(host, "upstream host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("upstream host is empty: give a host name or an IP "
                    + "address, e.g. upstream(\"127.0.0.1\", 8080)");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("upstream " + host + ": port must be 1 to 65535, got "
                    + port);
        }
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
