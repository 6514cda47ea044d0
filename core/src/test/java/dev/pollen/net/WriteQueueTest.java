package dev.pollen.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.StreamSocket;
import java.io.ByteArrayOutputStream;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The write buffer on its own, against a fake socket whose kernel takes a set number of bytes per
 * call: order, partial gathering writes, chunk sharing and reuse (no allocation in the steady
 * state).
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class WriteQueueTest {

    /** A socket that accepts at most {@code budget} bytes per write call. */
    static final class FakeSocket implements StreamSocket {
        final ByteArrayOutputStream sent = new ByteArrayOutputStream();
        int budget;
        int gatheringCalls;
        int maxBuffersPerCall;

        @Override
        public int write(ByteBuffer src) {
            int n = Math.min(budget, src.remaining());
            for (int i = 0; i < n; i++) {
                sent.write(src.get());
            }
            return n;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            gatheringCalls++;
            maxBuffersPerCall = Math.max(maxBuffersPerCall, length);
            int left = budget;
            long total = 0;
            for (int i = offset; i < offset + length && left > 0; i++) {
                int n = Math.min(left, srcs[i].remaining());
                for (int j = 0; j < n; j++) {
                    sent.write(srcs[i].get());
                }
                left -= n;
                total += n;
            }
            return total;
        }

        @Override
        public boolean finishConnect() {
            return true;
        }

        @Override
        public int read(ByteBuffer dst) {
            return 0;
        }

        @Override
        public void shutdownOutput() {
        }

        @Override
        public SocketAddress localAddress() {
            return null;
        }

        @Override
        public SocketAddress remoteAddress() {
            return null;
        }

        @Override
        public <T> void setOption(SocketOption<T> option, T value) {
        }

        @Override
        public <T> T getOption(SocketOption<T> option) {
            return null;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void keepsOrderAcrossPartialGatheringWrites() throws Exception {
        BufferPool pool = new BufferPool(1024, 16);
        WriteQueue q = new WriteQueue(pool);
        FakeSocket s = new FakeSocket();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        Random r = new Random(1);
        for (int round = 0; round < 200; round++) {
            byte[] b = random(r.nextInt(3000) + 1, round);
            q.append(ByteBuffer.wrap(b));
            expected.write(b);
            s.budget = r.nextInt(5000);
            q.writeTo(s);
            assertEquals(expected.size() - s.sent.size(), q.size());
        }
        s.budget = Integer.MAX_VALUE;
        q.writeTo(s);
        assertTrue(q.isEmpty());
        assertArrayEquals(expected.toByteArray(), s.sent.toByteArray());
    }

    @Test
    void appendConsumesTheSourceAndSmallWritesShareAChunk() {
        BufferPool pool = new BufferPool(1024, 16);
        WriteQueue q = new WriteQueue(pool);
        for (int i = 0; i < 100; i++) {
            ByteBuffer b = ByteBuffer.wrap(new byte[] {(byte) i, 1, 2, 3, 4, 5, 6, 7, 8, 9});
            q.append(b);
            assertFalse(b.hasRemaining());
        }
        assertEquals(1000, q.size());
        assertEquals(1, pool.allocated(), "1000 bytes of small writes fit one 1 KiB chunk");
    }

    @Test
    void gathersAtMostMaxIovBuffersPerCall() throws Exception {
        BufferPool pool = new BufferPool(16, 1024);
        WriteQueue q = new WriteQueue(pool);
        q.append(ByteBuffer.wrap(random(16 * 200, 3))); // 200 chunks
        FakeSocket s = new FakeSocket();
        s.budget = Integer.MAX_VALUE;
        q.writeTo(s);
        assertTrue(q.isEmpty());
        assertEquals(WriteQueue.MAX_IOV, s.maxBuffersPerCall);
        assertEquals(4, s.gatheringCalls, "200 chunks go out in ceil(200 / 64) writev calls");
    }

    @Test
    void chunksAreReusedSoTheSteadyStateAllocatesNothing() throws Exception {
        BufferPool pool = new BufferPool(1024, 64);
        WriteQueue q = new WriteQueue(pool);
        FakeSocket s = new FakeSocket();
        ByteBuffer msg = ByteBuffer.wrap(random(5000, 4));
        for (int i = 0; i < 10; i++) { // warm up: the pool and the chunk array reach their size
            msg.rewind();
            q.append(msg);
            s.budget = 3000;
            q.writeTo(s);
        }
        s.budget = Integer.MAX_VALUE;
        q.writeTo(s);
        long allocated = pool.allocated();
        for (int i = 0; i < 10_000; i++) {
            msg.rewind();
            q.append(msg);
            s.budget = 3000;
            q.writeTo(s);
            s.budget = Integer.MAX_VALUE;
            q.writeTo(s);
            s.sent.reset();
        }
        assertEquals(allocated, pool.allocated(), "chunks must come back from the pool");
    }

    @Test
    void clearReturnsChunksAndPoolRetainsAtMostItsCap() {
        BufferPool pool = new BufferPool(16, 4);
        WriteQueue q = new WriteQueue(pool);
        q.append(ByteBuffer.wrap(random(16 * 10, 5)));
        assertEquals(10, pool.allocated());
        q.clear();
        assertTrue(q.isEmpty());
        assertEquals(0, q.size());
        assertEquals(4, pool.retained(), "the pool keeps at most its cap");
    }
}
