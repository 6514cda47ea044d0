package dev.pollen.net;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.LoopLocal;
import java.nio.ByteBuffer;

/**
 * The networking state one loop shares between all its transports: the reused direct read buffer
 * every read lands in, and the pool of write-buffer chunks. Looked up once per connection (not
 * per read) and kept in a field of the transport.
 *
 * <p>Kept in a {@link LoopLocal}, so it lives and dies with its loop; the state holds no
 * reference back to the loop.
 *
 * <p><b>Threading:</b> {@link #of} is thread-safe; the state itself is loop thread only.
 */
final class NetLoopState {

    /** Size of the shared read buffer: the most one read hands to {@code dataReceived}. */
    static final int READ_BUFFER_SIZE = 64 * 1024;
    /** Size of a write-buffer chunk. */
    static final int CHUNK_SIZE = 16 * 1024;
    /** Chunks a loop keeps for reuse (4 MiB); more are garbage-collected once sent. */
    static final int MAX_RETAINED_CHUNKS = 256;

    private static final LoopLocal<NetLoopState> STATE = LoopLocal.withInitial(NetLoopState::create);

    /** The loop's read buffer; its content is valid only during one {@code dataReceived}. */
    final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_SIZE);
    /** The loop's write-chunk pool. */
    final BufferPool pool = new BufferPool(CHUNK_SIZE, MAX_RETAINED_CHUNKS);
    /** The loop's TLS buffers, made by the first TLS connection. */
    TlsBuffers tls;
    /** {@link Net#sendfile} counters of this loop (see {@link SendfileStats}). */
    long sendfileKernelBytes;
    long sendfileKernelCalls;
    long sendfileWouldBlock;
    long sendfileFallbackBytes;
    long sendfileZeroCopyRuns;
    long sendfileFallbackRuns;
    /** Head of the list of open connections, servers and endpoints (see {@link LoopResource}). */
    private LoopResource head;
    private int liveCount;

    private NetLoopState() {
    }

    static NetLoopState of(EventLoop loop) {
        return STATE.get(loop);
    }

    private static NetLoopState create(EventLoop loop) {
        NetLoopState state = new NetLoopState();
        // Closing the loop closes what is still open.
        loop.addCloseHook(state::closeAll);
        return state;
    }

    /** Adds a resource that owns a descriptor; it stays until {@link #untrack}. */
    void track(LoopResource r) {
        if (r.tracked) {
            return;
        }
        r.tracked = true;
        r.prev = null;
        r.next = head;
        if (head != null) {
            head.prev = r;
        }
        head = r;
        liveCount++;
    }

    /** Removes a resource whose descriptor is closed. Idempotent. */
    void untrack(LoopResource r) {
        if (!r.tracked) {
            return;
        }
        r.tracked = false;
        if (r.prev != null) {
            r.prev.next = r.next;
        } else {
            head = r.next;
        }
        if (r.next != null) {
            r.next.prev = r.prev;
        }
        r.prev = null;
        r.next = null;
        liveCount--;
    }

    /** How many resources are open (for tests). */
    int liveCount() {
        return liveCount;
    }

    /** The loop is closing: close everything still open. */
    private void closeAll() {
        LoopResource r;
        while ((r = head) != null) {
            untrack(r);
            r.closeWithLoop();
        }
    }
}
