package dev.pollen.posix;

import java.nio.ByteBuffer;

/**
 * Optional hook between a {@link PosixStreamSocket} and a poller that sends for it behind the
 * writer (completion-based writes: io_uring's {@code IORING_OP_SEND} from a buffer of the
 * poller's, submitted with the loop's next wait, instead of one {@code send(2)} per write); the
 * mirror of {@link ReadAhead}. The poller attaches it with
 * {@link PosixStreamSocket#writeBehind(WriteBehind)}; the socket's writes then copy the bytes
 * into the hook's buffer and report them as written, and every path that writes the descriptor
 * by itself ({@code sendfile}, the splice of a {@code KernelPipe} into the socket, and
 * {@code shutdown(SHUT_WR)}) first lets the queued bytes go. Nothing above the socket layer knows
 * about it.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Accepting.</b> {@link #accept(ByteBuffer)} copies as many of the buffer's remaining
 *       bytes as there is room for, advances its position and returns the count: 0 while the
 *       buffer is full. The poller sends them in the order accepted, resubmitting the rest of a
 *       short send; a buffer is bounded, so a peer that does not read stalls the writer (writes
 *       accept 0) instead of growing memory.</li>
 *   <li><b>Writability.</b> While bytes are queued, the poller reports WRITE readiness from the
 *       sends' completions (when one freed room), not from a poll of the descriptor: a
 *       descriptor the kernel calls writable may still have a full buffer behind it. With
 *       nothing queued, WRITE is polled as usual.</li>
 *   <li><b>Errors.</b> A send that fails (EPIPE, ECONNRESET) drops the bytes still queued and
 *       stashes its errno; the next write (or a read that finds nothing) throws it
 *       ({@link #takeFailure()}, handed over once), and the poller reports readiness so the
 *       writer gets there.</li>
 *   <li><b>Order with direct writes.</b> {@link #queued()} says bytes are queued or in flight:
 *       the socket then refuses (0, "not writable now") a {@code sendfile} or splice into it, so
 *       they never overtake queued bytes, and defers {@code shutdown(SHUT_WR)}
 *       ({@link #shutdownAfter()}) until the last queued byte was sent.</li>
 *   <li><b>Large writes go straight out.</b> A write of at least {@link #directFrom()} bytes
 *       while nothing is queued or in flight is written by the socket itself ({@code send(2)}),
 *       not copied: a large write amortizes its system call, and copying it would grow the
 *       queue's buffer (memory touched per connection) for nothing. Order is kept, as nothing
 *       is queued; what {@code send(2)} did not take is the writer's to retry, as without the
 *       hook.</li>
 *   <li><b>Closing.</b> The poller is told before the descriptor is closed (its
 *       {@link FdCloseHook}); queued bytes are still sent, in order, then the socket's end is
 *       closed, as a {@code close(2)} after {@code send(2)} would: what the kernel takes at the
 *       close is its own, and what it does not is sent by the poller for a bounded time only,
 *       after which the peer gets a reset (the poller documents the bound). An abortive close,
 *       {@code SO_LINGER} 0, drops them. The memory is never freed while a send reads it.</li>
 * </ul>
 *
 * <p><b>Threading:</b> loop thread only (the loop of the socket's poller), like the socket.
 */
public interface WriteBehind {

    /**
     * Copies what fits of {@code src}'s remaining bytes into the send buffer and queues them.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param src the bytes (heap or direct); its position advances by the count
     * @return bytes accepted, 0 while the buffer is full
     */
    int accept(ByteBuffer src);

    /**
     * The errno of a failed send, or 0; handed over once (the socket throws it).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the error number, as Linux numbers it, or 0
     */
    int takeFailure();

    /**
     * Whether bytes are queued or a send is in flight.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true while a direct write of the descriptor would overtake queued bytes
     */
    boolean queued();

    /**
     * The writer half-closes while bytes are queued: {@code shutdown(SHUT_WR)} once they are
     * sent (the poller calls it).
     *
     * <p><b>Threading:</b> loop thread only.
     */
    void shutdownAfter();

    /**
     * The size from which a write made while nothing is queued or in flight skips the queue and
     * is written with {@code send(2)} by the socket (see the class contract).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return bytes; {@link Integer#MAX_VALUE} never to write directly
     */
    default int directFrom() {
        return Integer.MAX_VALUE;
    }
}
