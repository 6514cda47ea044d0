package dev.pollen.net;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.ExceptionContext;
import dev.pollen.loop.Future;
import dev.pollen.loop.Task;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The protocol behind a stream connection (asyncio's {@code StreamReaderProtocol} with its
 * {@code FlowControlMixin}): feeds the {@link StreamReader}, tracks write flow control for
 * {@link StreamWriter#drain()}, and for servers starts the {@link ClientConnected} task.
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class StreamProtocol implements Protocol {

    private final EventLoop loop;
    private final StreamReader reader;
    private final ClientConnected handler;
    private Transport transport;
    private StreamWriter writer;
    private boolean paused;
    private boolean lost;
    private Throwable lostCause;
    private List<Future<Void>> drainWaiters;
    private List<Future<Void>> closeWaiters;

    StreamProtocol(EventLoop loop, StreamReader reader, ClientConnected handler) {
        this.loop = loop;
        this.reader = reader;
        this.handler = handler;
    }

    StreamWriter writer() {
        return writer;
    }

    @Override
    public void connectionMade(Transport t) {
        transport = t;
        reader.setTransport(t);
        writer = new StreamWriter(t, this, reader);
        if (handler != null) {
            StreamReader r = reader;
            StreamWriter w = writer;
            Task<Void> task = loop.createTask("stream-client-" + Addresses.format(t.peerAddress()),
                    () -> {
                        handler.handle(r, w);
                        return null;
                    });
            task.addDoneCallback(f -> {
                if (f.isCancelled()) {
                    return;
                }
                Throwable e = f.exception();
                if (e != null) {
                    loop.callExceptionHandler(new ExceptionContext(
                            "Unhandled exception in client_connected_cb", e, t));
                    t.close();
                }
            });
        }
    }

    /** {@link StreamWriter#startTls}: the TLS transport replaces the raw one for both halves. */
    void replaceTransport(Transport t) {
        transport = t;
        writer.replaceTransport(t);
        reader.replaceTransport(t);
    }

    @Override
    public void dataReceived(ByteBuffer data) {
        reader.feedData(data);
    }

    @Override
    public boolean eofReceived() {
        reader.feedEof();
        return true; // keep the transport open: the writer may still send, the user closes it
    }

    @Override
    public void connectionLost(Throwable cause) {
        lost = true;
        lostCause = cause;
        if (cause == null) {
            reader.feedEof();
        } else {
            reader.setException(cause);
        }
        wakeAll(drainWaiters);
        drainWaiters = null;
        wakeAll(closeWaiters);
        closeWaiters = null;
    }

    @Override
    public void pauseWriting() {
        paused = true;
    }

    @Override
    public void resumeWriting() {
        paused = false;
        List<Future<Void>> w = drainWaiters;
        drainWaiters = null;
        wakeAll(w);
    }

    private static void wakeAll(List<Future<Void>> waiters) {
        if (waiters != null) {
            for (Future<Void> f : waiters) {
                if (!f.isDone()) {
                    f.setResult(null);
                }
            }
        }
    }

    /** Waits while writing is paused (asyncio's {@code _drain_helper}). */
    void drainHelper() throws SocketException {
        if (lost) {
            throw connectionLost();
        }
        if (!paused) {
            return;
        }
        Future<Void> w = loop.createFuture();
        if (drainWaiters == null) {
            drainWaiters = new ArrayList<>(2);
        }
        drainWaiters.add(w);
        try {
            w.await();
        } finally {
            if (drainWaiters != null) {
                drainWaiters.remove(w);
            }
        }
        if (lost) {
            throw connectionLost();
        }
    }

    private SocketException connectionLost() {
        SocketException e = new SocketException("Connection lost");
        if (lostCause != null) {
            e.initCause(lostCause);
        }
        return e;
    }

    /** Waits until {@code connectionLost}; returns its cause (null when clean). */
    Throwable awaitClosed() {
        if (!lost) {
            Future<Void> w = loop.createFuture();
            if (closeWaiters == null) {
                closeWaiters = new ArrayList<>(1);
            }
            closeWaiters.add(w);
            w.await();
        }
        return lostCause;
    }

    boolean isLost() {
        return lost;
    }
}
