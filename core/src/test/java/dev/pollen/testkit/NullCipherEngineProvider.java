package dev.pollen.testkit;

import dev.pollen.net.tls.TlsConfig;
import dev.pollen.net.tls.TlsEngineFactory;
import dev.pollen.net.tls.TlsEngineProvider;
import dev.pollen.spi.Availability;
import java.nio.ByteBuffer;
import java.security.Principal;
import java.security.cert.Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;

/**
 * A test engine, {@code "test-null-cipher"}, that frames plaintext in TLS-shaped records without
 * encrypting it, has no handshake, and allocates nothing per call (its results are cached by
 * size). With it, what the TLS layer itself allocates per message can be measured apart from what
 * a real engine allocates. Registered in {@code META-INF/services} of the test class path only.
 *
 * <p><b>Threading:</b> the provider and factory are thread-safe; an engine is used by one loop.
 */
public final class NullCipherEngineProvider implements TlsEngineProvider {

    /** The engine's name. */
    public static final String NAME = "test-null-cipher";
    private static final int MAX = 16 * 1024;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Availability availability() {
        return Availability.available("test engine: records without encryption");
    }

    @Override
    public TlsEngineFactory create(TlsConfig config) {
        return (host, port) -> new Engine(!config.isServer());
    }

    /** Records: type 23 (data) or 21 (close), version 3.3, length, payload as is. */
    static final class Engine extends SSLEngine {
        private final SSLEngineResult[] okCache = new SSLEngineResult[4096];
        private boolean client;
        private boolean inboundDone;
        private boolean outboundDone;
        private boolean closeQueued;

        Engine(boolean client) {
            this.client = client;
        }

        private SSLEngineResult ok(int consumed, int produced) {
            int slot = (consumed * 31 + produced) & (okCache.length - 1);
            SSLEngineResult r = okCache[slot];
            if (r == null || r.bytesConsumed() != consumed || r.bytesProduced() != produced) {
                r = new SSLEngineResult(Status.OK, HandshakeStatus.NOT_HANDSHAKING, consumed,
                        produced);
                okCache[slot] = r;
            }
            return r;
        }

        @Override
        public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) {
            if (outboundDone) {
                return new SSLEngineResult(Status.CLOSED, HandshakeStatus.NOT_HANDSHAKING, 0, 0);
            }
            if (closeQueued) {
                if (dst.remaining() < 5) {
                    return new SSLEngineResult(Status.BUFFER_OVERFLOW,
                            HandshakeStatus.NOT_HANDSHAKING, 0, 0);
                }
                dst.put((byte) 21).put((byte) 3).put((byte) 3).putShort((short) 0);
                outboundDone = true;
                return new SSLEngineResult(Status.CLOSED, HandshakeStatus.NOT_HANDSHAKING, 0, 5);
            }
            long avail = 0;
            for (int i = offset; i < offset + length; i++) {
                avail += srcs[i].remaining();
            }
            int n = (int) Math.min(MAX, avail);
            if (n == 0) {
                return ok(0, 0);
            }
            if (dst.remaining() < n + 5) {
                return new SSLEngineResult(Status.BUFFER_OVERFLOW, HandshakeStatus.NOT_HANDSHAKING,
                        0, 0);
            }
            dst.put((byte) 23).put((byte) 3).put((byte) 3).putShort((short) n);
            int left = n;
            for (int i = offset; i < offset + length && left > 0; i++) {
                ByteBuffer s = srcs[i];
                int k = Math.min(left, s.remaining());
                dst.put(dst.position(), s, s.position(), k);
                dst.position(dst.position() + k);
                s.position(s.position() + k);
                left -= k;
            }
            return ok(n, n + 5);
        }

        @Override
        public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) {
            if (inboundDone) {
                return new SSLEngineResult(Status.CLOSED, HandshakeStatus.NOT_HANDSHAKING, 0, 0);
            }
            if (src.remaining() < 5) {
                return new SSLEngineResult(Status.BUFFER_UNDERFLOW,
                        HandshakeStatus.NOT_HANDSHAKING, 0, 0);
            }
            int p = src.position();
            int type = src.get(p);
            int len = src.getShort(p + 3) & 0xffff;
            if (type == 21) {
                src.position(p + 5);
                inboundDone = true;
                return new SSLEngineResult(Status.CLOSED, HandshakeStatus.NOT_HANDSHAKING, 5, 0);
            }
            if (type != 23 || len > MAX) {
                throw new IllegalArgumentException("not a null-cipher record");
            }
            if (src.remaining() < 5 + len) {
                return new SSLEngineResult(Status.BUFFER_UNDERFLOW,
                        HandshakeStatus.NOT_HANDSHAKING, 0, 0);
            }
            ByteBuffer dst = dsts[offset];
            if (dst.remaining() < len) {
                return new SSLEngineResult(Status.BUFFER_OVERFLOW, HandshakeStatus.NOT_HANDSHAKING,
                        0, 0);
            }
            dst.put(dst.position(), src, p + 5, len);
            dst.position(dst.position() + len);
            src.position(p + 5 + len);
            return ok(len + 5, len);
        }

        @Override
        public Runnable getDelegatedTask() {
            return null;
        }

        @Override
        public void closeInbound() {
            inboundDone = true;
        }

        @Override
        public boolean isInboundDone() {
            return inboundDone;
        }

        @Override
        public void closeOutbound() {
            closeQueued = true;
        }

        @Override
        public boolean isOutboundDone() {
            return outboundDone;
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return new String[] {"NULL"};
        }

        @Override
        public String[] getEnabledCipherSuites() {
            return getSupportedCipherSuites();
        }

        @Override
        public void setEnabledCipherSuites(String[] suites) {
        }

        @Override
        public String[] getSupportedProtocols() {
            return new String[] {"NULL"};
        }

        @Override
        public String[] getEnabledProtocols() {
            return getSupportedProtocols();
        }

        @Override
        public void setEnabledProtocols(String[] protocols) {
        }

        @Override
        public SSLSession getSession() {
            return SESSION;
        }

        @Override
        public void beginHandshake() {
        }

        @Override
        public HandshakeStatus getHandshakeStatus() {
            return HandshakeStatus.NOT_HANDSHAKING;
        }

        @Override
        public void setUseClientMode(boolean mode) {
            client = mode;
        }

        @Override
        public boolean getUseClientMode() {
            return client;
        }

        @Override
        public void setNeedClientAuth(boolean need) {
        }

        @Override
        public boolean getNeedClientAuth() {
            return false;
        }

        @Override
        public void setWantClientAuth(boolean want) {
        }

        @Override
        public boolean getWantClientAuth() {
            return false;
        }

        @Override
        public void setEnableSessionCreation(boolean flag) {
        }

        @Override
        public boolean getEnableSessionCreation() {
            return true;
        }
    }

    /** The one session of every null-cipher engine. */
    private static final SSLSession SESSION = new SSLSession() {
        @Override
        public byte[] getId() {
            return new byte[0];
        }

        @Override
        public SSLSessionContext getSessionContext() {
            return null;
        }

        @Override
        public long getCreationTime() {
            return 0;
        }

        @Override
        public long getLastAccessedTime() {
            return 0;
        }

        @Override
        public void invalidate() {
        }

        @Override
        public boolean isValid() {
            return true;
        }

        @Override
        public void putValue(String name, Object value) {
        }

        @Override
        public Object getValue(String name) {
            return null;
        }

        @Override
        public void removeValue(String name) {
        }

        @Override
        public String[] getValueNames() {
            return new String[0];
        }

        @Override
        public Certificate[] getPeerCertificates() {
            return new Certificate[0];
        }

        @Override
        public Certificate[] getLocalCertificates() {
            return null;
        }

        @Override
        public Principal getPeerPrincipal() {
            return null;
        }

        @Override
        public Principal getLocalPrincipal() {
            return null;
        }

        @Override
        public String getCipherSuite() {
            return "NULL";
        }

        @Override
        public String getProtocol() {
            return "NULL";
        }

        @Override
        public String getPeerHost() {
            return null;
        }

        @Override
        public int getPeerPort() {
            return -1;
        }

        @Override
        public int getPacketBufferSize() {
            return MAX + 5;
        }

        @Override
        public int getApplicationBufferSize() {
            return MAX;
        }
    };
}
