package dev.pollen.net;

import java.nio.ByteBuffer;

/**
 * The two direct buffers a loop's TLS connections share, as its plain connections share the read
 * buffer: {@code netOut} receives what the engine encrypts, before it goes to the raw transport;
 * {@code appIn} receives what it decrypts, before it goes to the protocol. Each is lent to one
 * connection for one encrypt or decrypt pass, then handed back; a pass never calls user code
 * while it holds {@code netOut}, and {@code appIn} is handed to {@code dataReceived} (valid only
 * during the call, as every received buffer). A second borrower while one is out (TLS inside TLS:
 * the inner layer's records are the outer layer's plaintext) gets its own buffer.
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class TlsBuffers {

    ByteBuffer netOut;
    ByteBuffer appIn;
    boolean netOutLent;
    boolean appInLent;

    static TlsBuffers of(NetLoopState net) {
        TlsBuffers b = net.tls;
        if (b == null) {
            b = new TlsBuffers();
            net.tls = b;
        }
        return b;
    }

    /** A cleared buffer of at least {@code size} bytes, or null if the shared one is lent. */
    ByteBuffer borrowNetOut(int size) {
        if (netOutLent) {
            return null;
        }
        if (netOut == null || netOut.capacity() < size) {
            netOut = ByteBuffer.allocateDirect(size);
        }
        netOutLent = true;
        return netOut.clear();
    }

    void returnNetOut(ByteBuffer b) {
        if (b == netOut) {
            netOutLent = false;
        }
    }

    ByteBuffer borrowAppIn(int size) {
        if (appInLent) {
            return null;
        }
        if (appIn == null || appIn.capacity() < size) {
            appIn = ByteBuffer.allocateDirect(size);
        }
        appInLent = true;
        return appIn.clear();
    }

    void returnAppIn(ByteBuffer b) {
        if (b == appIn) {
            appInLent = false;
        }
    }
}
