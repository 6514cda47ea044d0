package dev.pollen.net;

import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A transport's write buffer: the bytes the kernel did not take at once, copied into pooled
 * direct chunks, sent with gathering writes.
 *
 * <p>The queued chunks sit in one array from {@code head} to {@code tail} so that the array range
 * can be handed to {@link StreamSocket#write(ByteBuffer[], int, int)} as it is (one
 * {@code writev}). Every chunk is in "read mode": position = next byte to send, limit = end of
 * the data; a new write is appended into the free space after the last chunk's limit before a
 * fresh chunk is taken, so many small writes share chunks. Sent chunks go back to the pool; the
 * array is compacted or grown only when the tail reaches its end. In the steady state nothing is
 * allocated.
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class WriteQueue {

    /** At most this many buffers per gathering write (well under every kernel's IOV_MAX). */
    static final int MAX_IOV = 64;

    private final BufferPool pool;
    private ByteBuffer[] chunks = new ByteBuffer[8];
    private int head;
    private int tail;
    private long size;

    WriteQueue(BufferPool pool) {
        this.pool = pool;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Bytes waiting. */
    long size() {
        return size;
    }

    /** Copies {@code src}'s remaining bytes to the end of the queue; advances its position. */
    void append(ByteBuffer src) {
        int rem = src.remaining();
        if (rem == 0) {
            return;
        }
        int pos = src.position();
        if (tail > head) {
            ByteBuffer last = chunks[tail - 1];
            int lim = last.limit();
            int n = Math.min(last.capacity() - lim, rem);
            if (n > 0) {
                last.limit(lim + n);
                last.put(lim, src, pos, n);
                pos += n;
                rem -= n;
            }
        }
        while (rem > 0) {
            ByteBuffer c = pool.acquire();
            int n = Math.min(c.capacity(), rem);
            c.limit(n);
            c.put(0, src, pos, n);
            pos += n;
            rem -= n;
            push(c);
        }
        size += src.remaining();
        src.position(src.limit());
    }

    private void push(ByteBuffer c) {
        if (tail == chunks.length) {
            int live = tail - head;
            if (head > 0 && live <= chunks.length / 2) {
                System.arraycopy(chunks, head, chunks, 0, live);
                java.util.Arrays.fill(chunks, live, tail, null);
            } else {
                ByteBuffer[] bigger = new ByteBuffer[chunks.length * 2];
                System.arraycopy(chunks, head, bigger, 0, live);
                chunks = bigger;
            }
            head = 0;
            tail = live;
        }
        chunks[tail++] = c;
    }

    /**
     * Writes as much as the kernel takes, with gathering writes of up to {@link #MAX_IOV}
     * chunks, until the queue is empty or the kernel takes less than offered.
     *
     * @return bytes written
     * @throws IOException from the socket
     */
    long writeTo(StreamSocket socket) throws IOException {
        long total = 0;
        while (head < tail) {
            int n = Math.min(tail - head, MAX_IOV);
            long w = n == 1 ? socket.write(chunks[head]) : socket.write(chunks, head, n);
            total += w;
            size -= w;
            int popped = 0;
            while (head < tail && !chunks[head].hasRemaining()) {
                pool.release(chunks[head]);
                chunks[head++] = null;
                popped++;
            }
            if (popped < n) {
                break; // the kernel's send buffer is full: wait for writability
            }
        }
        if (head == tail) {
            head = 0;
            tail = 0;
        }
        return total;
    }

    /** The chunk array; the queued chunks are {@link #headIndex()} (inclusive) to
     * {@link #tailIndex()} (exclusive), in read mode. For a consumer that is not a socket (the
     * TLS layer encrypts from them); it reports what it took with {@link #consumed(long)}. */
    ByteBuffer[] array() {
        return chunks;
    }

    int headIndex() {
        return head;
    }

    int tailIndex() {
        return tail;
    }

    /** {@code n} bytes were taken from the head chunks (their positions moved): release the
     * chunks that are empty now. */
    void consumed(long n) {
        size -= n;
        while (head < tail && !chunks[head].hasRemaining()) {
            pool.release(chunks[head]);
            chunks[head++] = null;
        }
        if (head == tail) {
            head = 0;
            tail = 0;
        }
    }

    /** Drops everything queued, returning the chunks to the pool. */
    void clear() {
        for (int i = head; i < tail; i++) {
            pool.release(chunks[i]);
            chunks[i] = null;
        }
        head = 0;
        tail = 0;
        size = 0;
    }
}
