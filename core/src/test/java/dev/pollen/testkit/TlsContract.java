package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.net.Connection;
import dev.pollen.net.Net;
import dev.pollen.net.NetOptions;
import dev.pollen.net.Pipe;
import dev.pollen.net.Protocol;
import dev.pollen.net.Server;
import dev.pollen.net.StreamConnection;
import dev.pollen.net.TlsTransport;
import dev.pollen.net.Transport;
import dev.pollen.net.tls.TlsConfig;
import dev.pollen.net.tls.TlsHandshakeException;
import dev.pollen.net.tls.TlsHandshakeException.Reason;
import dev.pollen.net.tls.TlsKeys;
import dev.pollen.net.tls.TlsTruncationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TLS contract on a backend: {@link TlsTransport} at the callback level and the stream level,
 * as server, as client and through {@code startTls}; handshake failures named by their reason;
 * close_notify on {@code close()}, none on {@code abort()}, a peer's missing close_notify;
 * flow control in plaintext with bounded memory; renegotiation and key update; large records;
 * the handshake timeout; garbage instead of a ClientHello. Both ends run on the backend's loop.
 *
 * <p>{@link #engine()} picks the engine both ends use ({@link KitBackend#tlsEngine()}, the JDK's
 * by default); an engine without renegotiation says so in {@link #canRenegotiate()}.
 *
 * <p><b>Threading:</b> JUnit's test thread runs the loops.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class TlsContract extends NetFixture {

    private static final int MIB = 1 << 20;

    /** Handshake failures the servers of a test reported. */
    protected final List<TlsHandshakeException> serverFailures = new CopyOnWriteArrayList<>();

    /**
     * The TLS engine both ends use.
     *
     * @return the backend's {@link KitBackend#tlsEngine()}
     */
    protected String engine() {
        return backend().tlsEngine();
    }

    /**
     * Whether this side's engine can start a renegotiation or key update
     * ({@link TlsTransport#renegotiate()}).
     *
     * @return the backend's {@link KitBackend#tlsCanRenegotiate()}
     */
    protected boolean canRenegotiate() {
        return backend().tlsCanRenegotiate();
    }

    /**
     * Whether a server whose ALPN list shares nothing with the client's fails the handshake
     * ({@code no_application_protocol}, the JDK engine) rather than completing it without a
     * protocol (BoringSSL through Netty, which can only "not advertise").
     *
     * @return the backend's {@link KitBackend#tlsAlpnMismatchFails()}
     */
    protected boolean alpnMismatchFails() {
        return backend().tlsAlpnMismatchFails();
    }

    // ------------------------------------------------------------------ configurations

    /** A server presenting {@code keys}, reporting failures to {@link #serverFailures}. */
    protected TlsConfig.Builder server(TlsKeys keys) {
        return TlsConfig.forServer(keys).engine(engine())
                .handshakeFailureListener(serverFailures::add);
    }

    /** A client trusting the test CA. */
    protected TlsConfig.Builder client() {
        try {
            return TlsConfig.forClient().engine(engine()).trustPem(TlsMaterial.path("ca.pem"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static TlsKeys serverKeys() {
        return TlsMaterial.keys("server");
    }

    private Server tlsServer(EventLoop loop, Supplier<? extends Protocol> factory, TlsConfig tls) {
        return run(loop, Net.createServer(loop, factory, LOCAL, 0, NetOptions.defaults(), tls));
    }

    private <P extends Protocol> Connection<P> tlsConnect(EventLoop loop, Supplier<P> factory,
            int port, TlsConfig tls) {
        return run(loop, Net.createConnection(loop, factory, "localhost", port,
                NetOptions.defaults(), tls));
    }

    private TlsHandshakeException connectFails(EventLoop loop, int port, TlsConfig tls) {
        Throwable e = runExpectingFailure(loop, Net.createConnection(loop, Recorder::new,
                "localhost", port, NetOptions.defaults(), tls));
        return assertInstanceOf(TlsHandshakeException.class, e, () -> "expected a handshake "
                + "failure, got " + e);
    }

    private void awaitServerFailure(EventLoop loop) {
        runUntil(loop, () -> !serverFailures.isEmpty(), "the server's handshake failure report");
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static String text(Recorder r) {
        return r.received.toString(StandardCharsets.US_ASCII);
    }

    /** Records, and tells when connectionMade came. */
    static final class Made extends Recorder {
        boolean sawTls;

        @Override
        public void connectionMade(Transport t) {
            super.connectionMade(t);
            sawTls = t instanceof TlsTransport tt && tt.session() != null;
        }
    }

    /** An echo server on TLS; the accepted protocols are collected. */
    private Server echoServer(EventLoop loop, TlsConfig tls, List<Echo> accepted) {
        return tlsServer(loop, () -> {
            Echo e = new Echo();
            accepted.add(e);
            return e;
        }, tls);
    }

    // ------------------------------------------------------------------ round trips

    @Test
    void callbackLevelEchoAfterTheHandshake() {
        EventLoop loop = newLoop();
        List<Echo> accepted = new ArrayList<>();
        Server s = echoServer(loop, server(serverKeys()).build(), accepted);
        Connection<Made> c = tlsConnect(loop, Made::new, port(s), client().build());
        assertTrue(c.protocol().sawTls, "connectionMade must see a completed handshake");
        TlsTransport t = assertInstanceOf(TlsTransport.class, c.transport());
        assertEquals("TLSv1.3", t.session().getProtocol());
        X509Certificate leaf = (X509Certificate) assertDoesNotThrowCert(t);
        assertTrue(leaf.getSubjectX500Principal().getName().contains("CN=localhost"));
        t.write(ascii("hello over TLS"));
        runUntil(loop, () -> text(c.protocol()).equals("hello over TLS"), "the echo");
        assertEquals(1, accepted.size());
        assertInstanceOf(TlsTransport.class, accepted.get(0).transport);
        assertEquals(1, s.connectionCount());
        assertNoLoopErrors();
        assertTrue(serverFailures.isEmpty(), serverFailures.toString());
    }

    private static java.security.cert.Certificate assertDoesNotThrowCert(TlsTransport t) {
        try {
            return t.session().getPeerCertificates()[0];
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            throw new AssertionError("no peer certificate", e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void bothProtocolVersionsWork(String version) {
        EventLoop loop = newLoop();
        Server s = echoServer(loop, server(serverKeys()).build(), new ArrayList<>());
        Connection<Recorder> c = tlsConnect(loop, Recorder::new, port(s),
                client().protocols(version).build());
        assertEquals(version, ((TlsTransport) c.transport()).session().getProtocol());
        c.transport().write(ascii("v"));
        runUntil(loop, () -> text(c.protocol()).equals("v"), "the echo");
        assertNoLoopErrors();
    }

    @Test
    void streamLevelServerAndClient() {
        EventLoop loop = newLoop();
        String got = runTask(loop, () -> {
            Server s = Net.startServer((r, w) -> {
                byte[] line;
                while ((line = r.readLine()).length > 0) {
                    w.write(line);
                    w.drain();
                }
                w.close();
            }, LOCAL, 0, NetOptions.defaults(), server(serverKeys()).build());
            StreamConnection c = Net.openConnection("localhost", port(s), NetOptions.defaults(),
                    client().build());
            assertInstanceOf(TlsTransport.class, c.writer().transport());
            c.writer().write("one\ntwo\n".getBytes(StandardCharsets.US_ASCII));
            String a = new String(c.reader().readLine(), StandardCharsets.US_ASCII);
            String b = new String(c.reader().readLine(), StandardCharsets.US_ASCII);
            c.writer().close();
            c.writer().waitClosed();
            s.close();
            return a + b;
        });
        assertEquals("one\ntwo\n", got);
        assertNoLoopErrors();
    }

    @Test
    void keysLoadFromEcPemPkcs12AndEncryptedPem() throws IOException {
        EventLoop loop = newLoop();
        TlsKeys[] variants = {
            TlsMaterial.keys("server-ec"),
            TlsKeys.fromPkcs12(TlsMaterial.path("server.p12"), "secret".toCharArray()),
            TlsKeys.fromPem(TlsMaterial.path("server.pem"),
                    TlsMaterial.path("server-key-encrypted.pem"), "secret".toCharArray()),
        };
        for (TlsKeys k : variants) {
            Server s = echoServer(loop, server(k).build(), new ArrayList<>());
            Connection<Recorder> c = tlsConnect(loop, Recorder::new, port(s), client().build());
            c.transport().write(ascii("k"));
            runUntil(loop, () -> text(c.protocol()).equals("k"), "the echo with " + k);
            c.transport().close();
            s.close();
        }
        IOException traditional = assertThrows(IOException.class, () -> TlsKeys.fromPem(
                TlsMaterial.path("server.pem"), TlsMaterial.path("server-key-traditional.pem")));
        assertTrue(traditional.getMessage().contains("openssl pkcs8 -topk8"),
                traditional.getMessage());
        IOException mismatch = assertThrows(IOException.class, () -> TlsKeys.fromPem(
                TlsMaterial.path("server.pem"), TlsMaterial.path("client-key.pem")));
        assertTrue(mismatch.getMessage().contains("does not belong"), mismatch.getMessage());
        assertNoLoopErrors();
    }

    // ------------------------------------------------------------------ handshake failures

    @Test
    void unknownCaFailsTheClientAndIsReportedByTheServer() {
        EventLoop loop = newLoop();
        Server s = echoServer(loop, server(TlsMaterial.keys("untrusted")).build(),
                new ArrayList<>());
        TlsHandshakeException e = connectFails(loop, port(s), client().build());
        assertEquals(Reason.UNKNOWN_CA, e.reason(), e.getMessage());
        assertTrue(e.getMessage().startsWith("TLS handshake with localhost (127.0.0.1:"),
                e.getMessage());
        awaitServerFailure(loop);
        Reason r = serverFailures.get(0).reason();
        // The JDK's client sends certificate_unknown; BoringSSL's (through Netty) internal_error.
        assertTrue(r == Reason.BAD_CERTIFICATE || r == Reason.UNKNOWN_CA
                || (!engine().equals("jdk") && r == Reason.OTHER),
                serverFailures.get(0).getMessage());
        runUntil(loop, () -> s.connectionCount() == 0, "the failed connection closed");
        assertNoLoopErrors();
    }

    @Test
    void hostnameMismatchFailsUnlessVerificationIsOff() {
        EventLoop loop = newLoop();
        Server s = echoServer(loop, server(serverKeys()).build(), new ArrayList<>());
        TlsHandshakeException e = connectFails(loop, port(s),
                client().serverName("not-this-host.test").build());
        assertEquals(Reason.HOSTNAME_MISMATCH, e.reason(), e.getMessage());
        Connection<Recorder> c = tlsConnect(loop, Recorder::new, port(s),
                client().serverName("not-this-host.test").verifyHostname(false).build());
        c.transport().write(ascii("ok"));
        runUntil(loop, () -> text(c.protocol()).equals("ok"), "the echo");
        assertNoLoopErrors();
    }

    @Test
    void expiredCertificateFails() {
        EventLoop loop = newLoop();
        Server s = echoServer(loop, server(TlsMaterial.keys("expired")).build(),
                new ArrayList<>());
        TlsHandshakeException e = connectFails(loop, port(s), client().build());
        assertEquals(Reason.CERTIFICATE_EXPIRED, e.reason(), e.getMessage());
        assertNoLoopErrors();
    }

    @Test
    void protocolMismatchFailsBothSides() {
        EventLoop loop = newLoop();
        Server s = echoServer(loop, server(serverKeys()).protocols("TLSv1.3").build(),
                new ArrayList<>());
        TlsHandshakeException e = connectFails(loop, port(s),
                client().protocols("TLSv1.2").build());
        assertEquals(Reason.PROTOCOL_MISMATCH, e.reason(), e.getMessage());
        awaitServerFailure(loop);
        assertEquals(Reason.PROTOCOL_MISMATCH, serverFailures.get(0).reason(),
                serverFailures.get(0).getMessage());
        assertNoLoopErrors();
    }

    @Test
    void clientCertificateRequiredAndAccepted() throws Exception {
        EventLoop loop = newLoop();
        List<Echo> accepted = new ArrayList<>();
        TlsConfig need = server(serverKeys()).clientAuth(TlsConfig.ClientAuth.NEED)
                .trustPem(TlsMaterial.path("ca.pem")).build();
        Server s = echoServer(loop, need, accepted);
        // Without a certificate: the server refuses (with TLS 1.3 the client may already think
        // it is connected; its connection then fails at once).
        Recorder lone = new Recorder();
        var f = Net.createConnection(loop, () -> lone, "localhost", port(s),
                NetOptions.defaults(), client().build());
        awaitServerFailure(loop);
        assertEquals(Reason.CERTIFICATE_REQUIRED, serverFailures.get(0).reason(),
                serverFailures.get(0).getMessage());
        runUntil(loop, () -> f.isDone() && (f.exception() != null || lone.lost),
                "the client to learn it was refused");
        assertTrue(accepted.isEmpty(), "no protocol for a refused client");
        // With one: accepted, and the server sees who it is.
        Connection<Recorder> c = tlsConnect(loop, Recorder::new, port(s),
                client().keys(TlsMaterial.keys("client")).build());
        c.transport().write(ascii("me"));
        runUntil(loop, () -> text(c.protocol()).equals("me"), "the echo");
        TlsTransport st = (TlsTransport) accepted.get(0).transport;
        X509Certificate peer = (X509Certificate) st.session().getPeerCertificates()[0];
        assertTrue(peer.getSubjectX500Principal().getName().contains("pollen client"));
        assertNoLoopErrors();
    }

    @Test
    void sniSelectsTheCertificateByName() throws Exception {
        EventLoop loop = newLoop();
        List<Echo> accepted = new ArrayList<>();
        TlsKeys other = TlsMaterial.keys("other");
        Server s = echoServer(loop, server(serverKeys()).keys("other.test", other)
                .keys("*.wild.test", other).build(), accepted);
        for (String name : List.of("other.test", "a.wild.test", "localhost")) {
            Connection<Recorder> c = tlsConnect(loop, Recorder::new, port(s),
                    client().serverName(name).build());
            X509Certificate leaf = (X509Certificate) ((TlsTransport) c.transport()).session()
                    .getPeerCertificates()[0];
            String cn = leaf.getSubjectX500Principal().getName();
            assertTrue(cn.contains(name.equals("localhost") ? "CN=localhost" : "CN=other.test"),
                    name + " got " + cn);
            runUntil(loop, () -> accepted.size() > 0 && accepted.get(accepted.size() - 1)
                    .transport != null, "the accept");
            assertEquals(name, ((TlsTransport) accepted.get(accepted.size() - 1).transport)
                    .requestedServerName());
            c.transport().close();
        }
        assertNoLoopErrors();
    }

    @Test
    void alpnSelectsACommonProtocolOrFails() {
        EventLoop loop = newLoop();
        List<Echo> accepted = new ArrayList<>();
        Server s = echoServer(loop, server(serverKeys()).alpn("h2", "http/1.1").build(),
                accepted);
        Connection<Recorder> c = tlsConnect(loop, Recorder::new, port(s),
                client().alpn("http/1.1").build());
        assertEquals("http/1.1", ((TlsTransport) c.transport()).applicationProtocol());
        runUntil(loop, () -> !accepted.isEmpty() && accepted.get(0).transport != null,
                "the accept");
        assertEquals("http/1.1", ((TlsTransport) accepted.get(0).transport)
                .applicationProtocol());
        if (alpnMismatchFails()) {
            TlsHandshakeException e = connectFails(loop, port(s),
                    client().alpn("spdy/1").build());
            assertEquals(Reason.ALPN_MISMATCH, e.reason(), e.getMessage());
        } else {
            Connection<Recorder> other = tlsConnect(loop, Recorder::new, port(s),
                    client().alpn("spdy/1").build());
            assertNull(((TlsTransport) other.transport()).applicationProtocol());
        }
        Connection<Recorder> none = tlsConnect(loop, Recorder::new, port(s), client().build());
        assertNull(((TlsTransport) none.transport()).applicationProtocol());
        assertNoLoopErrors();
    }

    @Test
    void silentPeerIsClosedByTheHandshakeTimeout() {
        FdCount.assumeAvailable();
        EventLoop loop = newLoop();
        int baseline = FdCount.now();
        Server s = echoServer(loop, server(serverKeys()).handshakeTimeout(Duration.ofMillis(300))
                .build(), new ArrayList<>());
        Connection<Recorder> plain = connect(loop, Recorder::new, port(s)); // says nothing
        awaitServerFailure(loop);
        assertEquals(Reason.TIMEOUT, serverFailures.get(0).reason());
        runUntil(loop, () -> plain.protocol().lost, "the silent client to be dropped");
        runUntil(loop, () -> s.connectionCount() == 0, "the server to forget it");
        // A client facing a silent server times out the same way.
        Server mute = server(loop, () -> new Protocol() { });
        TlsHandshakeException e = connectFails(loop, port(mute),
                client().handshakeTimeout(Duration.ofMillis(300)).build());
        assertEquals(Reason.TIMEOUT, e.reason(), e.getMessage());
        s.close();
        mute.close();
        runFor(loop, Duration.ofMillis(50));
        int now = FdCount.settled(baseline);
        assertEquals(baseline, now, FdCount::describe);
        assertNoLoopErrors();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http", "binary", "tls-header-then-junk"})
    void garbageInsteadOfAClientHelloFailsCleanly(String kind) {
        FdCount.assumeAvailable();
        EventLoop loop = newLoop();
        int baseline = FdCount.now();
        Server s = echoServer(loop, server(serverKeys()).build(), new ArrayList<>());
        byte[] garbage = switch (kind) {
            case "http" -> "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII);
            case "binary" -> randomBytes(4096, 7);
            default -> {
                byte[] b = randomBytes(600, 8);
                b[0] = 0x16; // handshake record, TLS 1.0, length 595, then nonsense
                b[1] = 0x03;
                b[2] = 0x01;
                b[3] = 0x02;
                b[4] = 0x53;
                yield b;
            }
        };
        for (int i = 0; i < 20; i++) {
            Connection<Recorder> c = connect(loop, Recorder::new, port(s));
            c.transport().write(ByteBuffer.wrap(garbage));
            runUntil(loop, () -> c.protocol().lost || c.protocol().eof, "the server to hang up");
            c.transport().abort();
        }
        runUntil(loop, () -> serverFailures.size() == 20, "20 failure reports");
        for (TlsHandshakeException e : serverFailures) {
            assertEquals(Reason.NOT_TLS, e.reason(), e.getMessage());
        }
        runUntil(loop, () -> s.connectionCount() == 0, "every connection closed");
        s.close();
        runFor(loop, Duration.ofMillis(50));
        assertEquals(baseline, FdCount.settled(baseline), FdCount::describe);
        assertNoLoopErrors();
    }

    // ------------------------------------------------------------------ closing

    @Test
    void closeSendsCloseNotifyAfterTheData() {
        EventLoop loop = newLoop();
        byte[] data = randomBytes(3 * MIB, 3);
        Recorder[] sa = new Recorder[1];
        Server s = tlsServer(loop, () -> new Recorder() {
            @Override
            public void connectionMade(Transport t) {
                super.connectionMade(t);
                sa[0] = this;
                t.write(ByteBuffer.wrap(data));
                t.close(); // everything written first, then close_notify
                assertThrows(IllegalStateException.class, () -> t.write(ascii("late")));
            }
        }, server(serverKeys()).build());
        Connection<Recorder> c = tlsConnect(loop, Recorder::new, port(s), client().build());
        runUntil(loop, () -> c.protocol().lost, "the client's connectionLost");
        assertArrayEquals(data, c.protocol().bytes());
        assertTrue(c.protocol().eof, "close_notify is an end-of-stream");
        assertTrue(((TlsTransport) c.transport()).closeNotifyReceived());
        assertNull(c.protocol().lostCause);
        runUntil(loop, () -> sa[0].lost, "the server's connectionLost");
        assertNull(sa[0].lostCause);
        assertTrue(((TlsTransport) sa[0].transport).closeNotifyReceived(),
                "the client answered with its close_notify");
        assertEquals(1, c.protocol().lostCalls);
        assertEquals(1, sa[0].lostCalls);
        assertNoLoopErrors();
    }

    @Test
    void serverCloseClientsSendsCloseNotify() {
        EventLoop loop = newLoop();
        Server s = echoServer(loop, server(serverKeys()).build(), new ArrayList<>());
        Connection<Recorder> c = tlsConnect(loop, Recorder::new, port(s), client().build());
        runUntil(loop, () -> s.connectionCount() == 1, "the accept");
        s.closeClients();
        runUntil(loop, () -> c.protocol().lost, "the client's connectionLost");
        assertTrue(c.protocol().eof);
        assertTrue(((TlsTransport) c.transport()).closeNotifyReceived());
        runUntil(loop, () -> s.connectionCount() == 0, "the server's side closed");
        assertNoLoopErrors();
    }

    @Test
    void abortResetsWithoutCloseNotify() {
        EventLoop loop = newLoop();
        List<Echo> accepted = new ArrayList<>();
        Server s = echoServer(loop, server(serverKeys()).build(), accepted);
        Connection<Recorder> c = tlsConnect(loop, Recorder::new, port(s), client().build());
        runUntil(loop, () -> !accepted.isEmpty() && accepted.get(0).transport != null,
                "the accept");
        accepted.get(0).transport.abort();
        runUntil(loop, () -> c.protocol().lost, "the client's connectionLost");
        assertFalse(((TlsTransport) c.transport()).closeNotifyReceived());
        assertFalse(c.protocol().eof, "a reset is no end-of-stream");
        assertInstanceOf(SocketException.class, c.protocol().lostCause);
        assertNoLoopErrors();
    }

    @Test
    void peerEndingTcpWithoutCloseNotifyIsToldApart() {
        EventLoop loop = newLoop();
        for (boolean strict : new boolean[] {false, true}) {
            List<Echo> accepted = new ArrayList<>();
            Server s = echoServer(loop, server(serverKeys()).build(), accepted);
            Connection<Recorder> c = tlsConnect(loop, Recorder::new, port(s),
                    client().requireCloseNotify(strict).build());
            runUntil(loop, () -> !accepted.isEmpty() && accepted.get(0).transport != null,
                    "the accept");
            accepted.get(0).transport.write(ascii("last words"));
            runUntil(loop, () -> text(c.protocol()).equals("last words"), "the data");
            ((TlsTransport) accepted.get(0).transport).rawTransport().close(); // FIN, no notify
            runUntil(loop, () -> c.protocol().lost, "the client's connectionLost");
            assertFalse(((TlsTransport) c.transport()).closeNotifyReceived());
            if (strict) {
                assertFalse(c.protocol().eof);
                assertInstanceOf(TlsTruncationException.class, c.protocol().lostCause);
            } else {
                assertTrue(c.protocol().eof, "an end-of-stream all the same");
                assertNull(c.protocol().lostCause);
            }
            s.close();
        }
        assertNoLoopErrors();
    }

    @Test
    void endOfStreamInsideARecordIsATruncation() {
        EventLoop loop = newLoop();
        List<Echo> accepted = new ArrayList<>();
        Server s = echoServer(loop, server(serverKeys()).build(), accepted);
        Connection<Recorder> c = tlsConnect(loop, Recorder::new, port(s), client().build());
        runUntil(loop, () -> !accepted.isEmpty() && accepted.get(0).transport != null,
                "the accept");
        Transport raw = ((TlsTransport) accepted.get(0).transport).rawTransport();
        // An application-data record header announcing 64 bytes, then 10 of them, then FIN.
        byte[] partial = new byte[15];
        partial[0] = 23;
        partial[1] = 3;
        partial[2] = 3;
        partial[4] = 64;
        raw.write(ByteBuffer.wrap(partial));
        raw.close();
        runUntil(loop, () -> c.protocol().lost, "the client's connectionLost");
        assertInstanceOf(TlsTruncationException.class, c.protocol().lostCause);
        assertTrue(c.protocol().lostCause.getMessage().contains("middle of a record"),
                c.protocol().lostCause.getMessage());
        assertNoLoopErrors();
    }

    @Test
    void writeEofIsRefusedAndPipeClosesATlsSideInstead() {
        EventLoop loop = newLoop();
        Server s = echoServer(loop, server(serverKeys()).build(), new ArrayList<>());
        Connection<Recorder> c = tlsConnect(loop, Recorder::new, port(s), client().build());
        assertFalse(c.transport().canWriteEof());
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> c.transport().writeEof());
        assertTrue(e.getMessage().contains("close_notify"), e.getMessage());
        c.transport().close();
        runUntil(loop, () -> c.protocol().lost, "close");
        assertNoLoopErrors();
    }

    // ------------------------------------------------------------------ flow control

    @Test
    void flowControlCountsPlaintextAndBoundsMemoryAgainstAStalledPeer() {
        EventLoop loop = newLoop();
        List<Recorder> accepted = new ArrayList<>();
        Server s = tlsServer(loop, () -> {
            Recorder r = new Recorder() {
                @Override
                public void connectionMade(Transport t) {
                    super.connectionMade(t);
                    t.pauseReading(); // the stalled peer
                }
            };
            accepted.add(r);
            return r;
        }, server(serverKeys()).build());
        Connection<Recorder> c = run(loop, Net.createConnection(loop, Recorder::new, "localhost",
                port(s), SMALL_BUFFERS, client().build()));
        Transport t = c.transport();
        byte[] chunk = randomBytes(64 * 1024, 4);
        long written = 0;
        long maxBuffered = 0;
        int pausesSeen = 0;
        // Write 16 MiB honouring pauseWriting; the peer reads nothing until we are done.
        while (written < 16L * MIB) {
            if (c.protocol().pauses > c.protocol().resumes) {
                pausesSeen++;
                runFor(loop, Duration.ofMillis(20)); // nothing will drain: the peer is stalled
                if (pausesSeen > 3) {
                    break;
                }
                continue;
            }
            t.write(ByteBuffer.wrap(chunk));
            written += chunk.length;
            maxBuffered = Math.max(maxBuffered, t.writeBufferSize());
            runFor(loop, Duration.ofMillis(1));
        }
        assertTrue(c.protocol().pauses >= 1, "pauseWriting must come against a stalled peer");
        assertTrue(written < 16L * MIB, "the writer was paused before 16 MiB");
        // Memory bound: high-water mark + the write that crossed it + one encrypted batch.
        long bound = t.writeBufferHighWater() + chunk.length + 80 * 1024;
        assertTrue(maxBuffered <= bound, "buffered " + maxBuffered + " > " + bound);
        // The reader wakes: everything arrives, resumeWriting comes.
        long total = written;
        accepted.get(0).transport.resumeReading();
        runUntil(loop, () -> accepted.get(0).received.size() == total, "all the data");
        runUntil(loop, () -> c.protocol().resumes == c.protocol().pauses, "resumeWriting");
        assertTrue(t.writeBufferSize() <= t.writeBufferLowWater());
        byte[] got = accepted.get(0).bytes();
        for (int off = 0; off < got.length; off += chunk.length) {
            assertArrayEquals(chunk, java.util.Arrays.copyOfRange(got, off, off + chunk.length),
                    "bytes at " + off);
        }
        assertNoLoopErrors();
    }

    @Test
    void pauseReadingHoldsDecryptedDataBack() {
        EventLoop loop = newLoop();
        Recorder[] sa = new Recorder[1];
        Server s = tlsServer(loop, () -> sa[0] = new Recorder(), server(serverKeys()).build());
        Connection<Recorder> c = tlsConnect(loop, Recorder::new, port(s), client().build());
        runUntil(loop, () -> sa[0] != null && sa[0].transport != null, "the accept");
        c.transport().pauseReading();
        assertFalse(c.transport().isReading());
        byte[] data = randomBytes(300 * 1024, 5);
        sa[0].transport.write(ByteBuffer.wrap(data));
        runFor(loop, Duration.ofMillis(100));
        assertEquals(0, c.protocol().received.size(), "data delivered while paused");
        c.transport().resumeReading();
        runUntil(loop, () -> c.protocol().received.size() == data.length, "the data");
        assertArrayEquals(data, c.protocol().bytes());
        assertNoLoopErrors();
    }

    @Test
    void pausingInConnectionMadeHoldsDataThatCameWithTheHandshake() {
        EventLoop loop = newLoop();
        Recorder[] sa = new Recorder[1];
        Server s = tlsServer(loop, () -> sa[0] = new Recorder() {
            @Override
            public void connectionMade(Transport t) {
                super.connectionMade(t);
                t.pauseReading(); // as a proxy does until its upstream is connected
            }
        }, server(serverKeys()).build());
        // The client writes in connectionMade: with TLS 1.3 the data follows its Finished at once,
        // often in the same segment, so it is decrypted in the step that completes the handshake.
        Connection<Recorder> c = tlsConnect(loop, () -> new Recorder() {
            @Override
            public void connectionMade(Transport t) {
                super.connectionMade(t);
                t.write(ascii("GET / HTTP/1.1\r\n\r\n"));
            }
        }, port(s), client().build());
        runUntil(loop, () -> sa[0] != null && sa[0].transport != null, "the accept");
        runFor(loop, Duration.ofMillis(100));
        assertEquals(0, sa[0].received.size(), "data delivered while paused");
        sa[0].transport.resumeReading();
        runUntil(loop, () -> text(sa[0]).equals("GET / HTTP/1.1\r\n\r\n"), "the request");
        c.transport().close();
        assertNoLoopErrors();
    }

    // ------------------------------------------------------------------ records

    @Test
    void largeWritesAndRecordsArriveIntact() {
        EventLoop loop = newLoop();
        Server s = echoServer(loop, server(serverKeys()).build(), new ArrayList<>());
        Connection<Recorder> c = tlsConnect(loop, Recorder::new, port(s), client().build());
        byte[] big = randomBytes(8 * MIB + 123, 6);
        c.transport().write(ByteBuffer.wrap(big)); // one write: many full records
        runUntil(loop, () -> c.protocol().received.size() == big.length, "the echo");
        assertArrayEquals(big, c.protocol().bytes());
        assertNoLoopErrors();
    }

    @Test
    void gatheringWritesAreCoalescedIntoFullRecords() {
        EventLoop loop = newLoop();
        Server s = echoServer(loop, server(serverKeys()).build(), new ArrayList<>());
        // A plain proxy between client and server counts the bytes on the wire.
        Pipe[] pipe = new Pipe[1];
        Server proxy = server(loop, () -> new Protocol() {
            @Override
            public void connectionMade(Transport client) {
                client.pauseReading();
                Net.createConnection(loop, () -> new Protocol() { }, LOCAL, port(s))
                        .addDoneCallback(f -> pipe[0] = Net.pipe(client, f.result().transport()));
            }
        });
        Connection<Recorder> c = run(loop, Net.createConnection(loop, Recorder::new, "localhost",
                port(proxy), NetOptions.defaults(), client().build()));
        long afterHandshake = pipe[0].bytesAtoB();
        ByteBuffer[] small = new ByteBuffer[100];
        for (int i = 0; i < small.length; i++) {
            small[i] = ByteBuffer.wrap(randomBytes(100, i));
        }
        c.transport().write(small);
        runUntil(loop, () -> c.protocol().received.size() == 10_000, "the echo");
        long onTheWire = pipe[0].bytesAtoB() - afterHandshake;
        // One record costs 22 bytes (TLS 1.3, AES-GCM): 100 separate records would be 12,200.
        assertTrue(onTheWire < 10_000 + 5 * 64, "100 small buffers took " + onTheWire
                + " bytes: not coalesced into records");
        assertNoLoopErrors();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void renegotiationOrKeyUpdateMidStream(String version) {
        assumeTrue(canRenegotiate(), () -> "the " + engine() + " engine cannot start a new "
                + "handshake (BoringSSL: no renegotiation, no key update on request)");
        EventLoop loop = newLoop();
        List<Echo> accepted = new ArrayList<>();
        Server s = echoServer(loop, server(serverKeys()).protocols(version).build(), accepted);
        Connection<Recorder> c = tlsConnect(loop, Recorder::new, port(s),
                client().protocols(version).build());
        TlsTransport t = (TlsTransport) c.transport();
        runUntil(loop, () -> !accepted.isEmpty() && accepted.get(0).transport != null,
                "the accept");
        TlsTransport st = (TlsTransport) accepted.get(0).transport;
        byte[] data = randomBytes(4 * MIB, 9);
        int piece = 256 * 1024;
        for (int off = 0; off < data.length; off += piece) {
            t.write(ByteBuffer.wrap(data, off, piece));
            if (off == piece * 4) {
                t.renegotiate(); // client-initiated, with data in flight
            }
            if (off == piece * 10) {
                st.renegotiate(); // and server-initiated
            }
            runFor(loop, Duration.ofMillis(2));
        }
        runUntil(loop, () -> c.protocol().received.size() == data.length, "the echo");
        assertArrayEquals(data, c.protocol().bytes());
        assertEquals(version, t.session().getProtocol());
        assertNoLoopErrors();
    }

    @Test
    void theLayerAllocatesNothingPerMessageOfItsOwn() {
        // The null-cipher test engine allocates nothing itself. The same ping-pong runs over a
        // plain connection and over a null-cipher TLS one: the difference is the TLS layer's own
        // allocation per round trip (the poller's, which differs by backend, cancels out).
        EventLoop loop = newLoop();
        TlsConfig s = TlsConfig.forServer(serverKeys()).engine(NullCipherEngineProvider.NAME)
                .build();
        TlsConfig cl = TlsConfig.forClient().engine(NullCipherEngineProvider.NAME).build();
        Server plainServer = server(loop, Echo::new);
        long plain = allocationPerRoundTrip(loop, connect(loop, Recorder::new, port(plainServer)));
        Server tlsServer = echoServer(loop, s, new ArrayList<>());
        long tls = allocationPerRoundTrip(loop, tlsConnect(loop, Recorder::new, port(tlsServer),
                cl));
        // An SSLEngine.unwrap(src, dst) call alone would add 16 B per side and round trip.
        assertTrue(tls - plain <= 8, "the TLS layer allocated " + (tls - plain) + " bytes per "
                + "round trip (plain " + plain + ", TLS " + tls + ")");
        assertNoLoopErrors();
    }

    /** Bytes the loop thread allocates per 64-byte echo round trip, one message in flight. */
    private long allocationPerRoundTrip(EventLoop loop, Connection<Recorder> c) {
        var threads = (com.sun.management.ThreadMXBean)
                java.lang.management.ManagementFactory.getThreadMXBean();
        ByteBuffer msg = ByteBuffer.allocateDirect(64);
        int warm = 5_000;
        int measured = 20_000;
        long[] start = new long[1];
        long[] end = new long[1];
        int[] echoes = {0};
        Future<Void> done = loop.createFuture();
        c.transport().setProtocol(new Protocol() {
            @Override
            public void dataReceived(ByteBuffer data) {
                data.position(data.limit()); // 64 B arrive in one piece on loopback
                echoes[0]++;
                if (echoes[0] == warm) {
                    start[0] = threads.getCurrentThreadAllocatedBytes();
                }
                if (echoes[0] == warm + measured) {
                    end[0] = threads.getCurrentThreadAllocatedBytes();
                    done.setResult(null);
                    return;
                }
                msg.clear();
                c.transport().write(msg);
            }
        });
        c.transport().write(msg);
        run(loop, done);
        c.transport().abort();
        return (end[0] - start[0]) / measured;
    }

    // ------------------------------------------------------------------ startTls

    @Test
    void startTlsUpgradesAPlainConnection() {
        EventLoop loop = newLoop();
        TlsConfig serverTls = server(serverKeys()).build();
        List<String> serverSaw = new ArrayList<>();
        // The server speaks plain text until "STARTTLS\n", answers "GO\n", then TLS.
        Server s = server(loop, () -> new Protocol() {
            Transport t;
            final StringBuilder line = new StringBuilder();
            boolean tls;

            @Override
            public void connectionMade(Transport transport) {
                t = transport;
            }

            @Override
            public void dataReceived(ByteBuffer data) {
                String got = StandardCharsets.US_ASCII.decode(data).toString();
                if (tls) {
                    serverSaw.add(got);
                    t.write(ascii(got.toUpperCase()));
                    return;
                }
                line.append(got);
                if (line.toString().equals("STARTTLS\n")) {
                    t.write(ascii("GO\n"));
                    tls = true;
                    Net.startTls(t, this, serverTls).addDoneCallback(f -> t = f.result());
                }
            }
        });
        String answer = runTask(loop, () -> {
            StreamConnection c = Net.openConnection(LOCAL, port(s));
            c.writer().write("STARTTLS\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("GO\n", new String(c.reader().readLine(), StandardCharsets.US_ASCII));
            c.writer().startTls(client().build(), "localhost");
            assertInstanceOf(TlsTransport.class, c.writer().transport());
            c.writer().write("secret\n".getBytes(StandardCharsets.US_ASCII));
            String a = new String(c.reader().readLine(), StandardCharsets.US_ASCII);
            c.writer().close();
            c.writer().waitClosed();
            return a;
        });
        assertEquals("SECRET\n", answer);
        assertEquals(List.of("secret\n"), serverSaw);
        assertNoLoopErrors();
    }

    @Test
    void startTlsFailureClosesTheConnectionAndTellsTheProtocol() {
        EventLoop loop = newLoop();
        Server plain = server(loop, () -> new Protocol() { }); // never answers a ClientHello
        Recorder r = new Recorder();
        Connection<Recorder> c = connect(loop, () -> r, port(plain));
        Throwable e = runExpectingFailure(loop, Net.startTls(c.transport(), r,
                client().handshakeTimeout(Duration.ofMillis(200)).build(), "localhost"));
        assertEquals(Reason.TIMEOUT, assertInstanceOf(TlsHandshakeException.class, e).reason());
        runUntil(loop, () -> r.lost, "connectionLost");
        assertInstanceOf(TlsHandshakeException.class, r.lostCause);
        assertEquals(1, r.lostCalls);
        IllegalArgumentException noName = assertThrows(IllegalArgumentException.class,
                () -> Net.startTls(connect(loop, Recorder::new, port(plain)).transport(),
                        new Recorder(), client().build()));
        assertTrue(noName.getMessage().contains("serverName"), noName.getMessage());
        assertNoLoopErrors();
    }

    // ------------------------------------------------------------------ misuse

    @Test
    void wrongSideConfigurationsAreRefused() {
        EventLoop loop = newLoop();
        IllegalArgumentException a = assertThrows(IllegalArgumentException.class,
                () -> Net.createServer(loop, Recorder::new, LOCAL, 0, NetOptions.defaults(),
                        client().build()));
        assertTrue(a.getMessage().contains("forServer"), a.getMessage());
        IllegalArgumentException b = assertThrows(IllegalArgumentException.class,
                () -> Net.createConnection(loop, Recorder::new, LOCAL, 1, NetOptions.defaults(),
                        server(serverKeys()).build()));
        assertTrue(b.getMessage().contains("forClient"), b.getMessage());
        IllegalArgumentException c = assertThrows(IllegalArgumentException.class,
                () -> client().protocols("TLSv9").build());
        assertTrue(c.getMessage().contains("TLSv9"), c.getMessage());
    }

    @Test
    void aThrowingProtocolIsReportedAndItsConnectionAborted() {
        EventLoop loop = newLoop();
        Server s = tlsServer(loop, () -> new Protocol() {
            @Override
            public void dataReceived(ByteBuffer data) {
                throw new IllegalStateException("boom");
            }
        }, server(serverKeys()).build());
        Connection<Recorder> c = tlsConnect(loop, Recorder::new, port(s), client().build());
        c.transport().write(ascii("x"));
        runUntil(loop, () -> c.protocol().lost, "the client's connectionLost");
        runUntil(loop, () -> !loopErrors.isEmpty(), "the report");
        assertTrue(loopErrors.get(0).message().contains("dataReceived"),
                loopErrors.get(0).message());
        assertEquals("boom", loopErrors.get(0).exception().getMessage());
    }
}
