package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.loop.Task;
import dev.pollen.net.Connection;
import dev.pollen.net.LimitOverrunException;
import dev.pollen.net.Net;
import dev.pollen.net.NetOptions;
import dev.pollen.net.Protocol;
import dev.pollen.net.Server;
import dev.pollen.net.StreamReader;
import dev.pollen.net.Transport;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Limits and load on a backend: many idle connections on one loop (heap per connection measured),
 * a very large number of pending timers and of suspended tasks (memory per task measured), bursts
 * of cross-thread submissions with no lost wakeup, and a stream reader that stays within its limit
 * when a peer never sends the separator.
 *
 * <p>Each load test has a scaled-down version in the default run; the full sizes (10,000
 * connections, 1,000,000 timers, 1,000,000 tasks) are tagged {@code load} and run with
 * {@code mvn test -Dpollen.load=true}. Measurements are printed as {@code [limits] ...} lines
 * (recorded in {@code benchmarks/results/reliability.md}); none is asserted as a timing.
 *
 * <p><b>Threading:</b> JUnit's test thread runs the loops.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
public class LimitsContract extends NetFixture {

    /** The shared read buffer of a loop: the most one read adds. */
    private static final int ONE_READ = 64 * 1024;

    // ------------------------------------------------------------------ idle connections

    @Test
    void aThousandIdleConnectionsOnOneLoopStayServed() {
        idleConnections(500);
    }

    @Test
    @Tag("load")
    void tenThousandIdleConnectionsOnOneLoop() {
        // 5,000 TCP connections with both ends on this loop: 10,000 sockets and transports, which
        // stays under this machine's 20,000-descriptor limit with the JVM's own.
        idleConnections(5_000);
    }

    /** {@code pairs} connections with both ends on one loop, idle, then all still answer. */
    private void idleConnections(int pairs) {
        EventLoop loop = newLoop();
        Server server = server(loop, Echo::new, NetOptions.builder().backlog(4096).build());
        int port = port(server);
        long heapBefore = usedHeap();
        List<Connection<Quiet>> conns = new ArrayList<>(pairs);
        for (int done = 0; done < pairs; ) {
            int batch = Math.min(500, pairs - done);
            List<Future<Connection<Quiet>>> fs = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                fs.add(Net.createConnection(loop, Quiet::new, LOCAL, port));
            }
            for (Future<Connection<Quiet>> f : fs) {
                conns.add(run(loop, f));
            }
            done += batch;
        }
        runUntil(loop, () -> server.connectionCount() == pairs, pairs + " accepted");
        long heapAfter = usedHeap();
        double perConnection = (heapAfter - heapBefore) / (2.0 * pairs);
        System.out.printf("[limits] %s: %d idle TCP connections (%d sockets) on one loop: "
                + "%.0f bytes of heap per connection end (transport, socket, protocol)%n",
                loop.poller().name(), pairs, 2 * pairs, perConnection);
        // Every connection still works: one byte each way.
        for (Connection<Quiet> c : conns) {
            c.transport().write(ByteBuffer.wrap(new byte[] {7}));
        }
        runUntil(loop, () -> conns.stream().allMatch(c -> c.protocol().received == 1),
                "every echo");
        assertNoLoopErrors();
    }

    /** A protocol that only counts bytes: what an idle connection's user state might be. */
    static final class Quiet implements Protocol {
        int received;
        Transport transport;

        @Override
        public void connectionMade(Transport t) {
            transport = t;
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            received += data.remaining();
            data.position(data.limit());
        }
    }

    // ------------------------------------------------------------------ timers

    @Test
    void aHundredThousandPendingTimersFireInOrderAndNeverEarly() {
        pendingTimers(100_000);
    }

    @Test
    @Tag("load")
    void aMillionPendingTimers() {
        pendingTimers(1_000_000);
    }

    private void pendingTimers(int n) {
        EventLoop loop = newLoop();
        Random random = new Random(42);
        long[] lastFired = {Long.MIN_VALUE};
        int[] fired = {0};
        int[] early = {0};
        int[] outOfOrder = {0};
        long heapBefore = usedHeap();
        long base = loop.time() + 200_000_000L; // all in the future while scheduling
        for (int i = 0; i < n; i++) {
            long deadline = base + random.nextInt(300_000_000);
            loop.callAt(deadline, () -> {
                if (loop.time() < deadline) {
                    early[0]++;
                }
                if (deadline < lastFired[0]) {
                    outOfOrder[0]++;
                }
                lastFired[0] = deadline;
                fired[0]++;
            });
        }
        long perTimer = (usedHeap() - heapBefore) / n;
        assertEquals(n, loop.stats().timersPending(), "every timer pending");
        runUntil(loop, () -> fired[0] == n, n + " timers");
        System.out.printf("[limits] %s: %,d pending timers: %d bytes of heap each%n",
                loop.poller().name(), n, perTimer);
        assertEquals(0, early[0], "timers fired before their deadline");
        assertEquals(0, outOfOrder[0], "timers fired out of deadline order");
        assertEquals(0, loop.stats().timersPending());
    }

    // ------------------------------------------------------------------ suspended tasks

    @Test
    void tenThousandSuspendedTasksAllResume() {
        suspendedTasks(10_000);
    }

    @Test
    @Tag("load")
    void aMillionSuspendedTasks() {
        suspendedTasks(1_000_000);
    }

    private void suspendedTasks(int n) {
        EventLoop loop = newLoop();
        Future<Integer> go = loop.createFuture();
        int[] started = {0};
        long[] sum = {0};
        long heapBefore = usedHeap();
        for (int i = 0; i < n; i++) {
            loop.createTask(() -> {
                started[0]++;
                int v = go.await(); // not "sum[0] += go.await()": that reads sum[0] before awaiting
                sum[0] += v;
                return null;
            });
        }
        runUntil(loop, () -> started[0] == n, n + " tasks to suspend");
        long perTask = (usedHeap() - heapBefore) / n;
        assertEquals(n, loop.allTasks().size());
        System.out.printf("[limits] %s: %,d suspended tasks: %d bytes of heap each%n",
                loop.poller().name(), n, perTask);
        go.setResult(1);
        runUntil(loop, () -> sum[0] == n, "every task to resume");
        runUntil(loop, () -> loop.allTasks().isEmpty(), "every task to finish");
    }

    // ------------------------------------------------------------------ cross-thread bursts

    @Test
    void burstsOfCrossThreadSubmissionsLoseNoWakeup() throws Exception {
        crossThreadBursts(100, 4, 500);
    }

    @Test
    @Tag("load")
    void manyBurstsOfCrossThreadSubmissionsLoseNoWakeup() throws Exception {
        crossThreadBursts(3_000, 4, 2_000);
    }

    /**
     * Between bursts the loop has nothing to do and no timer, so it blocks in poll with no timeout:
     * a lost wakeup would leave a submission unrun forever, and the burst would time out.
     */
    private void crossThreadBursts(int bursts, int threads, int maxPerThread) throws Exception {
        EventLoop loop = newLoop();
        int[] seen = new int[bursts * threads * maxPerThread];
        AtomicInteger ran = new AtomicInteger();
        loop.startThread();
        Random random = new Random(7);
        long total = 0;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int b = 0; b < bursts; b++) {
            int perThread = 1 + random.nextInt(maxPerThread);
            CountDownLatch startLine = new CountDownLatch(1);
            List<Thread> producers = new ArrayList<>(threads);
            for (int p = 0; p < threads; p++) {
                int first = (b * threads + p) * maxPerThread;
                Thread t = new Thread(() -> {
                    try {
                        startLine.await();
                        for (int i = 0; i < perThread; i++) {
                            int id = first + i;
                            loop.callSoonThreadsafe(() -> {
                                seen[id]++;
                                ran.incrementAndGet();
                            });
                        }
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                });
                t.start();
                producers.add(t);
            }
            startLine.countDown();
            for (Thread t : producers) {
                t.join();
            }
            total += (long) perThread * threads;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (ran.get() < total) {
                if (System.nanoTime() > deadline) {
                    fail("lost wakeup: burst " + b + " left " + (total - ran.get())
                            + " submissions unrun for 20 s");
                }
                Thread.sleep(0, 100_000);
            }
            if (random.nextBoolean()) {
                Thread.sleep(1); // let the loop go back to a blocking poll
            }
        }
        assertEquals(null, failure.get());
        loop.close(); // stops and joins the loop thread
        for (int b = 0; b < seen.length; b++) {
            assertTrue(seen[b] <= 1, "submission " + b + " ran " + seen[b] + " times");
        }
        assertEquals(total, ran.get());
        System.out.printf("[limits] %s: %d bursts from %d threads, %,d submissions, none lost%n",
                loop.poller().name(), bursts, threads, total);
    }

    // ------------------------------------------------------------------ stream limits

    @Test
    void readUntilPastTheLimitFailsHoldingAtMostTheLimitPlusOneRead() {
        EventLoop loop = newLoop();
        int limit = 16 * 1024;
        byte[] separator = {'\r', '\n', '\r', '\n'};
        long bound = limit + separator.length + ONE_READ;
        Future<long[]> seen = loop.createFuture();
        Server server = runTask(loop, () -> Net.startServer((reader, writer) -> {
            try {
                reader.readUntil(separator);
                seen.setException(new AssertionError("no separator was sent"));
            } catch (LimitOverrunException e) {
                long atFailure = reader.buffered();
                dev.pollen.async.Async.sleep(Duration.ofMillis(100)); // reading stays paused
                seen.setResult(new long[] {atFailure, reader.buffered()});
            }
        }, LOCAL, 0, NetOptions.builder().streamLimit(limit).build()));
        Connection<Recorder> c = connect(loop, Recorder::new, port(server));
        c.transport().write(ByteBuffer.wrap(new byte[8 << 20])); // 8 MiB of zeros, no separator
        long[] buffered = run(loop, seen);
        assertTrue(buffered[0] > limit, "failed before the limit: " + buffered[0]);
        assertTrue(buffered[0] <= bound, "buffered " + buffered[0] + " > bound " + bound);
        assertTrue(buffered[1] <= bound, "kept reading after the failure: " + buffered[1]);
        assertTrue(c.transport().writeBufferSize() > 0, "the rest waits at the sender");
        c.transport().abort();
        assertNoLoopErrors();
    }

    @Test
    void readLinePastTheLimitFailsHoldingAtMostTheLimitPlusOneReadAndGoesOn() {
        EventLoop loop = newLoop();
        int limit = 8 * 1024;
        long bound = limit + 1 + ONE_READ;
        List<Object> got = new ArrayList<>();
        long[] maxBuffered = {0};
        Server server = runTask(loop, () -> Net.startServer((reader, writer) -> {
            while (true) {
                try {
                    byte[] line = reader.readLine();
                    if (line.length == 0) {
                        return;
                    }
                    got.add(line.length);
                } catch (LimitOverrunException e) {
                    got.add("overrun");
                }
                maxBuffered[0] = Math.max(maxBuffered[0], reader.buffered());
            }
        }, LOCAL, 0, NetOptions.builder().streamLimit(limit).build()));
        Connection<Recorder> c = connect(loop, Recorder::new, port(server));
        byte[] huge = new byte[4 << 20];
        huge[huge.length - 1] = '\n';
        c.transport().write(ByteBuffer.wrap("short\n".getBytes()));
        c.transport().write(ByteBuffer.wrap(huge)); // one 4 MiB line
        c.transport().write(ByteBuffer.wrap("after\n".getBytes()));
        c.transport().writeEof();
        runUntil(loop, () -> got.size() >= 3 && got.get(got.size() - 1).equals(6), "the lines");
        assertEquals(6, got.get(0), "the short line");
        assertEquals(6, got.get(got.size() - 1), "reading goes on after the overrun: " + got);
        // As asyncio: each overrun drops what is buffered; the line's tail, once the reader is
        // within the limit again, comes back as a (short) line of its own.
        List<Object> middle = got.subList(1, got.size() - 1);
        assertTrue(middle.contains("overrun"), "" + got);
        assertTrue(middle.stream().allMatch(x -> "overrun".equals(x) || (int) x <= limit + 1),
                "" + got);
        assertTrue(maxBuffered[0] <= bound, "buffered " + maxBuffered[0] + " > " + bound);
        assertNoLoopErrors();
    }

    @Test
    void aFedReaderPausesItsTransportAtTheSearchBound() {
        // Unit-level check of the same rule with a hand-fed reader (no sockets).
        EventLoop loop = newLoop();
        StreamReader r = new StreamReader(loop, 10);
        Task<Throwable> t = loop.createTask(() -> {
            try {
                r.readUntil(new byte[] {'!'});
                return null;
            } catch (LimitOverrunException e) {
                return e;
            }
        });
        loop.callSoon(() -> r.feedData(new byte[30]));
        assertInstanceOf(LimitOverrunException.class, run(loop, t));
        assertEquals(30, r.buffered(), "readUntil leaves the data readable");
    }

    // ------------------------------------------------------------------ helpers

    /** Heap in use after a full collection (an estimate: the collector's accounting). */
    static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
