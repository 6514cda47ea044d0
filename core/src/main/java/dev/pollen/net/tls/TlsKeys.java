package dev.pollen.net.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A private key with its certificate chain: what a TLS server (or a client authenticating
 * itself) presents. Loaded with the JDK's parsers from
 * <ul>
 *   <li>PEM files ({@link #fromPem(Path, Path)}): a certificate chain (leaf first) and a PKCS#8
 *       {@code PRIVATE KEY}, as {@code openssl req -x509 -newkey rsa:2048 -nodes} or
 *       {@code openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes} write them;
 *       an {@code ENCRYPTED PRIVATE KEY} with {@link #fromPem(Path, Path, char[])};</li>
 *   <li>a PKCS#12 file ({@link #fromPkcs12(Path, char[])}) or any {@link KeyStore}
 *       ({@link #fromKeyStore});</li>
 *   <li>objects you already have ({@link #of}).</li>
 * </ul>
 * A traditional OpenSSL key ({@code RSA PRIVATE KEY}, {@code EC PRIVATE KEY}) is refused with the
 * one {@code openssl pkcs8 -topk8} command that converts it.
 *
 * <p><b>Threading:</b> immutable, any thread.
 */
public final class TlsKeys {

    private final PrivateKey key;
    private final List<X509Certificate> chain;

    private TlsKeys(PrivateKey key, List<X509Certificate> chain) {
        this.key = Objects.requireNonNull(key, "key");
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a certificate chain needs at least the leaf "
                    + "certificate");
        }
        this.chain = List.copyOf(chain);
        if (!matches(key, this.chain.get(0))) {
            throw new IllegalArgumentException("the private key (" + key.getAlgorithm() + ") does "
                    + "not belong to the first certificate of the chain ("
                    + this.chain.get(0).getSubjectX500Principal() + ", "
                    + this.chain.get(0).getPublicKey().getAlgorithm() + " key): give the key of "
                    + "the leaf certificate, and the leaf first");
        }
    }

    /**
     * Key material from objects.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param key   the private key of {@code chain[0]}
     * @param chain the certificate chain, leaf first
     * @return the key material
     * @throws IllegalArgumentException if the chain is empty or the key does not belong to its
     *                                  first certificate
     */
    public static TlsKeys of(PrivateKey key, X509Certificate... chain) {
        return new TlsKeys(key, List.of(chain));
    }

    /**
     * Loads a PEM certificate chain and an unencrypted PKCS#8 PEM private key.
     *
     * <p><b>Threading:</b> any thread (reads the files).
     *
     * @param certificateChain the certificates, leaf first (intermediates after it)
     * @param privateKey       the leaf's private key ({@code -----BEGIN PRIVATE KEY-----})
     * @return the key material
     * @throws IOException naming the file and what is wrong with it (unreadable, no
     *                     certificate, traditional key format, key not matching the certificate)
     */
    public static TlsKeys fromPem(Path certificateChain, Path privateKey) throws IOException {
        return fromPem(certificateChain, privateKey, null);
    }

    /**
     * Loads a PEM certificate chain and a PEM private key, encrypted
     * ({@code ENCRYPTED PRIVATE KEY}, decrypted with {@code password}) or not.
     *
     * <p><b>Threading:</b> any thread (reads the files).
     *
     * @param certificateChain the certificates, leaf first
     * @param privateKey       the leaf's private key
     * @param password         the key's password, or null for an unencrypted key
     * @return the key material
     * @throws IOException naming the file and what is wrong with it
     */
    public static TlsKeys fromPem(Path certificateChain, Path privateKey, char[] password)
            throws IOException {
        List<X509Certificate> chain = Pem.certificates(certificateChain);
        PrivateKey key = Pem.privateKey(privateKey, password);
        try {
            return new TlsKeys(key, chain);
        } catch (IllegalArgumentException e) {
            throw new IOException(privateKey + " and " + certificateChain + ": " + e.getMessage(),
                    e);
        }
    }

    /**
     * Loads the first private-key entry of a PKCS#12 file (as {@code openssl pkcs12 -export} or
     * {@code keytool -genkeypair -storetype PKCS12} write).
     *
     * <p><b>Threading:</b> any thread (reads the file).
     *
     * @param file     the {@code .p12}/{@code .pfx} file
     * @param password the store's password (also used for the key)
     * @return the key material
     * @throws IOException if the file cannot be read or holds no key
     */
    public static TlsKeys fromPkcs12(Path file, char[] password) throws IOException {
        KeyStore ks;
        try (InputStream in = Files.newInputStream(file)) {
            ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password);
        } catch (GeneralSecurityException | IOException e) {
            throw new IOException("cannot read the PKCS#12 file " + file + " (wrong password?): "
                    + e.getMessage(), e);
        }
        try {
            return fromKeyStore(ks, null, password);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Takes a private-key entry of a key store.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param store    a loaded key store
     * @param alias    the entry's alias, or null for the first private-key entry
     * @param password the key's password
     * @return the key material
     * @throws IllegalArgumentException if there is no such entry, or its key cannot be recovered
     */
    public static TlsKeys fromKeyStore(KeyStore store, String alias, char[] password) {
        Objects.requireNonNull(store, "store");
        try {
            List<String> aliases = alias != null ? List.of(alias)
                    : Collections.list(store.aliases());
            for (String a : aliases) {
                if (!store.isKeyEntry(a)) {
                    continue;
                }
                Key k = store.getKey(a, password);
                Certificate[] certs = store.getCertificateChain(a);
                if (k instanceof PrivateKey pk && certs != null) {
                    List<X509Certificate> chain = new ArrayList<>();
                    for (Certificate c : certs) {
                        chain.add((X509Certificate) c);
                    }
                    return new TlsKeys(pk, chain);
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot recover the private key from the key store "
                    + "(wrong password?): " + e.getMessage(), e);
        }
        throw new IllegalArgumentException(alias != null ? "the key store has no private-key "
                + "entry '" + alias + "'" : "the key store holds no private-key entry");
    }

    /**
     * The private key.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the key
     */
    public PrivateKey privateKey() {
        return key;
    }

    /**
     * The certificate chain, leaf first.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return an unmodifiable list
     */
    public List<X509Certificate> certificateChain() {
        return chain;
    }

    /** The key's algorithm family as TLS key managers name it ("RSA", "EC", "EdDSA"...). */
    String keyType() {
        String a = key.getAlgorithm();
        return switch (a) {
            case "Ed25519", "Ed448", "EdDSA" -> "EdDSA";
            default -> a;
        };
    }

    private static boolean matches(PrivateKey key, X509Certificate leaf) {
        String k = key.getAlgorithm();
        String c = leaf.getPublicKey().getAlgorithm();
        if (k.equals(c)) {
            if (key instanceof java.security.interfaces.RSAPrivateCrtKey rk
                    && leaf.getPublicKey() instanceof java.security.interfaces.RSAPublicKey pk) {
                return rk.getModulus().equals(pk.getModulus());
            }
            return true;
        }
        // EdDSA keys may report "EdDSA" on one side and "Ed25519" on the other.
        return k.startsWith("Ed") && c.startsWith("Ed");
    }

    @Override
    public String toString() {
        return "TlsKeys[" + key.getAlgorithm() + ", " + chain.get(0).getSubjectX500Principal()
                + (chain.size() > 1 ? " +" + (chain.size() - 1) + " more" : "") + "]";
    }
}
