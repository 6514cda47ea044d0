package dev.pollen.net.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.testkit.TlsMaterial;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TlsConfig and TlsKeys without sockets: defaults, engines, and the errors a user meets. */
class TlsConfigTest {

    @Test
    void defaultsAreAsyncioLike() {
        TlsConfig c = TlsConfig.forClient().build();
        assertEquals("jdk", c.engine());
        assertTrue(c.verifyHostname());
        assertEquals(Duration.ofSeconds(60), c.handshakeTimeout());
        assertEquals(Duration.ofSeconds(30), c.shutdownTimeout());
        assertTrue(c.alpn().isEmpty());
        assertTrue(TlsConfig.engines().containsKey("jdk"));
    }

    @Test
    void openSslWithoutItsModuleNamesTheDependency() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TlsConfig.forClient().engine("openssl").build());
        assertTrue(e.getMessage().contains("dev.pollen:pollen-tls-openssl"), e.getMessage());
        IllegalArgumentException u = assertThrows(IllegalArgumentException.class,
                () -> TlsConfig.forClient().engine("gnutls").build());
        assertTrue(u.getMessage().contains("unknown TLS engine 'gnutls'"), u.getMessage());
    }

    @Test
    void settingsOfTheOtherSideAreRefused() {
        IllegalStateException a = assertThrows(IllegalStateException.class,
                () -> TlsConfig.forClient().clientAuth(TlsConfig.ClientAuth.NEED));
        assertTrue(a.getMessage().contains("server setting"), a.getMessage());
        IllegalStateException b = assertThrows(IllegalStateException.class,
                () -> TlsConfig.forServer(TlsMaterial.keys("server")).serverName("x"));
        assertTrue(b.getMessage().contains("client setting"), b.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> TlsConfig.forClient().handshakeTimeout(Duration.ZERO));
        IllegalArgumentException c = assertThrows(IllegalArgumentException.class,
                () -> TlsConfig.forClient().cipherSuites("TLS_NOT_A_SUITE").build());
        assertTrue(c.getMessage().contains("TLS_NOT_A_SUITE"), c.getMessage());
    }

    @Test
    void badPemFilesAreNamedWithWhatIsWrong(@TempDir Path dir) throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "nothing here\n");
        IOException a = assertThrows(IOException.class,
                () -> TlsKeys.fromPem(empty, TlsMaterial.path("server-key.pem")));
        assertTrue(a.getMessage().contains("empty.pem"), a.getMessage());
        IOException b = assertThrows(IOException.class,
                () -> TlsKeys.fromPem(TlsMaterial.path("server.pem"), empty));
        assertTrue(b.getMessage().contains("no private key in") && b.getMessage()
                .contains("BEGIN PRIVATE KEY"), b.getMessage());
        IOException c = assertThrows(IOException.class, () -> TlsKeys.fromPem(
                TlsMaterial.path("server.pem"), dir.resolve("missing.pem")));
        assertTrue(c.getMessage().contains("missing.pem"), c.getMessage());
        IOException d = assertThrows(IOException.class, () -> TlsKeys.fromPem(
                TlsMaterial.path("server.pem"), TlsMaterial.path("server-key-encrypted.pem")));
        assertTrue(d.getMessage().contains("encrypted"), d.getMessage());
        IOException e = assertThrows(IOException.class, () -> TlsKeys.fromPem(
                TlsMaterial.path("server.pem"), TlsMaterial.path("server-key-encrypted.pem"),
                "wrong".toCharArray()));
        assertTrue(e.getMessage().contains("wrong password"), e.getMessage());
    }

    @Test
    void handshakeErrorsAreClassified() {
        assertEquals(TlsHandshakeException.Reason.PROTOCOL_MISMATCH, TlsHandshakeException
                .classify(new javax.net.ssl.SSLHandshakeException("Received fatal alert: "
                        + "protocol_version")));
        assertEquals(TlsHandshakeException.Reason.UNKNOWN_CA, TlsHandshakeException.classify(
                new javax.net.ssl.SSLHandshakeException("error:10000418:SSL routines:"
                        + "OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA")));
        assertEquals(TlsHandshakeException.Reason.NOT_TLS, TlsHandshakeException.classify(
                new javax.net.ssl.SSLException("not an SSL/TLS record: 474554")));
        assertEquals(TlsHandshakeException.Reason.OTHER, TlsHandshakeException.classify(
                new javax.net.ssl.SSLException("something new")));
    }
}
