package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.ExceptionContext;
import dev.pollen.loop.Future;
import dev.pollen.loop.TimerHandle;
import dev.pollen.net.Connection;
import dev.pollen.net.Net;
import dev.pollen.net.Pipe;
import dev.pollen.net.NetOptions;
import dev.pollen.net.Protocol;
import dev.pollen.net.Server;
import dev.pollen.net.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Helpers shared by the networking contracts: running a loop until a future or a condition with a
 * deadline (so a broken backend fails the test instead of hanging it), servers and connections on
 * loopback, and ready-made protocols.
 *
 * <p><b>Threading:</b> JUnit's test thread runs the loops.
 */
public abstract class NetFixture extends BackendFixture {

    /** IPv4 loopback: every test stays on it (or on ::1). */
    protected static final String LOCAL = "127.0.0.1";
    /**
     * Small fixed kernel buffers (64 KiB each way), so that "more than the kernel holds" is a few
     * hundred KiB on every machine instead of depending on TCP buffer autotuning.
     */
    protected static final NetOptions SMALL_BUFFERS = NetOptions.builder()
            .sendBufferSize(64 * 1024).receiveBufferSize(64 * 1024).build();
    /** How long any single wait in a test may take before it fails. */
    protected static final Duration DEADLINE = Duration.ofSeconds(20);

    /**
     * Runs the loop until {@code f} is done and returns its result (throws its exception).
     *
     * @param loop the loop
     * @param f    a future of the loop
     * @param <T>  the result type
     * @return the result
     */
    protected <T> T run(EventLoop loop, Future<T> f) {
        TimerHandle guard = loop.callLater(DEADLINE, loop::stop);
        try {
            return loop.runUntilComplete(f);
        } catch (IllegalStateException e) {
            if (!f.isDone()) {
                fail("not done within " + DEADLINE.toSeconds() + " s: " + f, e);
            }
            throw e;
        } finally {
            guard.cancel();
        }
    }

    /**
     * Runs the loop until {@code f} is done and returns the exception it failed with.
     *
     * @param loop the loop
     * @param f    a future expected to fail
     * @return its exception
     */
    protected Throwable runExpectingFailure(EventLoop loop, Future<?> f) {
        try {
            run(loop, f);
        } catch (RuntimeException expected) {
            // examined below
        }
        assertTrue(f.isDone(), "future not done: " + f);
        Throwable e = f.exception();
        assertTrue(e != null, "expected a failure, got " + f);
        return e;
    }

    /**
     * Runs {@code body} as a task and the loop until it ends.
     *
     * @param loop the loop
     * @param body the task's body
     * @param <T>  its result type
     * @return its result
     */
    protected <T> T runTask(EventLoop loop, Callable<T> body) {
        return run(loop, loop.createTask(body));
    }

    /**
     * Runs the loop until {@code condition} holds (checked every millisecond).
     *
     * @param loop      the loop
     * @param condition what to wait for
     * @param what      a description for the failure message
     */
    protected void runUntil(EventLoop loop, BooleanSupplier condition, String what) {
        Future<Void> done = loop.createFuture();
        Runnable[] check = new Runnable[1];
        check[0] = () -> {
            if (done.isDone()) {
                return;
            }
            if (condition.getAsBoolean()) {
                done.setResult(null);
            } else {
                loop.callLater(Duration.ofMillis(1), check[0]);
            }
        };
        loop.callSoon(check[0]);
        TimerHandle guard = loop.callLater(DEADLINE, loop::stop);
        try {
            loop.runUntilComplete(done);
        } catch (IllegalStateException e) {
            fail("timed out after " + DEADLINE.toSeconds() + " s waiting for " + what, e);
        } finally {
            guard.cancel();
        }
    }

    /**
     * Runs the loop for {@code d} (to show that something does <em>not</em> happen).
     *
     * @param loop the loop
     * @param d    how long
     */
    protected void runFor(EventLoop loop, Duration d) {
        Future<Void> done = loop.createFuture();
        loop.callLater(d, () -> done.setResult(null));
        run(loop, done);
    }

    /**
     * A TCP server on 127.0.0.1, any port.
     *
     * @param loop    the loop
     * @param factory its protocol factory
     * @return the server
     */
    protected Server server(EventLoop loop, Supplier<? extends Protocol> factory) {
        return server(loop, factory, NetOptions.defaults());
    }

    /**
     * A TCP server on 127.0.0.1, any port.
     *
     * @param loop    the loop
     * @param factory its protocol factory
     * @param options options
     * @return the server
     */
    protected Server server(EventLoop loop, Supplier<? extends Protocol> factory,
            NetOptions options) {
        return run(loop, Net.createServer(loop, factory, LOCAL, 0, options));
    }

    /**
     * The port of a server's first socket.
     *
     * @param s the server
     * @return the port
     */
    protected static int port(Server s) {
        return s.port();
    }

    /**
     * A connection to 127.0.0.1:{@code port}.
     *
     * @param loop    the loop
     * @param factory the protocol factory
     * @param port    the port
     * @param <P>     the protocol type
     * @return the connection
     */
    protected <P extends Protocol> Connection<P> connect(EventLoop loop, Supplier<P> factory,
            int port) {
        return connect(loop, factory, port, NetOptions.defaults());
    }

    /**
     * A connection to 127.0.0.1:{@code port}.
     *
     * @param loop    the loop
     * @param factory the protocol factory
     * @param port    the port
     * @param options options
     * @param <P>     the protocol type
     * @return the connection
     */
    protected <P extends Protocol> Connection<P> connect(EventLoop loop, Supplier<P> factory,
            int port, NetOptions options) {
        return run(loop, Net.createConnection(loop, factory, LOCAL, port, options));
    }

    /**
     * Deterministic pseudo-random bytes.
     *
     * @param n    how many
     * @param seed the seed
     * @return the bytes
     */
    protected static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /**
     * Whether this machine has the IPv6 loopback address configured.
     *
     * @return true if a socket can bind ::1
     */
    protected static boolean hasIpv6Loopback() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            return s.getInetAddress() instanceof Inet6Address;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Fails if anything reached the loops' exception handler.
     */
    protected void assertNoLoopErrors() {
        if (!loopErrors.isEmpty()) {
            ExceptionContext c = loopErrors.get(0);
            fail("unexpected loop error: " + c.message(), c.exception());
        }
    }

    /**
     * Records everything a transport reports. Public fields, read by the test on the loop thread.
     */
    public static class Recorder implements Protocol {
        /** The transport, once connected. */
        public Transport transport;
        /** Every byte received. */
        public final ByteArrayOutputStream received = new ByteArrayOutputStream();
        /** Whether eofReceived was called. */
        public boolean eof;
        /** What eofReceived returns. */
        public boolean keepOpenOnEof;
        /** pauseWriting calls. */
        public int pauses;
        /** resumeWriting calls. */
        public int resumes;
        /** Whether connectionLost was called. */
        public boolean lost;
        /** connectionLost calls (must end at 1). */
        public int lostCalls;
        /** The cause given to connectionLost. */
        public Throwable lostCause;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            received.write(b, 0, b.length);
        }

        @Override
        public boolean eofReceived() {
            eof = true;
            return keepOpenOnEof;
        }

        @Override
        public void connectionLost(Throwable cause) {
            lost = true;
            lostCalls++;
            lostCause = cause;
        }

        @Override
        public void pauseWriting() {
            pauses++;
        }

        @Override
        public void resumeWriting() {
            resumes++;
        }

        /**
         * The bytes received so far.
         *
         * @return a copy
         */
        public byte[] bytes() {
            return received.toByteArray();
        }
    }

    /**
     * Collects what it receives as ASCII text; at end-of-stream hands its transport and the text
     * to {@code answer} and keeps the transport open (so the answer can still be written).
     */
    public static final class AnswerAtEof implements Protocol {
        private final BiConsumer<Transport, String> answer;
        private final StringBuilder got = new StringBuilder();
        private Transport transport;

        /**
         * @param answer what to do at end-of-stream, given the transport and all text received
         */
        public AnswerAtEof(BiConsumer<Transport, String> answer) {
            this.answer = answer;
        }

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            got.append(StandardCharsets.US_ASCII.decode(data));
        }

        @Override
        public boolean eofReceived() {
            answer.accept(transport, got.toString());
            return true;
        }
    }

    /**
     * Echoes what it receives; closes (after flushing) at end-of-stream.
     */
    public static class Echo implements Protocol {
        /** The transport. */
        public Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            transport.write(data);
        }
    }

    /**
     * A proxy for the pipe contracts: per client, connect upstream (both paused), run a hook,
     * pipe them with {@link Net#pipe}.
     */
    protected final class PipeProxy {
        final List<Pipe> pipes = new ArrayList<>();
        final List<Transport> clientSides = new ArrayList<>();
        final List<Transport> upstreamSides = new ArrayList<>();
        final Server server;

        PipeProxy(EventLoop loop, int upstreamPort) {
            this(loop, upstreamPort, (client, upstream) -> { });
        }

        PipeProxy(EventLoop loop, int upstreamPort, BeforePipe beforePipe) {
            server = server(loop, () -> new Protocol() {
                @Override
                public void connectionMade(Transport client) {
                    client.pauseReading();
                    Net.createConnection(loop, () -> new Protocol() {
                        @Override
                        public void connectionMade(Transport upstream) {
                            upstream.pauseReading();
                        }
                    }, LOCAL, upstreamPort, SMALL_BUFFERS).addDoneCallback(f -> {
                        if (f.exception() != null) {
                            client.abort();
                            return;
                        }
                        Transport upstream = f.result().transport();
                        clientSides.add(client);
                        upstreamSides.add(upstream);
                        beforePipe.run(client, upstream);
                        pipes.add(Net.pipe(client, upstream));
                    });
                }
            }, SMALL_BUFFERS);
        }

        int port() {
            return NetFixture.port(server);
        }
    }

    /** What the proxy does with a new pair just before piping it. */
    protected interface BeforePipe {
        void run(Transport client, Transport upstream);
    }
}
