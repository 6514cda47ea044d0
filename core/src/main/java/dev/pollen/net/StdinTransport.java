package dev.pollen.net;

import dev.pollen.loop.EventLoop;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * The transport a child's stdin {@link StreamWriter} writes to: the pipe's transport, except
 * that {@link #writeEof()} closes it (after what is buffered), as asyncio's pipe transport does:
 * a pipe has no half-close, its end-of-file is its close.
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class StdinTransport implements Transport {

    private final Transport raw;

    StdinTransport(Transport raw) {
        this.raw = raw;
    }

    @Override
    public void writeEof() {
        raw.close();
    }

    @Override
    public boolean canWriteEof() {
        return true;
    }

    @Override
    public void write(ByteBuffer data) {
        raw.write(data);
    }

    @Override
    public void write(ByteBuffer... data) {
        raw.write(data);
    }

    @Override
    public void close() {
        raw.close();
    }

    @Override
    public void abort() {
        raw.abort();
    }

    @Override
    public boolean isClosing() {
        return raw.isClosing();
    }

    @Override
    public void setIdleTimeout(Duration timeout) {
        raw.setIdleTimeout(timeout);
    }

    @Override
    public Duration idleTimeout() {
        return raw.idleTimeout();
    }

    @Override
    public void pauseReading() {
        raw.pauseReading();
    }

    @Override
    public void resumeReading() {
        raw.resumeReading();
    }

    @Override
    public boolean isReading() {
        return raw.isReading();
    }

    @Override
    public void setWriteBufferLimits(int high, int low) {
        raw.setWriteBufferLimits(high, low);
    }

    @Override
    public int writeBufferHighWater() {
        return raw.writeBufferHighWater();
    }

    @Override
    public int writeBufferLowWater() {
        return raw.writeBufferLowWater();
    }

    @Override
    public long writeBufferSize() {
        return raw.writeBufferSize();
    }

    @Override
    public SocketAddress localAddress() {
        return raw.localAddress();
    }

    @Override
    public SocketAddress peerAddress() {
        return raw.peerAddress();
    }

    @Override
    public Protocol getProtocol() {
        return raw.getProtocol();
    }

    @Override
    public void setProtocol(Protocol protocol) {
        raw.setProtocol(protocol);
    }

    @Override
    public EventLoop loop() {
        return raw.loop();
    }

    @Override
    public String toString() {
        return raw.toString();
    }
}
