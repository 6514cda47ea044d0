package dev.pollen.net;

import dev.pollen.spi.SplicePipe;

/**
 * One direction of a splicing {@link Pipe}: the bytes arriving on {@link #from} go through a
 * kernel {@link SplicePipe} into {@link #to}, never into Java memory. The source transport reads
 * by {@link SplicePipe#fill()} instead of into the loop's read buffer
 * ({@code StreamTransport.spliceReady}); the destination treats the pipe as the tail of its write
 * queue and drains it once the queue is empty ({@code StreamTransport.drainSplice}), so bytes
 * queued before the splice started (a protocol's leftovers) go first. While the pipe holds bytes
 * the destination could not take, the source does not read: a direction holds at most the
 * pipe's capacity, in the kernel. The destination owns the pipe: it closes it when its socket
 * closes. Nothing but the pipe writes to the destination once the flow runs (the {@link Pipe}'s
 * protocols see no data in this mode), so a write queued behind pipe bytes cannot overtake them.
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class SpliceFlow {

    /** System property: {@code false} makes every {@link Pipe} copy (for comparison). */
    static final String PROPERTY = "pollen.pipe.splice";

    final StreamTransport from;
    final StreamTransport to;
    final SplicePipe pipe;
    /** Bytes spliced out of {@link #from} so far. */
    long moved;
    private boolean closed;

    private SpliceFlow(StreamTransport from, StreamTransport to, SplicePipe pipe) {
        this.from = from;
        this.to = to;
        this.pipe = pipe;
    }

    /**
     * Switches {@code a} and {@code b} to splicing in both directions, or leaves both copying
     * (returns null) when either direction cannot have a kernel pipe: splicing is off, a
     * transport is not a plain stream transport (TLS, subprocess pipes), or the backend has no
     * pipe for it now (see {@link dev.pollen.spi.StreamSocket#openSplice}).
     *
     * @return the two flows, a-to-b first, or null
     */
    static SpliceFlow[] start(Transport a, Transport b) {
        if ("false".equalsIgnoreCase(System.getProperty(PROPERTY))
                || !(a instanceof StreamTransport sa) || !(b instanceof StreamTransport sb)
                || sa.hasSplice() || sb.hasSplice()) {
            return null;
        }
        SplicePipe ab = sa.socket().openSplice(sb.socket());
        if (ab == null) {
            return null;
        }
        SplicePipe ba = sb.socket().openSplice(sa.socket());
        if (ba == null) {
            ab.close();
            return null;
        }
        SpliceFlow fab = new SpliceFlow(sa, sb, ab);
        SpliceFlow fba = new SpliceFlow(sb, sa, ba);
        sa.startSplice(fab, fba);
        sb.startSplice(fba, fab);
        return new SpliceFlow[] {fab, fba};
    }

    /** Whether the source must not read now: the pipe holds bytes, or it is gone. */
    boolean blocked() {
        return closed || pipe.buffered() > 0;
    }

    /** Bytes in the pipe. */
    int buffered() {
        return closed ? 0 : pipe.buffered();
    }

    /** Releases the pipe (the destination's socket closed). Idempotent. */
    void close() {
        if (!closed) {
            closed = true;
            pipe.close();
        }
    }
}
