package dev.pollen.bench.echo;

import java.net.InetSocketAddress;

/**
 * An echo server on loopback whose work all happens on one thread, so a benchmark can measure
 * that thread's CPU time and allocation per echoed message.
 *
 * <p><b>Threading:</b> {@link #start(String)}, {@link #address()}, {@link #thread()} and
 * {@link #close()} from any one thread (the benchmark's setup/teardown thread).
 */
public interface EchoServer extends AutoCloseable {

    /**
     * Starts a server: {@code pollen:<poller>} (Pollen's Transport/Protocol API on that poller) or
     * {@code netty:epoll} / {@code netty:io_uring} / {@code netty:nio} (Netty 4.2 on its own
     * event loop with {@code EpollIoHandler} / {@code IoUringIoHandler} / {@code NioIoHandler},
     * one thread).
     *
     * @param spec which server
     * @return the started server, listening on 127.0.0.1 on a free port
     * @throws IllegalArgumentException if {@code spec} is not of that form
     * @throws IllegalStateException    if that poller or transport is not available here
     */
    static EchoServer start(String spec) {
        if (spec.startsWith("pollen:")) {
            return new PollenEchoServer(spec.substring("pollen:".length()));
        }
        if (spec.equals("netty:epoll") || spec.equals("netty:io_uring")
                || spec.equals("netty:nio")) {
            return new NettyEchoServer(spec.substring("netty:".length()));
        }
        throw new IllegalArgumentException("server must be pollen:<poller>, netty:epoll, "
                + "netty:io_uring or netty:nio, got '" + spec + "'");
    }

    /**
     * Where the server listens.
     *
     * @return a loopback address
     */
    InetSocketAddress address();

    /**
     * The one thread that runs the server (its event loop).
     *
     * @return the live thread
     */
    Thread thread();

    /** Stops the server and its thread; the clients should have closed their sockets first. */
    @Override
    void close();
}
