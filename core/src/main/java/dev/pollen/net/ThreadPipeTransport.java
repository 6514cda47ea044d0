package dev.pollen.net;

import dev.pollen.loop.EventLoop;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;

/**
 * One end of a child process's pipe reached through the JDK's blocking streams (the fallback
 * of {@link Subprocess} where the poller cannot watch the pipe itself): a platform thread per
 * pipe does the blocking reads or writes and hands every event to the loop with
 * {@link EventLoop#callSoonThreadsafe}. Reading holds at most one chunk in flight, so
 * {@link #pauseReading()} stops the thread before its next read (flow control, as a socket
 * transport's); writes are queued, counted against the water marks, and written by the thread.
 *
 * <p>A read end ({@code in} given) or a write end ({@code out} given), never both.
 *
 * <p><b>Threading:</b> loop thread only, like every {@link Transport}; the pipe's own thread
 * touches only the stream, the queue and the semaphore.
 */
final class ThreadPipeTransport implements Transport {

    private static final int CHUNK = 64 * 1024;
    private static final byte[] EOF = new byte[0];

    private final EventLoop loop;
    private final InputStream in;
    private final OutputStream out;
    private final String name;
    private Protocol protocol;
    private Thread thread;

    // reading
    private final Semaphore credit = new Semaphore(0);
    private boolean readingPaused;
    private boolean creditOwed;

    // writing
    private final LinkedBlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
    private long buffered;
    private int high = NetOptions.DEFAULT_HIGH_WATER;
    private int low = NetOptions.DEFAULT_LOW_WATER;
    private boolean writingPaused;

    private boolean closing;
    private boolean lost;
    private String closedBy;

    ThreadPipeTransport(EventLoop loop, InputStream in, OutputStream out, String name) {
        this.loop = loop;
        this.in = in;
        this.out = out;
        this.name = name;
    }

    /** Attaches the protocol, calls {@code connectionMade} and starts the pipe's thread. */
    void start(Protocol p) {
        protocol = Objects.requireNonNull(p, "protocol");
        p.connectionMade(this);
        thread = Thread.ofPlatform().daemon().name("pollen-" + name)
                .unstarted(in != null ? this::readLoop : this::writeLoop);
        if (in != null) {
            credit.release();
        }
        thread.start();
    }

    // ------------------------------------------------------------------ the pipe's thread

    private void readLoop() {
        byte[] buf = new byte[CHUNK];
        try {
            while (true) {
                credit.acquire();
                int n = in.read(buf);
                if (n < 0) {
                    post(this::eof);
                    return;
                }
                byte[] chunk = Arrays.copyOf(buf, n);
                post(() -> deliver(chunk));
            }
        } catch (InterruptedException e) {
            // closed
        } catch (IOException e) {
            post(() -> fail(e));
        } finally {
            closeQuietly();
        }
    }

    private void writeLoop() {
        try {
            while (true) {
                byte[] chunk = queue.take();
                if (chunk == EOF) {
                    out.close();
                    post(() -> lose(null));
                    return;
                }
                out.write(chunk);
                out.flush();
                post(() -> written(chunk.length));
            }
        } catch (InterruptedException e) {
            // aborted
        } catch (IOException e) {
            post(() -> fail(e));
        } finally {
            closeQuietly();
        }
    }

    private void post(Runnable r) {
        try {
            loop.callSoonThreadsafe(r);
        } catch (IllegalStateException closedLoop) {
            // the loop is gone: nobody is left to tell
        }
    }

    private void closeQuietly() {
        try {
            if (in != null) {
                in.close();
            } else {
                out.close();
            }
        } catch (IOException ignored) {
            // the pipe is done either way
        }
    }

    // ------------------------------------------------------------------ loop-thread events

    private void deliver(byte[] chunk) {
        if (lost || closing) {
            return;
        }
        protocol.dataReceived(ByteBuffer.wrap(chunk));
        if (readingPaused) {
            creditOwed = true;
        } else {
            credit.release();
        }
    }

    private void eof() {
        if (lost) {
            return;
        }
        protocol.eofReceived();
        lose(null);
    }

    private void written(int n) {
        buffered -= n;
        if (writingPaused && buffered <= low) {
            writingPaused = false;
            protocol.resumeWriting();
        }
    }

    private void fail(IOException e) {
        if (lost) {
            return;
        }
        queue.clear();
        buffered = 0;
        lose(e);
    }

    private void lose(Throwable cause) {
        if (lost) {
            return;
        }
        lost = true;
        closing = true;
        protocol.connectionLost(cause);
    }

    // ------------------------------------------------------------------ Transport

    @Override
    public void write(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        checkWritable("write");
        if (lost || !data.hasRemaining()) {
            data.position(data.limit());
            return;
        }
        byte[] b = new byte[data.remaining()];
        data.get(b);
        buffered += b.length;
        queue.add(b);
        if (!writingPaused && buffered > high) {
            writingPaused = true;
            protocol.pauseWriting();
        }
    }

    @Override
    public void write(ByteBuffer... data) {
        AbstractTransport.requireBuffers(data);
        for (ByteBuffer b : data) {
            write(b);
        }
    }

    private void checkWritable(String method) {
        loop.checkThread("Transport." + method);
        if (out == null) {
            throw new UnsupportedOperationException("Transport." + method + ": " + name
                    + " is the read end of a pipe");
        }
        if (closing && !lost) {
            throw new IllegalStateException("Transport." + method + ": the pipe is closing ("
                    + closedBy + " was called)");
        }
        if (closing && closedBy != null) {
            throw new IllegalStateException("Transport." + method + ": the pipe is closed ("
                    + closedBy + " was called)");
        }
    }

    @Override
    public void writeEof() {
        close();
    }

    @Override
    public boolean canWriteEof() {
        return out != null;
    }

    @Override
    public void close() {
        loop.checkThread("Transport.close");
        if (closing) {
            return;
        }
        closing = true;
        closedBy = "close()";
        if (out != null) {
            queue.add(EOF); // the thread closes the pipe after what is queued
        } else {
            thread.interrupt();
            closeQuietly();
            loop.callSoon(() -> lose(null));
        }
    }

    /**
     * The child has exited: a write end closes (after what is queued, which then fails with a
     * broken pipe), as a pipe transport whose reader went away.
     */
    void childExited() {
        if (out != null && !closing) {
            closing = true;
            queue.add(EOF);
        }
    }

    @Override
    public void abort() {
        loop.checkThread("Transport.abort");
        if (lost) {
            return;
        }
        closing = true;
        closedBy = "abort()";
        queue.clear();
        buffered = 0;
        thread.interrupt();
        closeQuietly();
        loop.callSoon(() -> lose(null));
    }

    @Override
    public boolean isClosing() {
        return closing;
    }

    /** Pipes have no idle timeout: a child may be silent for as long as it likes. */
    @Override
    public void setIdleTimeout(Duration timeout) {
        throw new UnsupportedOperationException("a subprocess pipe has no idle timeout");
    }

    @Override
    public Duration idleTimeout() {
        return null;
    }

    @Override
    public void pauseReading() {
        loop.checkThread("Transport.pauseReading");
        readingPaused = true;
    }

    @Override
    public void resumeReading() {
        loop.checkThread("Transport.resumeReading");
        readingPaused = false;
        if (creditOwed) {
            creditOwed = false;
            credit.release();
        }
    }

    @Override
    public boolean isReading() {
        return in != null && !readingPaused && !closing;
    }

    @Override
    public void setWriteBufferLimits(int high, int low) {
        WaterMarks.check(high, low);
        this.high = high;
        this.low = low;
    }

    @Override
    public int writeBufferHighWater() {
        return high;
    }

    @Override
    public int writeBufferLowWater() {
        return low;
    }

    @Override
    public long writeBufferSize() {
        return buffered;
    }

    @Override
    public SocketAddress localAddress() {
        return null;
    }

    @Override
    public SocketAddress peerAddress() {
        return null;
    }

    @Override
    public Protocol getProtocol() {
        return protocol;
    }

    @Override
    public void setProtocol(Protocol protocol) {
        this.protocol = Objects.requireNonNull(protocol, "protocol");
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public String toString() {
        return "ThreadPipeTransport[" + name + (lost ? ", closed" : closing ? ", closing" : "")
                + "]";
    }
}
