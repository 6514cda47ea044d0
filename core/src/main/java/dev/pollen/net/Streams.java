package dev.pollen.net;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.loop.Task;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CompletionException;

/**
 * The implementations behind {@link Net}'s stream functions: each builds a
 * {@link StreamProtocol} and awaits the transport-level future inside the calling task.
 *
 * <p><b>Threading:</b> loop thread only, inside a task.
 */
final class Streams {

    private Streams() {
    }

    static StreamConnection open(String host, int port, NetOptions options) throws IOException {
        Objects.requireNonNull(options, "options");
        EventLoop loop = taskLoop("openConnection");
        StreamReader reader = new StreamReader(loop, options.streamLimit());
        StreamProtocol p = new StreamProtocol(loop, reader, null);
        awaitIo(Endpoints.connect(loop, () -> p, host, port, options));
        return new StreamConnection(reader, p.writer());
    }

    static StreamConnection open(String host, int port, NetOptions options,
            dev.pollen.net.tls.TlsConfig tls) throws IOException {
        Objects.requireNonNull(options, "options");
        EventLoop loop = taskLoop("openConnection");
        StreamReader reader = new StreamReader(loop, options.streamLimit());
        StreamProtocol p = new StreamProtocol(loop, reader, null);
        awaitIo(TlsLayer.connect(loop, () -> p, host, port, options, tls));
        return new StreamConnection(reader, p.writer());
    }

    static Server serve(ClientConnected handler, String host, int port, NetOptions options,
            dev.pollen.net.tls.TlsConfig tls) throws IOException {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(options, "options");
        EventLoop loop = taskLoop("startServer");
        return awaitIo(Endpoints.serve(loop, TlsLayer.serverFactory(tls,
                serverFactory(handler, options)), host, port, options));
    }

    static StreamConnection openUnix(Path path, NetOptions options) throws IOException {
        Objects.requireNonNull(options, "options");
        EventLoop loop = taskLoop("openUnixConnection");
        StreamReader reader = new StreamReader(loop, options.streamLimit());
        StreamProtocol p = new StreamProtocol(loop, reader, null);
        awaitIo(Endpoints.connectUnix(loop, () -> p, path, options));
        return new StreamConnection(reader, p.writer());
    }

    static Server serve(ClientConnected handler, String host, int port, NetOptions options)
            throws IOException {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(options, "options");
        EventLoop loop = taskLoop("startServer");
        return awaitIo(Endpoints.serve(loop, serverFactory(handler, options), host, port,
                options));
    }

    static Server serveUnix(ClientConnected handler, Path path, NetOptions options)
            throws IOException {
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(options, "options");
        EventLoop loop = taskLoop("startUnixServer");
        return awaitIo(Endpoints.serveUnix(loop, serverFactory(handler, options), path, options));
    }

    /**
     * The protocol factory of a stream server: a reader and writer per connection, on the loop
     * that calls it (the one serving the connection), and {@code handler} as a task there.
     */
    static java.util.function.Supplier<Protocol> serverFactory(ClientConnected handler,
            NetOptions options) {
        Objects.requireNonNull(handler, "handler");
        int limit = options.streamLimit();
        return () -> {
            EventLoop loop = EventLoop.current();
            return new StreamProtocol(loop, new StreamReader(loop, limit), handler);
        };
    }

    private static EventLoop taskLoop(String method) {
        Task<?> t = Task.current();
        if (t == null) {
            throw new IllegalStateException("Net." + method + " must be called inside a task (it "
                    + "awaits); from a callback use the transport-level Net.create* methods");
        }
        return t.loop();
    }

    /** Awaits {@code f}, rethrowing an {@link IOException} it failed with as itself. */
    static <T> T awaitIo(Future<T> f) throws IOException {
        try {
            return f.await();
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e;
        }
    }
}
