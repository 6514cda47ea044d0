package dev.pollen.bench;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.loop.TimerHandle;
import dev.pollen.spi.Pollers;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The event loop's own costs, through its public API only (see docs/benchmarks.md).
 *
 * <ul>
 *   <li>{@link #callSoon}: schedule a callback from the loop thread and run it (ops/s; target
 *       above 20 million per second).</li>
 *   <li>{@link #futureDoneCallback}: create a future, add a done-callback, complete it, run the
 *       callback (ops/s).</li>
 *   <li>{@link #timerScheduleCancel}: schedule a timer among {@code pending} others and cancel it
 *       (ns/op; target: flat within 2x from 1,000 to 1,000,000 pending).</li>
 *   <li>{@link #callSoonThreadsafe}: another thread hands callbacks to a running loop as fast as
 *       the loop drains them (at most {@value #WINDOW} in flight), per poller (ops/s).</li>
 *   <li>{@link #callSoonThreadsafeWakeup}: another thread hands in one callback and waits until
 *       the loop ran it, so the loop is idle (blocked in {@code poll}) at nearly every
 *       submission and the cost includes the wakeup system call and the loop thread's resume
 *       (ns/op), per poller.</li>
 * </ul>
 *
 * <p>The first three drive the loop from the benchmark thread: while the loop is not running any
 * one thread may use it, so each invocation schedules {@value #BATCH} operations, then runs one
 * loop iteration ({@code stop(); runForever()}) that executes them; the iteration's
 * {@code poll(0)} is amortised over the batch. The cross-thread ones run the loop on its own
 * thread ({@link EventLoop#startThread()}), because a loop must be free to block in {@code poll}
 * and a JMH {@code @Group} method cannot block across the end of an iteration.
 *
 * <p><b>Threading:</b> JMH calls the benchmark and fixture methods; the loop-thread benchmarks
 * use their loop only while it is not running (or inside {@code runForever} on the same thread),
 * the cross-thread ones only through {@code callSoonThreadsafe}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g",
        "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED"})
public class LoopBench {

    /** Operations scheduled per loop iteration in the loop-thread benchmarks. */
    public static final int BATCH = 1000;
    /** Callbacks a producer may have in flight in {@link #callSoonThreadsafe}. */
    public static final int WINDOW = 4096;

    private static final long HOUR_NANOS = TimeUnit.HOURS.toNanos(1);

    /** A loop that is not running; the benchmark thread schedules, then runs one iteration. */
    @State(Scope.Thread)
    public static class Local {
        EventLoop loop;
        long ran;
        final Runnable count = () -> ran++;
        final Consumer<Future<Object>> done = f -> ran++;

        /** Opens the loop on the best available poller. */
        @Setup(Level.Trial)
        public void open() {
            loop = AvailablePollers.loop(Pollers.AUTO, "bench-local");
        }

        /** Closes the loop. */
        @TearDown(Level.Trial)
        public void close() {
            loop.close();
        }

        /** Runs one loop iteration on the calling thread: everything ready runs, then it returns. */
        void runOnce() {
            loop.stop();
            loop.runForever();
        }
    }

    /** A loop that is not running, with {@code pending} timers an hour or two away. */
    @State(Scope.Thread)
    public static class Timers {
        /** How many timers are pending while one is scheduled and cancelled. */
        @Param({"1000", "1000000"})
        public int pending;

        EventLoop loop;
        SplittableRandom random;
        final Runnable never = () -> {
            throw new AssertionError("a benchmark timer fired");
        };

        /** Opens the loop and schedules the pending timers at random deadlines. */
        @Setup(Level.Trial)
        public void open() {
            loop = AvailablePollers.loop(Pollers.AUTO, "bench-timers");
            random = new SplittableRandom(42);
            for (int i = 0; i < pending; i++) {
                loop.callLaterNanos(nextDelay(), never);
            }
        }

        long nextDelay() {
            return HOUR_NANOS + random.nextLong(HOUR_NANOS);
        }

        /** Closes the loop (dropping its timers). */
        @TearDown(Level.Trial)
        public void close() {
            loop.close();
        }
    }

    /** A loop running on its own thread, on the poller under test. */
    @State(Scope.Benchmark)
    public static class Remote {
        /** The poller; unavailable ones fail in setup with a message naming the available ones. */
        @Param({"nio", "epoll", "netty-epoll", "kqueue"})
        public String poller;

        EventLoop loop;

        /** Starts the loop thread. */
        @Setup(Level.Trial)
        public void open() {
            loop = AvailablePollers.loop(poller, "bench-remote-" + poller);
            loop.startThread();
        }

        /** Stops the loop thread and closes the loop. */
        @TearDown(Level.Trial)
        public void close() {
            loop.close();
        }
    }

    /** One producer thread's bookkeeping: what it submitted and what the loop has run of it. */
    @State(Scope.Thread)
    public static class Producer {
        long submitted;
        /** The last value of {@code ran.count} this producer read (re-read only when needed). */
        long ranSeen;
        final RunCounter ran = new RunCounter();
        final Runnable count = ran::increment;
    }

    /**
     * What the loop thread has run of one producer's callbacks, alone on its cache lines so the
     * loop's writes do not slow the producer's own fields (false sharing).
     */
    static final class RunCounter {
        @SuppressWarnings("unused")
        private long p1, p2, p3, p4, p5, p6, p7;
        /** Written by the loop thread only, read by the producer. */
        volatile long count;
        @SuppressWarnings("unused")
        private long q1, q2, q3, q4, q5, q6, q7;

        void increment() {
            count = count + 1; // single writer (the loop thread): a plain increment is not racy
        }
    }

    /**
     * Schedules {@value #BATCH} callbacks with {@code callSoon} and runs them.
     *
     * @param s the loop
     * @return the run count (against dead-code elimination)
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long callSoon(Local s) {
        EventLoop loop = s.loop;
        Runnable r = s.count;
        for (int i = 0; i < BATCH; i++) {
            loop.callSoon(r);
        }
        s.runOnce();
        return s.ran;
    }

    /**
     * Creates {@value #BATCH} futures, adds a done-callback to each, completes them, and runs the
     * callbacks.
     *
     * @param s the loop
     * @return the run count
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long futureDoneCallback(Local s) {
        EventLoop loop = s.loop;
        Consumer<Future<Object>> done = s.done;
        for (int i = 0; i < BATCH; i++) {
            Future<Object> f = loop.createFuture();
            f.addDoneCallback(done);
            f.setResult(Boolean.TRUE);
        }
        s.runOnce();
        return s.ran;
    }

    /**
     * Schedules a timer at a random deadline among the pending ones and cancels it.
     *
     * @param t the loop and its timers
     * @return the cancelled timer
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public TimerHandle timerScheduleCancel(Timers t) {
        TimerHandle h = t.loop.callLaterNanos(t.nextDelay(), t.never);
        h.cancel();
        return h;
    }

    /**
     * Hands one callback to the loop thread, waiting only when {@value #WINDOW} are in flight.
     *
     * @param r the running loop
     * @param p this producer
     * @return how many of this producer's callbacks ran
     */
    @Benchmark
    public long callSoonThreadsafe(Remote r, Producer p) {
        long s = p.submitted;
        if (s - p.ranSeen >= WINDOW) {
            long ran;
            while (s - (ran = p.ran.count) >= WINDOW) {
                Thread.onSpinWait();
            }
            p.ranSeen = ran;
        }
        p.submitted = s + 1;
        r.loop.callSoonThreadsafe(p.count);
        return s;
    }

    /**
     * Hands one callback to an idle loop and waits until it ran: submission, wakeup, the loop's
     * resume and one iteration.
     *
     * @param r the running loop
     * @param p this producer
     * @return how many of this producer's callbacks ran
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public long callSoonThreadsafeWakeup(Remote r, Producer p) {
        long target = p.submitted + 1;
        p.submitted = target;
        r.loop.callSoonThreadsafe(p.count);
        while (p.ran.count < target) {
            Thread.onSpinWait();
        }
        return target;
    }
}
