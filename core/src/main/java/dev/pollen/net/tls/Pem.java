package dev.pollen.net.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Reads PEM files with the JDK's own parsers: certificates through {@link CertificateFactory},
 * PKCS#8 private keys (plain or encrypted) through {@link KeyFactory} and
 * {@link EncryptedPrivateKeyInfo}. Only the PEM armour (BEGIN/END lines around base64) is
 * handled here; no key format is decoded by hand.
 *
 * <p><b>Threading:</b> stateless, any thread.
 */
final class Pem {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    /** Key algorithms tried in turn on a PKCS#8 key (its algorithm is inside the DER). */
    private static final String[] KEY_ALGORITHMS = {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS",
        "DSA"};

    private Pem() {
    }

    /** Every certificate in a PEM (or DER) file, in file order. */
    static List<X509Certificate> certificates(Path file) throws IOException {
        byte[] bytes = read(file, "certificate");
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(bytes))) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new IOException(file + " holds no certificate: expected PEM blocks "
                        + "'-----BEGIN CERTIFICATE-----' (as 'openssl req -x509' writes)");
            }
            return out;
        } catch (CertificateException e) {
            throw new IOException("cannot read the certificates in " + file + ": " + e.getMessage()
                    + " (expected PEM '-----BEGIN CERTIFICATE-----' blocks)", e);
        }
    }

    /**
     * The private key in a PEM file: {@code PRIVATE KEY} (PKCS#8, what {@code openssl req
     * -newkey ... -nodes} and {@code openssl genpkey} write) or {@code ENCRYPTED PRIVATE KEY}
     * (with {@code password}).
     */
    static PrivateKey privateKey(Path file, char[] password) throws IOException {
        String text = new String(read(file, "private key"), StandardCharsets.US_ASCII);
        Matcher m = BLOCK.matcher(text);
        List<String> seen = new ArrayList<>();
        while (m.find()) {
            String type = m.group(1);
            seen.add(type);
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2));
            } catch (IllegalArgumentException e) {
                throw new IOException("the " + type + " block in " + file + " is not valid base64",
                        e);
            }
            switch (type) {
                case "PRIVATE KEY":
                    return pkcs8(der, file);
                case "ENCRYPTED PRIVATE KEY":
                    if (password == null) {
                        throw new IOException(file + " holds an encrypted private key: give its "
                                + "password (or decrypt it: openssl pkcs8 -in " + file.getFileName()
                                + " -out key.pem)");
                    }
                    return pkcs8(decrypt(der, password, file), file);
                case "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY":
                    throw new IOException(file + " holds a '" + type + "' (the traditional "
                            + "OpenSSL format); convert it to PKCS#8 once: openssl pkcs8 -topk8 "
                            + "-nocrypt -in " + file.getFileName() + " -out key-pkcs8.pem");
                default:
                    // a certificate or parameters next to the key: skip
            }
        }
        throw new IOException("no private key in " + file + (seen.isEmpty()
                ? ": no PEM block found" : ": found only " + seen)
                + "; expected '-----BEGIN PRIVATE KEY-----' (PKCS#8)");
    }

    private static PrivateKey pkcs8(byte[] der, Path file) throws IOException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String alg : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(spec);
            } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException wrongType) {
                // try the next algorithm
            }
        }
        throw new IOException("the private key in " + file + " is not an RSA, EC, EdDSA or DSA "
                + "PKCS#8 key this JDK can read");
    }

    private static byte[] decrypt(byte[] der, char[] password, Path file) throws IOException {
        try {
            EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
            SecretKeyFactory f = SecretKeyFactory.getInstance(info.getAlgName());
            return info.getKeySpec(f.generateSecret(new PBEKeySpec(password))).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot decrypt the private key in " + file + " (wrong password, "
                    + "or a cipher this JDK lacks): " + e.getMessage(), e);
        }
    }

    private static byte[] read(Path file, String what) throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IOException("cannot read the " + what + " file " + file + ": " + e, e);
        }
    }
}
