package dev.pollen.examples;

import picocli.CommandLine;

/**
 * A {@code HOST:PORT} command-line value ({@code [::1]:8080} for IPv6 literals).
 *
 * <p><b>Threading:</b> immutable, any thread.
 *
 * @param host the host name or literal, without brackets
 * @param port 0 to 65535
 */
public record HostPort(String host, int port) {

    /**
     * Parses {@code HOST:PORT}.
     *
     * @param text the value
     * @return the parsed value
     * @throws IllegalArgumentException saying what is wrong and what is expected
     */
    public static HostPort parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080)");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("'" + text + "': write an IPv6 address in brackets, e.g. [::1]:8080");
        }
        return new HostPort(host, Ports.parse(text.substring(colon + 1), "port in '" + text + "'"));
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** Picocli converter. */
    static final class Converter implements CommandLine.ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
