package dev.pollen.testkit;

import dev.pollen.net.tls.TlsKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The TLS contract's key material (see {@code dev/pollen/testkit/tls/README.md}), copied from the
 * test class path to a temporary directory once per JVM, so that tests load it from files as a
 * user would, also when the conformance kit runs from its jar.
 *
 * <p><b>Threading:</b> any thread.
 */
public final class TlsMaterial {

    private static final String[] FILES = {"ca.pem", "server.pem", "server-key.pem",
        "server-ec.pem", "server-ec-key.pem", "other.pem", "other-key.pem", "untrusted.pem",
        "untrusted-key.pem", "expired.pem", "expired-key.pem", "client.pem", "client-key.pem",
        "server-key-encrypted.pem", "server.p12", "server-key-traditional.pem", "other-ca.pem"};
    private static Path dir;

    private TlsMaterial() {
    }

    /**
     * The file's path on disk.
     *
     * @param name e.g. "server.pem"
     * @return its copy in the temporary directory
     */
    public static synchronized Path path(String name) {
        if (dir == null) {
            try {
                Path d = Files.createTempDirectory("pollen-tls-test");
                for (String f : FILES) {
                    try (InputStream in = TlsMaterial.class.getResourceAsStream("tls/" + f)) {
                        if (in == null) {
                            throw new IOException("test resource dev/pollen/testkit/tls/" + f
                                    + " missing");
                        }
                        Files.copy(in, d.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                    }
                    d.resolve(f).toFile().deleteOnExit();
                }
                d.toFile().deleteOnExit();
                dir = d;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dir.resolve(name);
    }

    /**
     * Key material from {@code NAME.pem} and {@code NAME-key.pem}.
     *
     * @param name e.g. "server", "client"
     * @return the keys
     */
    public static TlsKeys keys(String name) {
        try {
            return TlsKeys.fromPem(path(name + ".pem"), path(name + "-key.pem"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
