package dev.pollen.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Task;
import dev.pollen.testkit.ParkingPoller;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the stream reader's framing methods ({@code readUntil}, {@code readLine},
 * {@code readExactly}, {@code read}) over arbitrary data, separators, limits, operation sequences
 * and, above all, arbitrary chunkings of the same bytes.
 *
 * <p>The properties: (1) <em>chunking invariance</em>: the same operations on the same bytes give
 * the same results and the same exceptions however the bytes were split into {@code feedData}
 * calls and however those interleave with the reading task; (2) each method's own contract
 * (a {@code readUntil} result ends with the separator and is at most limit + separator long,
 * {@code readExactly(n)} returns n bytes, {@code read(n)} at most n); (3) nothing but the
 * documented exceptions escape; (4) the reader never holds more than what was fed and not taken.
 *
 * <p>Runs three ways: {@link #fuzz} in Jazzer's regression mode with the seeds under
 * {@code src/test/resources/dev/pollen/net/StreamReaderFuzzTestInputs/fuzz} (every test run);
 * {@link #randomInputs} with a fixed list of seeds (every test run); and for real with
 * {@code JAZZER_FUZZ=1 mvn -o -pl core test -Dtest=StreamReaderFuzzTest#fuzz -Djazzer.max_duration=10m}
 * (see docs/reliability.md).
 *
 * <p><b>Threading:</b> JUnit's thread runs the loop.
 */
class StreamReaderFuzzTest {

    private static final EventLoop LOOP = EventLoop.builder().poller(new ParkingPoller()).build();

    @AfterAll
    static void closeLoop() {
        LOOP.close();
    }

    @FuzzTest(maxDuration = "30s")
    void fuzz(FuzzedDataProvider data) {
        check(data.consumeBytes(4096));
    }

    @Test
    void randomInputs() {
        for (long seed = 0; seed < 3000; seed++) {
            Random r = new Random(seed);
            byte[] input = new byte[r.nextInt(600)];
            r.nextBytes(input);
            // Bias the stream bytes towards separators so lines and chunks actually occur.
            for (int i = 0; i < input.length; i++) {
                if (r.nextInt(6) == 0) {
                    input[i] = (byte) (r.nextBoolean() ? '\n' : '#');
                }
            }
            try {
                check(input);
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
            }
        }
    }

    /** One case: decode the scenario from {@code input}, run it chunked and unchunked, compare. */
    static void check(byte[] input) {
        Scenario s = Scenario.decode(input);
        List<Object> chunked = run(s, s.chunks);
        List<Object> whole = run(s, List.of(concat(s.chunks)));
        assertEquals(whole, chunked, "results depend on the chunking: " + s);
    }

    /** Runs the operations against a reader fed with {@code chunks} (then EOF), one per step. */
    private static List<Object> run(Scenario s, List<byte[]> chunks) {
        StreamReader reader = new StreamReader(LOOP, s.limit);
        long[] fed = {0};
        long[] taken = {0};
        // The feeder: one chunk per loop iteration, interleaving with the task's steps.
        int[] next = {0};
        Runnable[] feed = new Runnable[1];
        feed[0] = () -> {
            if (next[0] < chunks.size()) {
                byte[] c = chunks.get(next[0]++);
                reader.feedData(c);
                fed[0] += c.length;
                assertTrue(reader.buffered() <= fed[0] - taken[0], "holds more than was fed");
                LOOP.callSoon(feed[0]);
            } else {
                reader.feedEof();
            }
        };
        LOOP.callSoon(feed[0]);
        Task<List<Object>> task = LOOP.createTask(() -> {
            List<Object> out = new ArrayList<>();
            for (Op op : s.ops) {
                Object r = apply(op, reader, s, taken);
                out.add(r);
                if (r instanceof String str && str.startsWith(DEPENDS)) {
                    break; // what follows depends on how much happened to be buffered
                }
            }
            return out;
        });
        return LOOP.runUntilComplete(task);
    }

    /**
     * Marks a result that legitimately depends on the chunking (as in asyncio): {@code read(n)}
     * returns what happens to be buffered, and an over-long {@code readLine} drops what happens to
     * be buffered. The comparison stops there.
     */
    private static final String DEPENDS = "chunking-dependent:";

    private static Object apply(Op op, StreamReader reader, Scenario s, long[] taken) {
        try {
            byte[] b;
            switch (op.kind) {
                case 0 -> {
                    b = reader.readUntil(s.separator);
                    assertTrue(endsWith(b, s.separator), "readUntil result lacks the separator");
                    assertTrue(b.length <= s.limit + s.separator.length, "readUntil past limit");
                }
                case 1 -> {
                    b = reader.readLine();
                    assertTrue(b.length <= s.limit + 1, "a line longer than the limit");
                }
                case 2 -> {
                    b = reader.readExactly(op.n);
                    assertEquals(op.n, b.length, "readExactly length");
                }
                default -> {
                    b = reader.read(op.n);
                    assertTrue(b.length <= op.n, "read(n) returned more than n");
                    assertTrue(op.n == 0 || b.length > 0 || reader.atEof(),
                            "read(n) returned nothing before end-of-stream");
                    taken[0] += b.length;
                    return DEPENDS + "read";
                }
            }
            taken[0] += b.length;
            return "ok:" + Arrays.toString(b);
        } catch (LimitOverrunException e) {
            // readUntil leaves the data readable; readLine drops what is buffered (as asyncio).
            if (op.kind == 0) {
                assertTrue(reader.buffered() > s.limit, "overrun with the data within the limit");
                return "overrun";
            }
            taken[0] = Long.MIN_VALUE / 2; // readLine dropped data: stop accounting
            return DEPENDS + "overrun-line";
        } catch (IncompleteReadException e) {
            taken[0] += e.partial().length;
            return "incomplete:" + Arrays.toString(e.partial()) + "/" + e.expected();
        } catch (IOException e) {
            throw new AssertionError("unexpected I/O error without a transport", e);
        }
    }

    private static boolean endsWith(byte[] b, byte[] sep) {
        if (b.length < sep.length) {
            return false;
        }
        for (int i = 0; i < sep.length; i++) {
            if (b[b.length - sep.length + i] != sep[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] concat(List<byte[]> chunks) {
        int n = 0;
        for (byte[] c : chunks) {
            n += c.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] c : chunks) {
            System.arraycopy(c, 0, out, at, c.length);
            at += c.length;
        }
        return out;
    }

    /** A read operation: 0 readUntil, 1 readLine, 2 readExactly(n), 3 read(n). */
    record Op(int kind, int n) {
    }

    /** What one fuzz input means. */
    record Scenario(int limit, byte[] separator, List<byte[]> chunks, List<Op> ops) {

        static Scenario decode(byte[] in) {
            Bytes b = new Bytes(in);
            int limit = 1 + b.next(64);
            byte[] sep = new byte[1 + b.next(3)];
            for (int i = 0; i < sep.length; i++) {
                sep[i] = b.next(4) == 0 ? (byte) '#' : (byte) b.next(256);
            }
            List<Op> ops = new ArrayList<>();
            int nOps = 1 + b.next(8);
            for (int i = 0; i < nOps; i++) {
                ops.add(new Op(b.next(4), b.next(100)));
            }
            List<byte[]> chunks = new ArrayList<>();
            while (b.hasMore()) {
                int len = Math.min(b.next(40), b.remaining());
                chunks.add(b.take(len));
            }
            return new Scenario(limit, sep, chunks, ops);
        }

        @Override
        public String toString() {
            return "Scenario[limit=" + limit + ", separator=" + Arrays.toString(separator)
                    + ", chunks=" + chunks.stream().map(Arrays::toString).toList() + ", ops=" + ops
                    + "]";
        }
    }

    /** Reads small numbers and slices from the fuzz input; zeros once it is used up. */
    static final class Bytes {
        private final byte[] in;
        private int at;

        Bytes(byte[] in) {
            this.in = in;
        }

        int next(int bound) {
            return at < in.length ? (in[at++] & 0xff) % bound : 0;
        }

        boolean hasMore() {
            return at < in.length;
        }

        int remaining() {
            return in.length - at;
        }

        byte[] take(int n) {
            byte[] out = Arrays.copyOfRange(in, at, at + n);
            at += n;
            return out;
        }
    }

    @Test
    void aKnownTrickyCaseSeparatorSplitAcrossChunksAtTheLimit() {
        // limit 4, separator "##", "abcd#" then "#": found at index 4 == limit: allowed.
        byte[] in = {3, 1, 0, 0, 0, 0, 0, 5, 'a', 'b', 'c', 'd', '#', 1, '#'};
        Scenario s = Scenario.decode(in);
        assertEquals(4, s.limit());
        assertArrayEquals(new byte[] {'#', '#'}, s.separator());
        check(in);
        assertEquals(List.of("ok:[97, 98, 99, 100, 35, 35]"), run(s, s.chunks()));
    }
}
