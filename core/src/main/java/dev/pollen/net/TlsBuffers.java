package dev.pollen.net;

import java.nio.ByteBuffer;

/**
 * The direct buffers a loop's TLS connections share, as its plain connections share the read
 * buffer: {@code netOut} receives what the engine encrypts, before it goes to the raw transport;
 * {@code appIn} receives what it decrypts, before it goes to the protocol; {@code gather}
 * collects the small buffers of a gathering write into one record. Each is lent to one
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
    /** Where the small buffers of a gathering write are copied together (one record). */
    ByteBuffer gather;
    boolean netOutLent;
    boolean appInLent;
    boolean gatherLent;

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

    /** A cleared gather buffer of {@code size} bytes, or null if it is lent. */
    ByteBuffer borrowGather(int size) {
        if (gatherLent) {
            return null;
        }
        if (gather == null) {
            gather = ByteBuffer.allocateDirect(size);
        }
        gatherLent = true;
        return gather.clear();
    }

    void returnGather(ByteBuffer b) {
        if (b == gather) {
            gatherLent = false;
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
