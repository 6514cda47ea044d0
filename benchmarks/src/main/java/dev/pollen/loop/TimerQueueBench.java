package dev.pollen.loop;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The timer-structure comparison behind the loop's choice (docs/decisions.md): the indexed
 * binary heap the loop uses ({@link TimerHeap}, O(log n) removal on cancel) against asyncio's
 * lazy-deletion heap ({@link LazyTimerQueue}), with 1,000 and 1,000,000 timers pending.
 *
 * <ul>
 *   <li>{@code scheduleCancel}: schedule one timer at a random deadline among the pending ones,
 *       then cancel it — the typical life of an idle or request timeout.</li>
 *   <li>{@code scheduleFire}: schedule one timer and pop the earliest — a steady stream of
 *       timers firing.</li>
 * </ul>
 * It lives in the loop's package because it measures package-private internals; everything else
 * in the benchmarks uses public API only.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class TimerQueueBench {

    @Param({"1000", "1000000"})
    public int pending;

    @Param({"indexed-heap", "lazy-heap"})
    public String structure;

    private TimerHeap indexed;
    private LazyTimerQueue lazy;
    private SplittableRandom random;
    private long seq;
    private long now;

    @Setup(Level.Trial)
    public void fill() {
        random = new SplittableRandom(42);
        indexed = new TimerHeap();
        lazy = new LazyTimerQueue();
        for (int i = 0; i < pending; i++) {
            long deadline = random.nextLong(1_000_000_000L);
            if (structure.equals("indexed-heap")) {
                indexed.add(new TimerHandle(null, deadline, seq++, null));
            } else {
                lazy.add(deadline);
            }
        }
    }

    @Benchmark
    public Object scheduleCancel() {
        long deadline = random.nextLong(1_000_000_000L);
        if (structure.equals("indexed-heap")) {
            TimerHandle t = new TimerHandle(null, deadline, seq++, null);
            indexed.add(t);
            indexed.remove(t);
            return t;
        }
        Object h = lazy.add(deadline);
        lazy.cancel(h);
        return h;
    }

    @Benchmark
    public Object scheduleFire() {
        // deadlines move forward like a clock, so the heap keeps its size and shape
        now += 1000;
        long deadline = now + random.nextLong(1_000_000_000L);
        if (structure.equals("indexed-heap")) {
            indexed.add(new TimerHandle(null, deadline, seq++, null));
            return indexed.poll();
        }
        lazy.add(deadline);
        return lazy.poll();
    }
}
