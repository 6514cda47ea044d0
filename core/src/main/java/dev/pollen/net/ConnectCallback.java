package dev.pollen.net;

import java.io.IOException;

/** What a {@link StreamTransport} in its connecting phase reports to its {@link Connector}. */
interface ConnectCallback {

    /** The connect completed; the transport waits for {@link StreamTransport#start}. */
    void connected(StreamTransport transport);

    /** The connect failed; the transport's socket is already closed. */
    void connectFailed(StreamTransport transport, IOException error);
}
