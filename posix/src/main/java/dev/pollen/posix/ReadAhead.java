package dev.pollen.posix;

import java.nio.ByteBuffer;

/**
 * Optional hook between a {@link PosixStreamSocket} and a poller that receives for it ahead of
 * the reader (completion-based reads: io_uring's {@code IORING_OP_RECV} into a buffer of the
 * poller's, instead of a readiness poll followed by {@code read(2)}). The poller attaches it
 * with {@link PosixStreamSocket#readAhead(ReadAhead)}; every path that takes bytes from the
 * socket's descriptor asks it first, so the bytes, the end of stream and the error the kernel
 * gave the poller reach the reader in the order the kernel gave them, exactly as a
 * {@code recv(2)} would have: {@link PosixStreamSocket#read}, and the splice of a
 * {@code KernelPipe} from the socket (its {@code spliceIn}, under
 * {@link dev.pollen.spi.AbstractSplicePipe#fill()}). Nothing above the socket layer knows about
 * it.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>{@link #stashed()}</b> says what the next read gets: stashed bytes (more than 0:
 *       {@link #bytes()} holds them), {@link #END} (the peer's end of stream; it stays stashed,
 *       as a socket at end of stream keeps answering it), {@link #FAILED} (an error;
 *       {@link #takeFailure()} hands it over once), {@link #PENDING} (nothing yet, but a receive
 *       is in flight in the kernel: the reader gets 0, and the poller reports READ readiness when
 *       the receive completes), or {@link #DIRECT} (nothing stashed, nothing in flight: the
 *       socket reads its descriptor itself). While anything but {@link #DIRECT} is answered the
 *       socket must not read its descriptor: bytes a receive in flight takes later would come
 *       after bytes read now, but belong before them.</li>
 *   <li><b>Consuming.</b> A reader copies at most {@link #stashed()} bytes out of
 *       {@link #bytes()} and calls {@link #consume(int)} with the count. When the stash runs
 *       empty, the poller arms the next receive before its next wait (while READ is in the
 *       interest); until then the hook answers {@link #DIRECT}, and a read in between reads the
 *       descriptor itself, which keeps the order since nothing is in flight.</li>
 *   <li><b>Direct reads are reported.</b> A read the socket made from its descriptor itself
 *       (when {@link #stashed()} answered {@link #DIRECT}) is told to the hook with its result
 *       ({@link #readDirectly(int)}), so that the poller can leave bulk streams to direct reads
 *       (no copy through its buffer) and go back to receiving ahead when messages are small.</li>
 *   <li><b>Level-triggered.</b> The poller reports READ readiness while something is stashed
 *       and READ is in the interest, without waiting on the kernel: bytes a handler left are
 *       reported again by the next poll, as with a readiness poller.</li>
 *   <li><b>Splicing</b> ({@link #stop()}): a socket whose bytes are about to move through a
 *       kernel pipe stops the read-ahead (when its splice pipe object is opened, before any kernel
 *       pipe is reserved); a receive in flight is cancelled (what it already received is
 *       stashed, not lost), and each fill of a reserved kernel pipe takes the stashed bytes
 *       first (with {@code write(2)} into the pipe), then splices from the descriptor once
 *       {@link #stashed()} answers {@link #DIRECT}. A pipe that carries stashed bytes counts
 *       them, so it is not released while they are in it.</li>
 *   <li><b>Memory.</b> {@link #bytes()} is the poller's native memory, valid until the next call
 *       on this object; the poller frees it only when no receive into it is in flight any more
 *       (a cancelled receive frees it on its completion), so the kernel never writes freed
 *       memory.</li>
 * </ul>
 *
 * <p><b>Threading:</b> loop thread only (the loop of the socket's poller), like the socket.
 */
public interface ReadAhead {

    /** {@link #stashed()}: nothing stashed and a receive in flight; a read returns 0. */
    int PENDING = 0;
    /** {@link #stashed()}: the peer's end of stream is stashed; a read returns -1. */
    int END = -1;
    /** {@link #stashed()}: nothing stashed, nothing in flight; read the descriptor itself. */
    int DIRECT = -2;
    /** {@link #stashed()}: an error is stashed; {@link #takeFailure()} gives it. */
    int FAILED = -3;

    /**
     * What the next read gets (see the class contract).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the stashed byte count (more than 0), {@link #PENDING}, {@link #END},
     *         {@link #DIRECT} or {@link #FAILED}
     */
    int stashed();

    /**
     * The stashed bytes, between the buffer's position and limit (a direct buffer owned by the
     * hook: do not keep it, do not move its position; call {@link #consume(int)}).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the stash, valid until the next call on this hook
     */
    ByteBuffer bytes();

    /**
     * The reader took the first {@code n} stashed bytes.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param n 1 to {@link #stashed()}
     */
    void consume(int n);

    /**
     * Takes the stashed error (after {@link #stashed()} answered {@link #FAILED}); the socket
     * throws it as its read would have. It is handed over once, as the kernel does.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the error number, as Linux numbers it
     */
    int takeFailure();

    /**
     * Stops reading ahead for good: the socket is about to be spliced. A receive in flight is
     * cancelled; what is stashed (and what the cancelled receive still brings) stays to be taken
     * first; afterwards {@link #stashed()} answers {@link #DIRECT} and the poller reports
     * readiness from the kernel.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    void stop();

    /**
     * The socket read its descriptor itself, as {@link #stashed()} answered {@link #DIRECT}.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param result what the read returned: bytes read, 0 when none were waiting (a reader that
     *               reads until nothing is left ends with one), -1 at end of stream
     */
    default void readDirectly(int result) {
    }
}
