package dev.pollen.bench;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.loop.Task;
import java.util.concurrent.TimeUnit;
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
 * The cost of Pollen's coroutine-like tasks (public API only), per operation:
 *
 * <ul>
 *   <li>{@code yieldCycle}: one suspend/resume of a task ({@code Task.yieldNow()}, asyncio's
 *       {@code sleep(0)}), with {@code tasks} tasks taking turns, so one loop iteration (and one
 *       non-blocking poll) serves {@code tasks} resumes. The await/resume target is under
 *       200 ns; no allocation per cycle.</li>
 *   <li>{@code pingPong}: two tasks handing a baton through futures: one {@code await} of a
 *       pending future, completed by the other task, and the resume — the realistic await/resume
 *       cycle (allocates the new future it awaits).</li>
 *   <li>{@code spawnAndFinish}: {@code createTask} of a body that returns at once, run to its
 *       end (first step, completion, bookkeeping).</li>
 *   <li>{@code spawnAndAwait}: a task creating a child task and awaiting its result.</li>
 *   <li>{@code spawnAndAwaitEager}: the same with eager children
 *       ({@code createTask(name, body, true)}): each child runs and finishes inside
 *       {@code createTask}, so neither it nor its parent goes through the ready queue, and the
 *       await returns at once. The difference with {@code spawnAndAwait} is what eager tasks
 *       save when the work is ready (a cache hit).</li>
 *   <li>{@code spawnEagerThatSuspends}: eager children that suspend once ({@code yieldNow})
 *       and are awaited: the eager start saves only the child's first trip through the ready
 *       queue; its suspension costs what any task's first suspension costs.</li>
 * </ul>
 * The loop runs on the JMH thread with the best available poller ({@code auto}); each invocation
 * runs it until a batch of {@value #OPS} operations is done.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED",
        "--enable-native-access=ALL-UNNAMED"})
public class TaskBench {

    /** Operations per benchmark invocation. */
    static final int OPS = 10_000;

    /** How many tasks take turns in {@code yieldCycle} (only that benchmark has the parameter). */
    @State(Scope.Thread)
    public static class Turns {
        /** The number of tasks. */
        @Param({"1", "100"})
        public int tasks;
    }

    private EventLoop loop;
    private Future<?> toA;
    private Future<?> toB;

    @Setup(Level.Trial)
    public void setUp() {
        loop = AvailablePollers.loop("auto", "task-bench");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        loop.close();
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public void yieldCycle(Turns turns) {
        int tasks = turns.tasks;
        int each = OPS / tasks;
        Task<Void> last = null;
        for (int t = 0; t < tasks; t++) {
            last = loop.createTask(() -> {
                for (int i = 0; i < each; i++) {
                    Task.yieldNow();
                }
            });
        }
        loop.runUntilComplete(last);
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public void pingPong() {
        int rounds = OPS / 2;
        toA = null;
        toB = null;
        Task<Void> a = loop.createTask(() -> {
            for (int i = 0; i < rounds; i++) {
                Future<Void> mine = loop.createFuture();
                toA = mine;
                pass(true);
                mine.await();
            }
            pass(true);
        });
        Task<Void> b = loop.createTask(() -> {
            for (int i = 0; i < rounds; i++) {
                Future<Void> mine = loop.createFuture();
                toB = mine;
                pass(false);
                mine.await();
            }
            pass(false);
        });
        loop.runUntilComplete(a);
        loop.runUntilComplete(b);
    }

    /** Completes the other task's pending future, if it waits. */
    @SuppressWarnings("unchecked")
    private void pass(boolean fromA) {
        Future<Void> other = (Future<Void>) (fromA ? toB : toA);
        if (other != null && !other.isDone()) {
            other.setResult(null);
        }
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public void spawnAndFinish() {
        Task<Integer> last = null;
        for (int i = 0; i < OPS; i++) {
            int n = i;
            last = loop.createTask(() -> n);
        }
        loop.runUntilComplete(last);
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public int spawnAndAwait() {
        return loop.runUntilComplete(loop.createTask(() -> {
            int sum = 0;
            for (int i = 0; i < OPS; i++) {
                int n = i;
                sum += loop.createTask(() -> n).await();
            }
            return sum;
        }));
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public int spawnAndAwaitEager() {
        return loop.runUntilComplete(loop.createTask(() -> {
            int sum = 0;
            for (int i = 0; i < OPS; i++) {
                int n = i;
                sum += loop.createTask(null, () -> n, true).await();
            }
            return sum;
        }));
    }

    @Benchmark
    @OperationsPerInvocation(OPS)
    public int spawnEagerThatSuspends() {
        return loop.runUntilComplete(loop.createTask(() -> {
            int sum = 0;
            for (int i = 0; i < OPS; i++) {
                int n = i;
                sum += loop.createTask(null, () -> {
                    Task.yieldNow();
                    return n;
                }, true).await();
            }
            return sum;
        }));
    }
}
