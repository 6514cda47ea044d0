package dev.pollen.net;

import dev.pollen.spi.SplicePipe;

/**
 * One direction of a {@link Pipe} that may splice: the bytes arriving on {@link #from} go, once
 * the direction carries bulk traffic, through a kernel {@link SplicePipe} into {@link #to} and
 * never into Java memory.
 *
 * <p><b>Lazy.</b> A direction starts copying (the transport's ordinary read path). A read that
 * fills the loop's whole 64 KiB read buffer says more was waiting: the traffic is bulk, and the
 * direction switches to splicing for the rest of its life ({@link #bulk}). Small
 * request/response traffic (an HTTP keep-alive connection, redis) never fills a read and never
 * splices; its connections hold no pipe. Even a splicing direction holds a kernel pipe only
 * while it moves bytes: it is {@link SplicePipe#reserve() reserved} when the source is ready to
 * read and {@link SplicePipe#release() released} as soon as it is empty again (the backend pools
 * released pipes), so an idle connection holds none. When no pipe can be had (the backend's cap,
 * descriptors running out) that readiness is served by copying; an unreserved pipe holds
 * nothing, so the copied bytes cannot overtake spliced ones.
 *
 * <p><b>Order and flow control.</b> The source transport reads by {@link SplicePipe#fill()}
 * instead of into the loop's read buffer ({@code StreamTransport.spliceReady}); the destination
 * treats the pipe as the tail of its write queue and drains it only once the queue is empty
 * ({@code StreamTransport.drainSplice}), so bytes copied before the switch (and a protocol's
 * leftovers) go first. While the pipe holds bytes the destination could not take, the source
 * does not read: a direction holds at most the pipe's capacity, in the kernel. The destination
 * owns the pipe: it closes it when its socket closes. Nothing but the pipe writes to the
 * destination while the pipe holds bytes (the {@link Pipe}'s protocols see no data for them).
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
    /** The traffic proved bulk (a read filled the read buffer): splice from now on. */
    boolean bulk;
    /** A kernel pipe is held now. */
    private boolean held;
    private boolean closed;

    private SpliceFlow(StreamTransport from, StreamTransport to, SplicePipe pipe) {
        this.from = from;
        this.to = to;
        this.pipe = pipe;
    }

    /**
     * Gives {@code a} and {@code b} a lazy splice flow in each direction (both copy until their
     * traffic proves bulk), or leaves both copying for good (returns null) when the pair can never
     * splice: splicing is off, a transport is not a plain stream transport (TLS, subprocess
     * pipes), or the backend has no splice path for them (see
     * {@link dev.pollen.spi.StreamSocket#openSplice}). No kernel pipe is taken here.
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

    /**
     * Makes sure a kernel pipe is held before a fill.
     *
     * @return false if none can be had now (copy this time) or the destination is gone
     */
    boolean reserve() {
        if (!held && !closed) {
            held = pipe.reserve();
        }
        return held;
    }

    /** Gives the kernel pipe back if it is empty (the direction is idle until the next fill). */
    void releaseIfEmpty() {
        if (held && pipe.buffered() == 0) {
            held = false;
            pipe.release();
        }
    }

    /** Whether the source must not read now: the pipe holds bytes the destination refused. */
    boolean blocked() {
        return held && pipe.buffered() > 0;
    }

    /** Bytes in the pipe. */
    int buffered() {
        return held ? pipe.buffered() : 0;
    }

    /** Releases the pipe for good (the destination's socket closed). Idempotent. */
    void close() {
        if (!closed) {
            closed = true;
            held = false;
            pipe.close();
        }
    }
}
