package dev.pollen.examples;

import dev.pollen.net.Protocol;
import dev.pollen.net.Transport;
import java.nio.ByteBuffer;

/**
 * Echoes every byte back. The received buffer goes straight to {@link Transport#write}, which
 * sends what the kernel takes and copies only the rest: no allocation per message. If the peer
 * stops reading, reading from it pauses at the write buffer's high-water mark, so an echo
 * connection never buffers without bound.
 *
 * <p><b>Threading:</b> called on its connection's loop thread.
 */
public final class EchoProtocol implements Protocol {

    private Transport transport;

    @Override
    public void connectionMade(Transport transport) {
        this.transport = transport;
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        transport.write(data);
    }

    @Override
    public void pauseWriting() {
        transport.pauseReading();
    }

    @Override
    public void resumeWriting() {
        transport.resumeReading();
    }
}
