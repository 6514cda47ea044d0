package dev.pollen.net;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.FileChannel;

/**
 * {@link Net#sendfile}'s zero-copy path (asyncio's {@code _sendfile_native} and
 * {@code sock_sendfile}): the socket's {@link StreamSocket.FileSender} moves the file's bytes in
 * the kernel while the transport has handed its writability over.
 *
 * <p>The hand-over, as asyncio does it: reading is paused; from the start, writes to the
 * transport are refused (an {@link IllegalStateException}, asyncio's {@code RuntimeError}); what
 * the transport had buffered is flushed first; then each WRITE readiness of the socket runs the
 * kernel copy until the send buffer is full again (at most {@link #CALLS_PER_EVENT} calls, so
 * one fast connection does not hold the loop). When it ends — all sent, end of file, failure or
 * cancellation of the future — the transport takes its writability back, reading resumes if it
 * was on, and the file's position is just past the bytes sent. A lost connection (a send that
 * fails, or close/abort meanwhile) fails the future with a {@link SocketException} that says how
 * many bytes were sent; the user's protocol hears {@code connectionLost} as usual.
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class ZeroCopySendfile {

    /** Kernel calls per WRITE readiness event while each one sends something. */
    static final int CALLS_PER_EVENT = 4;
    /** The most one call is asked for (Linux sends at most 0x7ffff000 bytes per call anyway). */
    static final long MAX_PER_CALL = 1L << 30;

    private final EventLoop loop;
    private final StreamTransport transport;
    private final NetLoopState net;
    private final StreamSocket.FileSender sender;
    private final FileChannel file;
    private final long offset;
    private final long count;
    private final boolean wasReading;
    private final Future<Long> future;
    private long sent;
    private boolean finished;

    private ZeroCopySendfile(StreamTransport transport, NetLoopState net,
            StreamSocket.FileSender sender, FileChannel file, long offset, long count) {
        this.loop = transport.loop();
        this.transport = transport;
        this.net = net;
        this.sender = sender;
        this.file = file;
        this.offset = offset;
        this.count = count;
        this.wasReading = transport.isReading();
        this.future = loop.createFuture();
    }

    /**
     * Starts the transfer on {@code transport}, which must have no sendfile running.
     *
     * @return the future of the bytes sent
     */
    static Future<Long> start(StreamTransport transport, NetLoopState net,
            StreamSocket.FileSender sender, FileChannel file, long offset, long count) {
        ZeroCopySendfile z = new ZeroCopySendfile(transport, net, sender, file, offset, count);
        net.sendfileZeroCopyRuns++;
        transport.pauseReading();
        transport.sendfileAttach(z);
        z.future.addDoneCallback(f -> {
            if (f.isCancelled()) {
                z.finish(null);
            }
        });
        return z.future;
    }

    /** The socket is writable and the transport's buffer is empty: run the kernel copy. */
    void writable() {
        if (future.isDone()) {
            finish(null); // cancelled; its done callback has not run yet
            return;
        }
        for (int i = 0; i < CALLS_PER_EVENT && !finished; i++) {
            long want = count < 0 ? MAX_PER_CALL : Math.min(MAX_PER_CALL, count - sent);
            if (want == 0) {
                finish(null);
                return;
            }
            long n;
            try {
                n = sender.send(offset + sent, want);
            } catch (IOException e) {
                // The transport closes and reports the failure; transportLost fails the future.
                transport.sendfileFailed(e);
                return;
            }
            net.sendfileKernelCalls++;
            if (n < 0) {
                finish(null); // end of file
                return;
            }
            if (n == 0) {
                net.sendfileWouldBlock++;
                return; // send buffer full: the next WRITE readiness calls again
            }
            sent += n;
            net.sendfileKernelBytes += n;
            transport.sendfileProgress();
        }
        if (!finished && count >= 0 && sent == count) {
            finish(null);
        }
    }

    /**
     * The transport closed under the transfer (a failed send, close, abort, an idle timeout);
     * it has already forgotten this transfer.
     *
     * @param cause the failure, or null for a close by the user
     */
    void transportLost(Throwable cause) {
        SocketException e = new SocketException("Connection lost during sendfile after " + sent
                + " bytes" + (cause != null && cause.getMessage() != null
                ? ": " + cause.getMessage() : " (the transport was closed)"));
        if (cause != null) {
            e.initCause(cause);
        }
        finish(e);
    }

    private void finish(Throwable error) {
        if (finished) {
            return;
        }
        finished = true;
        transport.sendfileDetach(this);
        sender.close();
        try {
            file.position(offset + sent);
        } catch (IOException e) {
            if (error == null) {
                error = e; // the file was closed meanwhile: say so rather than lose it
            }
        }
        if (wasReading && !transport.isClosing()) {
            transport.resumeReading();
        }
        if (!future.isDone()) {
            if (error == null) {
                future.setResult(sent);
            } else {
                future.setException(error);
            }
        }
    }

    @Override
    public String toString() {
        return "ZeroCopySendfile[" + sent + " of " + (count < 0 ? "all" : count) + " bytes from "
                + offset + "]";
    }
}
