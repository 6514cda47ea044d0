package dev.pollen.tls.openssl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.loop.EventLoop;
import dev.pollen.net.Connection;
import dev.pollen.net.Net;
import dev.pollen.net.NetOptions;
import dev.pollen.net.Server;
import dev.pollen.net.TlsTransport;
import dev.pollen.net.tls.TlsConfig;
import dev.pollen.nio.NioPoller;
import dev.pollen.spi.Poller;
import dev.pollen.testkit.NetFixture;
import dev.pollen.testkit.TlsMaterial;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A JDK-engine end against an OpenSSL-engine end, both ways, TLS 1.2 and 1.3. */
class MixedEnginesTest extends NetFixture {

    @Override
    protected Poller newPoller() {
        return new NioPoller();
    }

    @ParameterizedTest
    @CsvSource({"jdk,openssl,TLSv1.3", "openssl,jdk,TLSv1.3", "jdk,openssl,TLSv1.2",
        "openssl,jdk,TLSv1.2"})
    void echoAcrossEngines(String serverEngine, String clientEngine, String version)
            throws IOException {
        EventLoop loop = newLoop();
        TlsConfig s = TlsConfig.forServer(TlsMaterial.keys("server")).engine(serverEngine)
                .protocols(version).build();
        TlsConfig c = TlsConfig.forClient().trustPem(TlsMaterial.path("ca.pem"))
                .engine(clientEngine).protocols(version).build();
        Server server = run(loop, Net.createServer(loop, Echo::new, LOCAL, 0,
                NetOptions.defaults(), s));
        Connection<Recorder> conn = run(loop, Net.createConnection(loop, Recorder::new,
                "localhost", port(server), NetOptions.defaults(), c));
        assertEquals(version, ((TlsTransport) conn.transport()).session().getProtocol());
        byte[] data = randomBytes(2 << 20, 1);
        conn.transport().write(ByteBuffer.wrap(data));
        runUntil(loop, () -> conn.protocol().received.size() == data.length, "the echo");
        assertArrayEquals(data, conn.protocol().bytes());
        conn.transport().close();
        runUntil(loop, () -> conn.protocol().lost, "close");
        assertTrue(((TlsTransport) conn.transport()).closeNotifyReceived());
        assertNoLoopErrors();
    }
}
