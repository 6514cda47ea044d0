package dev.pollen.examples;

import dev.pollen.async.Async;
import dev.pollen.loop.CancelledException;
import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.loop.Task;
import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The seed's programs (the asyncio tutorial Pollen grew from), in Java on Pollen's public API.
 * Each method runs one program on a new loop made by a builder and prints what the Python program
 * prints:
 *
 * <pre>
 * async def hello():                          Async.run(() -&gt; {
 *     print("hello")                              out.println("hello");
 *     await asyncio.sleep(2)                      Async.sleep(Duration.ofSeconds(2));
 *     print("world")                              out.println("world");
 * asyncio.run(hello())                        });
 * </pre>
 *
 * With a virtual-time builder ({@code EventLoop.builder().virtualTime(true)}) the programs run
 * in milliseconds and print the same times as they would in real time.
 *
 * <p><b>Threading:</b> each method runs its loop on the calling thread, which must not be running
 * a loop already.
 */
public final class SeedDemos {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private SeedDemos() {
    }

    /**
     * A builder for the named poller ({@code auto} for the best one).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param poller      the poller name
     * @param virtualTime whether the loop's clock jumps over sleeps
     * @return a new builder
     */
    public static EventLoop.Builder builder(String poller, boolean virtualTime) {
        return EventLoop.builder().poller(Objects.requireNonNull(poller, "poller"))
                .virtualTime(virtualTime);
    }

    /**
     * Runs every demo in turn on the named poller, in real time.
     *
     * <p><b>Threading:</b> a thread that runs no loop.
     *
     * @param poller the poller name, or {@code auto}
     * @param out    where to print
     */
    public static void runAll(String poller, PrintStream out) {
        runAll(poller, false, out);
    }

    /**
     * Runs every demo in turn on the named poller.
     *
     * <p><b>Threading:</b> a thread that runs no loop.
     *
     * @param poller      the poller name, or {@code auto}
     * @param virtualTime whether to skip the waiting (same output)
     * @param out         where to print
     */
    public static void runAll(String poller, boolean virtualTime, PrintStream out) {
        out.println("== hello: print, sleep 2 s, print");
        hello(builder(poller, virtualTime), out);
        out.println("== say_after, awaited one after the other (about 3 s)");
        sayAfterInSequence(builder(poller, virtualTime), out);
        out.println("== say_after, as two tasks (about 2 s)");
        sayAfterAsTasks(builder(poller, virtualTime), out);
        out.println("== compute / print_sum");
        printSum(builder(poller, virtualTime), out);
        out.println("== a Future driven by hand");
        futureByHand(builder(poller, virtualTime), out);
    }

    /**
     * {@code hello}: prints hello, sleeps 2 s, prints world.
     *
     * <p><b>Threading:</b> a thread that runs no loop.
     *
     * @param loop the loop's settings
     * @param out  where to print
     */
    public static void hello(EventLoop.Builder loop, PrintStream out) {
        Async.run(loop, () -> {
            out.println("hello");
            Async.sleep(Duration.ofSeconds(2));
            out.println("world");
            return null;
        });
    }

    /** {@code async def say_after(delay, what)}: a plain method; it awaits inside. */
    private static void sayAfter(PrintStream out, long delaySeconds, String what) {
        Async.sleep(Duration.ofSeconds(delaySeconds));
        out.println(what);
    }

    /**
     * {@code main()} awaiting {@code say_after(1, 'hello')} then {@code say_after(2, 'world')}:
     * about 3 s in total.
     *
     * <p><b>Threading:</b> a thread that runs no loop.
     *
     * @param loop the loop's settings
     * @param out  where to print
     */
    public static void sayAfterInSequence(EventLoop.Builder loop, PrintStream out) {
        Async.run(loop, () -> {
            Clock clock = new Clock();
            out.println("started at " + clock.now());
            sayAfter(out, 1, "hello");
            sayAfter(out, 2, "world");
            out.println("finished at " + clock.now() + " (" + clock.elapsed() + ")");
            return null;
        });
    }

    /**
     * The same as two tasks running concurrently: about 2 s in total.
     *
     * <p><b>Threading:</b> a thread that runs no loop.
     *
     * @param loop the loop's settings
     * @param out  where to print
     */
    public static void sayAfterAsTasks(EventLoop.Builder loop, PrintStream out) {
        Async.run(loop, () -> {
            Task<Void> task1 = Async.createTask(() -> sayAfter(out, 1, "hello"));
            Task<Void> task2 = Async.createTask(() -> sayAfter(out, 2, "world"));
            Clock clock = new Clock();
            out.println("started at " + clock.now());
            task1.await();
            task2.await();
            out.println("finished at " + clock.now() + " (" + clock.elapsed() + ")");
            return null;
        });
    }

    /** {@code async def compute(x, y)}. */
    private static int compute(PrintStream out, int x, int y) {
        out.println("Compute " + x + " + " + y + " ...");
        Async.sleep(Duration.ofSeconds(1));
        return x + y;
    }

    /**
     * {@code print_sum(1, 2)} awaiting {@code compute(1, 2)}: prints {@code Compute 1 + 2 ...},
     * then, a second later, {@code 1 + 2 = 3}.
     *
     * <p><b>Threading:</b> a thread that runs no loop.
     *
     * @param loop the loop's settings
     * @param out  where to print
     */
    public static void printSum(EventLoop.Builder loop, PrintStream out) {
        Async.run(loop, () -> {
            int x = 1;
            int y = 2;
            int result = compute(out, x, y);
            out.println(x + " + " + y + " = " + result);
            return null;
        });
    }

    /**
     * A {@link Future} driven by hand: {@code isDone}/{@code isCancelled}, a done-callback,
     * {@code setResult} (the callback runs later, through the loop), a task awaiting a future a
     * timer completes, and {@code cancel}.
     *
     * <p><b>Threading:</b> a thread that runs no loop.
     *
     * @param loop the loop's settings
     * @param out  where to print
     */
    public static void futureByHand(EventLoop.Builder loop, PrintStream out) {
        Async.run(loop, () -> {
            EventLoop l = EventLoop.current();
            Future<String> future = l.createFuture();
            out.println("done? " + future.isDone() + ", cancelled? " + future.isCancelled());
            Consumer<Future<String>> callback = f -> out.println("done callback got: " + f.result());
            future.addDoneCallback(callback);
            future.setResult("the answer");
            out.println("after setResult: done? " + future.isDone() + ", result: "
                    + future.result());
            Async.yieldNow(); // the callback runs in the next loop step, not inside setResult
            out.println("cancel() on a done future: " + future.cancel());

            Future<Integer> later = l.createFuture();
            l.callLater(Duration.ofMillis(500), () -> later.setResult(42));
            out.println("awaited a future a timer completed: " + later.await());

            Future<String> doomed = l.createFuture();
            doomed.addDoneCallback(f -> out.println("done callback of the cancelled future: "
                    + "cancelled? " + f.isCancelled()));
            out.println("cancel(): " + doomed.cancel("not needed"));
            try {
                doomed.result();
            } catch (CancelledException e) {
                out.println("result() threw CancelledException: " + e.getMessage());
            }
            Async.yieldNow();
            return null;
        });
    }

    /** Wall-clock times for the say_after demos, advanced by the loop's (maybe virtual) clock. */
    private static final class Clock {
        private final EventLoop loop = EventLoop.current();
        private final LocalTime wallStart = LocalTime.now();
        private final long loopStart = loop.time();

        String now() {
            return wallStart.plusNanos(loop.time() - loopStart).format(CLOCK);
        }

        String elapsed() {
            return String.format("%.2f s", (loop.time() - loopStart) / 1e9);
        }
    }

    /**
     * Runs every demo: {@code SeedDemos [poller] [--virtual]}.
     *
     * <p><b>Threading:</b> the main thread.
     *
     * @param args an optional poller name and {@code --virtual}
     */
    public static void main(String[] args) {
        String poller = "auto";
        boolean virtual = false;
        for (String a : args) {
            if (a.equals("--virtual")) {
                virtual = true;
            } else {
                poller = a;
            }
        }
        runAll(poller, virtual, System.out);
    }
}
