package dev.pollen.testkit;

import static dev.pollen.testkit.TestNames.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.net.Connection;
import dev.pollen.net.Net;
import dev.pollen.net.NetOptions;
import dev.pollen.net.Server;
import dev.pollen.net.StreamConnection;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connecting to a host name: Happy Eyeballs (RFC 8305, asyncio's {@code happy_eyeballs_delay}
 * and {@code interleave}) and name resolution on the loop without blocking it
 * ({@code getaddrinfo}/{@code getnameinfo}). Host names come from {@link TestNames}, the test
 * JVM's resolver hook, so a name can resolve to a blackholed address first and 127.0.0.1 second;
 * every address is a loopback one, nothing leaves the machine.
 *
 * <p>A blackholed address is a listening socket on 127.0.0.2 whose accept queue is full: the
 * kernel drops further SYNs, so a connect to it hangs (Linux; elsewhere the tests that need it
 * skip with the reason).
 *
 * <p><b>Threading:</b> JUnit's test thread runs the loops.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class ConnectContract extends NetFixture {

    /** A listener on {@code address:port} with a full accept queue: connects to it hang. */
    static final class Blackhole implements AutoCloseable {
        private final ServerSocket listener;
        private final List<Socket> fillers = new ArrayList<>();

        private Blackhole(ServerSocket listener) {
            this.listener = listener;
        }

        static Blackhole on(String address, int port) throws IOException {
            ServerSocket s = new ServerSocket();
            try {
                s.bind(new InetSocketAddress(address, port), 1);
            } catch (BindException e) {
                s.close();
                assumeTrue(false, "cannot bind " + address + ":" + port + " for the blackhole: " + e);
            }
            Blackhole hole = new Blackhole(s);
            // Fill the accept queue (backlog 1 holds one or two) until a connect times out.
            for (int i = 0; i < 8; i++) {
                Socket c = new Socket();
                hole.fillers.add(c);
                try {
                    c.connect(s.getLocalSocketAddress(), 200);
                } catch (SocketTimeoutException full) {
                    return hole;
                }
            }
            hole.close();
            assumeTrue(false, "this kernel accepts connects beyond a listener's backlog, so "
                    + "there is no local blackholed address to test Happy Eyeballs with");
            return null;
        }

        @Override
        public void close() throws IOException {
            for (Socket c : fillers) {
                c.close();
            }
            listener.close();
        }
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    // ------------------------------------------------------------------ Happy Eyeballs

    // test_base_events: test_create_connection_happy_eyeballs (the delay starts the next address)
    @Test
    void happyEyeballsTriesTheNextAddressWhenTheDelayPasses() throws IOException {
        EventLoop loop = newLoop();
        Server server = server(loop, Recorder::new);
        int port = port(server);
        register(Blackhole.on("127.0.0.2", port));
        String name = TestNames.register("he", ip("127.0.0.2"), ip(LOCAL));
        NetOptions he = NetOptions.builder().happyEyeballsDelay(Duration.ofMillis(100)).build();
        long t0 = System.nanoTime();
        Connection<Recorder> c = run(loop,
                Net.createConnection(loop, Recorder::new, name, port, he));
        long took = millisSince(t0);
        assertEquals(new InetSocketAddress(LOCAL, port), c.transport().peerAddress());
        assertTrue(took >= 100, "the second address started before the delay: " + took + " ms");
        assertTrue(took < 10_000, "took " + took + " ms: the blackholed attempt held it up");
        runUntil(loop, () -> server.connectionCount() == 1, "the server to count it");
        c.transport().close();
        assertNoLoopErrors();
    }

    // Without Happy Eyeballs the addresses are tried one after the other: the blackhole holds
    // the connection until the timeout.
    @Test
    void withoutHappyEyeballsABlackholedFirstAddressHoldsTheConnect() throws IOException {
        EventLoop loop = newLoop();
        Server server = server(loop, Recorder::new);
        int port = port(server);
        register(Blackhole.on("127.0.0.2", port));
        String name = TestNames.register("seq", ip("127.0.0.2"), ip(LOCAL));
        NetOptions sequential = NetOptions.builder().connectTimeout(Duration.ofMillis(300))
                .build();
        Throwable e = runExpectingFailure(loop,
                Net.createConnection(loop, Recorder::new, name, port, sequential));
        assertInstanceOf(SocketTimeoutException.class, e);
        assertEquals(0, server.connectionCount());
    }

    // asyncio's staggered_race: a failed attempt starts the next one at once, not after the delay.
    @Test
    void aFailedAttemptStartsTheNextAddressAtOnce() {
        EventLoop loop = newLoop();
        Server server = server(loop, Recorder::new);
        int port = port(server);
        String name = TestNames.register("refused-first", ip("127.0.0.3"), ip(LOCAL));
        NetOptions he = NetOptions.builder().happyEyeballsDelay(Duration.ofSeconds(30)).build();
        long t0 = System.nanoTime();
        Connection<Recorder> c = run(loop, Net.createConnection(loop, Recorder::new, name, port, he));
        assertTrue(millisSince(t0) < 10_000, "waited for the delay after a refused attempt");
        assertEquals(new InetSocketAddress(LOCAL, port), c.transport().peerAddress());
        c.transport().close();
    }

    @Test
    void everyAddressFailingFailsWithEveryError() {
        EventLoop loop = newLoop();
        Server server = server(loop, Recorder::new);
        int port = port(server);
        String name = TestNames.register("all-refused", ip("127.0.0.3"), ip("127.0.0.4"));
        NetOptions he = NetOptions.builder().happyEyeballsDelay(Duration.ofMillis(50)).build();
        Throwable e = runExpectingFailure(loop,
                Net.createConnection(loop, Recorder::new, name, port, he));
        assertInstanceOf(ConnectException.class, e);
        String m = e.getMessage();
        assertTrue(m.contains(name) && m.contains("127.0.0.3") && m.contains("127.0.0.4")
                && m.indexOf("127.0.0.3") < m.indexOf("127.0.0.4"), m);
        assertEquals(2, e.getSuppressed().length);
    }

    // Cancelling the connection while attempts are in flight closes every one of them.
    @Test
    void cancellingDuringHappyEyeballsClosesEveryAttempt() throws IOException {
        FdCount.assumeAvailable();
        EventLoop loop = newLoop();
        Server server = server(loop, Recorder::new);
        int port = port(server);
        register(Blackhole.on("127.0.0.2", port));
        register(Blackhole.on("127.0.0.5", port));
        String name = TestNames.register("two-holes", ip("127.0.0.2"), ip("127.0.0.5"));
        NetOptions he = NetOptions.builder().happyEyeballsDelay(Duration.ofMillis(20)).build();
        run(loop, Net.getAddrInfo(loop, name, port)); // the resolver's threads exist now
        int before = FdCount.now();
        Future<Connection<Recorder>> f = Net.createConnection(loop, Recorder::new, name, port,
                he);
        runFor(loop, Duration.ofMillis(150)); // both attempts are in flight
        assertTrue(FdCount.now() >= before + 2, "two attempts in flight");
        assertTrue(f.cancel());
        runFor(loop, Duration.ofMillis(20));
        assertEquals(before, FdCount.settled(before), "every attempt's socket is closed");
        assertNoLoopErrors();
    }

    // asyncio's interleave: addresses are reordered by family before they are tried.
    @Test
    void interleaveReordersTheAddressesByFamily() {
        assumeTrue(hasIpv6Loopback(), "no IPv6 loopback (::1) on this machine");
        EventLoop loop = newLoop();
        Server server = server(loop, Recorder::new); // on 127.0.0.1 only: the others refuse
        int port = port(server);
        String name = TestNames.register("mixed", ip("127.0.0.3"), ip("127.0.0.4"), ip("::1"));
        NetOptions one = NetOptions.builder().interleave(1).build();
        String m = runExpectingFailure(loop,
                Net.createConnection(loop, Recorder::new, name, port, one)).getMessage();
        assertTrue(m.indexOf("127.0.0.3") < m.indexOf("0:0:0:0:0:0:0:1")
                && m.indexOf("0:0:0:0:0:0:0:1") < m.indexOf("127.0.0.4"), m);
        String kept = runExpectingFailure(loop, Net.createConnection(loop, Recorder::new, name,
                port, NetOptions.defaults())).getMessage();
        assertTrue(kept.indexOf("127.0.0.4") < kept.indexOf("0:0:0:0:0:0:0:1"), kept);
        NetOptions heNoInterleave = NetOptions.builder().happyEyeballsDelay(Duration.ZERO)
                .interleave(0).build();
        assertEquals(0, heNoInterleave.effectiveInterleave());
        assertEquals(1, NetOptions.builder().happyEyeballsDelay(Duration.ZERO).build()
                .effectiveInterleave());
    }

    // asyncio.open_connection(..., happy_eyeballs_delay=...): streams use the same connector.
    @Test
    void openConnectionUsesHappyEyeballsToo() throws IOException {
        EventLoop loop = newLoop();
        Server server = server(loop, Recorder::new);
        int port = port(server);
        register(Blackhole.on("127.0.0.2", port));
        String name = TestNames.register("he-streams", ip("127.0.0.2"), ip(LOCAL));
        NetOptions he = NetOptions.builder().happyEyeballsDelay(Duration.ofMillis(50)).build();
        String peer = runTask(loop, () -> {
            StreamConnection c = Net.openConnection(name, port, he);
            String p = c.writer().peerAddress().toString();
            c.writer().close();
            return p;
        });
        assertTrue(peer.contains(LOCAL), peer);
    }

    @Test
    void happyEyeballsOptionsAreChecked() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NetOptions.builder().happyEyeballsDelay(Duration.ofMillis(-1)).build());
        assertTrue(e.getMessage().contains("happyEyeballsDelay"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> NetOptions.builder().interleave(-1).build());
        assertTrue(e.getMessage().contains("interleave"), e.getMessage());
    }

    // ------------------------------------------------------------------ getaddrinfo / getnameinfo

    // test_base_events: test_getaddrinfo (run in the executor, not on the loop thread)
    @Test
    void getAddrInfoResolvesOffTheLoopThreadInTheResolversOrder() {
        EventLoop loop = newLoop();
        String name = TestNames.register("gai", ip("127.0.0.7"), ip("::1"), ip("127.0.0.8"));
        int lookupsBefore = TestNames.lookupThreads().size();
        List<InetSocketAddress> all = run(loop, Net.getAddrInfo(loop, name, 8080));
        assertEquals(List.of(new InetSocketAddress(ip("127.0.0.7"), 8080),
                new InetSocketAddress(ip("::1"), 8080),
                new InetSocketAddress(ip("127.0.0.8"), 8080)), all);
        List<String> threads = TestNames.lookupThreads();
        assertTrue(threads.size() > lookupsBefore);
        String thread = threads.get(threads.size() - 1);
        assertTrue(!thread.equals(Thread.currentThread().getName())
                && thread.startsWith(loop.name()), "looked up on " + thread);
        String v6 = TestNames.register("gai6", ip("127.0.0.7"), ip("::1"));
        assertEquals(List.of(new InetSocketAddress(ip("::1"), 1)),
                run(loop, Net.getAddrInfo(loop, v6, 1, StandardProtocolFamily.INET6)));
        String v4only = TestNames.register("gai4", ip("127.0.0.7"));
        Throwable e = runExpectingFailure(loop,
                Net.getAddrInfo(loop, v4only, 1, StandardProtocolFamily.INET6));
        assertInstanceOf(UnknownHostException.class, e);
        assertTrue(e.getMessage().contains(v4only), e.getMessage());
    }

    @Test
    void getAddrInfoAnswersLiteralsAtOnceAndReportsUnknownNames() {
        EventLoop loop = newLoop();
        Future<List<InetSocketAddress>> literal = Net.getAddrInfo(loop, "127.0.0.1", 80);
        assertTrue(literal.isDone(), "a literal needs no look-up");
        assertEquals(List.of(new InetSocketAddress(LOCAL, 80)), literal.result());
        Throwable e = runExpectingFailure(loop,
                Net.getAddrInfo(loop, "nowhere" + TestNames.SUFFIX, 80));
        assertInstanceOf(UnknownHostException.class, e);
        assertThrows(IllegalArgumentException.class, () -> Net.getAddrInfo(loop, LOCAL, 70000));
        assertThrows(IllegalArgumentException.class,
                () -> Net.getAddrInfo(loop, LOCAL, 80, StandardProtocolFamily.UNIX));
    }

    // test_base_events: test_getnameinfo
    @Test
    void getNameInfoLooksTheNameUpOffTheLoopThread() {
        EventLoop loop = newLoop();
        InetAddress a = ip("127.0.0.9");
        String name = TestNames.registerReverse("rev", a);
        assertEquals(name, run(loop, Net.getNameInfo(loop, a)));
        InetAddress nameless = ip("127.0.0.10");
        TestNames.registerNameless(nameless);
        assertEquals("127.0.0.10", run(loop, Net.getNameInfo(loop, nameless)),
                "an address without a name gives its text form");
        List<String> threads = TestNames.lookupThreads();
        assertTrue(threads.get(threads.size() - 1).startsWith(loop.name()), threads.toString());
    }
}
