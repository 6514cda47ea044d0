package dev.pollen.examples;

import dev.pollen.net.tls.TlsConfig;
import dev.pollen.net.tls.TlsKeys;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --tls-cert}, {@code --tls-key} and {@code --tls-engine}: the options with which
 * {@code echo} and {@code proxy} terminate TLS. Both files or neither; a bad file or an engine
 * that is not there is a usage error that says what to do.
 *
 * <p><b>Threading:</b> the main thread.
 */
public final class TlsOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--tls-cert", paramLabel = "PEM",
            description = "Terminate TLS with this certificate chain (PEM, leaf first).")
    Path cert;

    @Option(names = "--tls-key", paramLabel = "PEM",
            description = "The private key of --tls-cert (PEM, PKCS#8 as 'openssl req -nodes' writes).")
    Path key;

    @Option(names = "--tls-engine", paramLabel = "jdk|openssl", defaultValue = "jdk",
            description = "TLS engine for every TLS side: jdk (default) or openssl (BoringSSL).")
    String engine;

    /**
     * The server-side configuration, or null when TLS was not asked for.
     *
     * @return the configuration
     * @throws CommandLine.ParameterException on a missing or bad file, or a missing engine
     */
    TlsConfig serverConfig() {
        if (cert == null && key == null) {
            return null;
        }
        if (cert == null || key == null) {
            throw bad((cert == null ? "--tls-key needs --tls-cert" : "--tls-cert needs --tls-key")
                    + " (give the certificate chain and its private key)");
        }
        try {
            return build(TlsConfig.forServer(TlsKeys.fromPem(cert, key)));
        } catch (IOException e) {
            throw bad("--tls-cert/--tls-key: " + e.getMessage());
        }
    }

    /** Applies the engine; turns a missing engine into a usage error. */
    TlsConfig build(TlsConfig.Builder b) {
        try {
            return b.engine(engine).build();
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw bad("--tls-engine " + engine + ": " + e.getMessage());
        }
    }

    /** The engine's name as given. */
    String engine() {
        return engine;
    }

    CommandLine.ParameterException bad(String message) {
        return new CommandLine.ParameterException(mixee.commandLine(), message);
    }
}
