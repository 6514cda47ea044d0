package dev.pollen.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A seeded stream of pseudo-random bytes, made in 64 KiB blocks: the sender writes it and the
 * receiver regenerates it from the same seed to check every byte, so a 100 MiB transfer is checked
 * exactly (with the offset of the first difference) without holding 100 MiB anywhere.
 *
 * <p><b>Threading:</b> one thread per instance.
 */
final class RandomBytes {

    static final int BLOCK = 64 * 1024;

    private final SplittableRandom random;
    private final byte[] block = new byte[BLOCK];
    private final ByteBuffer view = ByteBuffer.wrap(block);

    RandomBytes(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** Fills and returns the next block (the same array each time). */
    byte[] nextBlock() {
        view.clear();
        while (view.hasRemaining()) {
            view.putLong(random.nextLong());
        }
        return block;
    }

    /**
     * Writes the first {@code total} bytes of the stream of {@code seed} (a multiple of
     * {@link #BLOCK}).
     */
    static void write(OutputStream out, long seed, long total) throws IOException {
        if (total % BLOCK != 0) {
            throw new IllegalArgumentException("total must be a multiple of " + BLOCK + ", got " + total);
        }
        RandomBytes source = new RandomBytes(seed);
        for (long sent = 0; sent < total; sent += BLOCK) {
            out.write(source.nextBlock());
        }
        out.flush();
    }

    /**
     * Reads until end-of-stream and checks that it got exactly the first {@code total} bytes of
     * the stream of {@code seed}.
     *
     * @return the number of bytes read
     */
    static long readAndCheck(InputStream in, long seed, long total, String what) throws IOException {
        RandomBytes expected = new RandomBytes(seed);
        byte[] want = expected.nextBlock();
        int wantPos = 0;
        byte[] buf = new byte[BLOCK];
        long got = 0;
        for (int n; (n = in.read(buf)) >= 0; ) {
            if (got + n > total) {
                fail(what + ": more than the " + total + " bytes sent (" + (got + n) + " so far)");
            }
            int off = 0;
            while (off < n) {
                if (wantPos == BLOCK) {
                    want = expected.nextBlock();
                    wantPos = 0;
                }
                int len = Math.min(n - off, BLOCK - wantPos);
                int diff = Arrays.mismatch(buf, off, off + len, want, wantPos, wantPos + len);
                if (diff >= 0) {
                    fail(what + ": byte " + (got + diff) + " differs from what was sent");
                }
                off += len;
                wantPos += len;
                got += len;
            }
        }
        assertEquals(total, got, what + ": bytes received before end-of-stream");
        return got;
    }
}
