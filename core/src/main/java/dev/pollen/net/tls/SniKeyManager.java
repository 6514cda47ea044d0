package dev.pollen.net.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Picks the key material of a connection by the server name the client asked for (SNI): an
 * exact name first, then a {@code *.example.org} wildcard (one label), then the default keys.
 * Both engines ask it through the standard {@link X509ExtendedKeyManager} calls, so the
 * selection is the same with the JDK's engine and with OpenSSL's.
 *
 * <p>Aliases are indexes into the key list: "0" is the default keys.
 *
 * <p><b>Threading:</b> immutable, any thread.
 */
final class SniKeyManager extends X509ExtendedKeyManager {

    private final List<TlsKeys> keys = new ArrayList<>();
    private final Map<String, Integer> exact = new java.util.HashMap<>();
    private final Map<String, Integer> wildcard = new java.util.HashMap<>();

    SniKeyManager(TlsKeys defaults, Map<String, TlsKeys> byName) {
        keys.add(defaults);
        for (Map.Entry<String, TlsKeys> e : byName.entrySet()) {
            int i = keys.size();
            keys.add(e.getValue());
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (name.startsWith("*.")) {
                wildcard.put(name.substring(2), i);
            } else {
                exact.put(name, i);
            }
        }
    }

    /** The alias for a requested server name and key type, or null. */
    private String select(String serverName, String keyType) {
        if (serverName != null) {
            String n = serverName.toLowerCase(Locale.ROOT);
            Integer i = exact.get(n);
            if (i == null) {
                int dot = n.indexOf('.');
                i = dot > 0 ? wildcard.get(n.substring(dot + 1)) : null;
            }
            if (i != null && fits(keys.get(i), keyType)) {
                return Integer.toString(i);
            }
        }
        return fits(keys.get(0), keyType) ? "0" : null;
    }

    /** Whether keys serve a key type the engine asks for ("RSA", "EC", "EC_EC", "EdDSA"...). */
    private static boolean fits(TlsKeys k, String keyType) {
        String t = k.keyType();
        return keyType == null || keyType.equals(t) || (t.equals("EC") && keyType.equals("EC_EC"))
                || (t.equals("EdDSA") && keyType.startsWith("Ed"));
    }

    static String requestedName(SSLEngine engine) {
        SSLSession s = engine == null ? null : engine.getHandshakeSession();
        if (s instanceof ExtendedSSLSession es) {
            for (SNIServerName n : es.getRequestedServerNames()) {
                if (n.getType() == StandardConstants.SNI_HOST_NAME && n instanceof SNIHostName h) {
                    return h.getAsciiName();
                }
            }
        }
        return null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return select(requestedName(engine), keyType);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers,
            SSLEngine engine) {
        for (String t : keyTypes) {
            if (fits(keys.get(0), t)) {
                return "0";
            }
        }
        return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return select(null, keyType);
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return chooseEngineClientAlias(keyTypes, issuers, null);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return aliases(keyType);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return aliases(keyType);
    }

    private String[] aliases(String keyType) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            if (fits(keys.get(i), keyType)) {
                out.add(Integer.toString(i));
            }
        }
        return out.isEmpty() ? null : out.toArray(String[]::new);
    }

    private TlsKeys byAlias(String alias) {
        try {
            int i = Integer.parseInt(alias);
            return i >= 0 && i < keys.size() ? keys.get(i) : null;
        } catch (NumberFormatException | NullPointerException e) {
            return null;
        }
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        TlsKeys k = byAlias(alias);
        return k == null ? null : k.certificateChain().toArray(X509Certificate[]::new);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        TlsKeys k = byAlias(alias);
        return k == null ? null : k.privateKey();
    }
}
