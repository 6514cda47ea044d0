package dev.pollen.posix;

/**
 * The three kinds of socket the layer makes; options are checked against the kind.
 *
 * <p><b>Threading:</b> immutable, any thread.
 */
enum SocketKind {
    /** TCP over IPv4 or IPv6. */
    TCP,
    /** Unix domain stream socket. */
    UNIX_STREAM,
    /** UDP over IPv4 or IPv6. */
    UDP
}
