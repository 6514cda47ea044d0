package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.async.Async;
import dev.pollen.loop.CancelledException;
import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.loop.InvalidStateException;
import dev.pollen.loop.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The seed's programs (the asyncio tutorial this project grew from), written in Java and checked
 * for their output order and their elapsed time on a virtual clock: {@code hello}/{@code world}
 * with a 2 s sleep, {@code say_after} awaited in sequence (3 s) and as two tasks (2 s),
 * {@code compute}/{@code print_sum} printing {@code 1 + 2 = 3}, and a {@code Future} driven by
 * hand.
 *
 * <p><b>Threading:</b> JUnit's test thread runs the loops.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class SeedProgramsContract extends TaskTestSupport {

    private final List<String> out = new ArrayList<>();

    private EventLoop.Builder virtual() {
        return EventLoop.builder().poller(register(newPoller())).virtualTime(true)
                .exceptionHandler((l, c) -> loopErrors.add(c));
    }

    /** print(), stamped with the loop's (virtual) time in milliseconds. */
    private void print(String line) {
        out.add(EventLoop.current().time() / MILLI + " ms: " + line);
    }

    // seed: async def hello(): print("hello"); await asyncio.sleep(2); print("world")
    @Test
    void helloWorld() {
        Async.run(virtual(), () -> {
            print("hello");
            Async.sleep(Duration.ofSeconds(2));
            print("world");
            return null;
        });
        assertEquals(List.of("0 ms: hello", "2000 ms: world"), out);
    }

    private void sayAfter(long delaySeconds, String what) {
        Async.sleep(Duration.ofSeconds(delaySeconds));
        print(what);
    }

    // seed: await say_after(1, 'hello'); await say_after(2, 'world')  -> about 3 s
    @Test
    void sayAfterInSequenceTakesThreeSeconds() {
        Async.run(virtual(), () -> {
            print("started");
            sayAfter(1, "hello");
            sayAfter(2, "world");
            print("finished");
            return null;
        });
        assertEquals(List.of("0 ms: started", "1000 ms: hello", "3000 ms: world",
                "3000 ms: finished"), out);
    }

    // seed (asyncio docs' next step): the same as two tasks  -> about 2 s
    @Test
    void sayAfterAsTwoTasksTakesTwoSeconds() {
        Async.run(virtual(), () -> {
            Task<Void> task1 = Async.createTask(() -> sayAfter(1, "hello"));
            Task<Void> task2 = Async.createTask(() -> sayAfter(2, "world"));
            print("started");
            task1.await();
            task2.await();
            print("finished");
            return null;
        });
        assertEquals(List.of("0 ms: started", "1000 ms: hello", "2000 ms: world",
                "2000 ms: finished"), out);
    }

    private int compute(int x, int y) {
        print("Compute " + x + " + " + y + " ...");
        Async.sleep(Duration.ofSeconds(1));
        return x + y;
    }

    private void printSum(int x, int y) {
        int result = compute(x, y);
        print(x + " + " + y + " = " + result);
    }

    // seed: result = await compute(x, y); print(f"{x} + {y} = {result}")
    @Test
    void computeAndPrintSum() {
        Async.run(virtual(), () -> {
            printSum(1, 2);
            return null;
        });
        assertEquals(List.of("0 ms: Compute 1 + 2 ...", "1000 ms: 1 + 2 = 3"), out);
    }

    // seed: the Future object's methods: done, cancelled, cancel, set_result, set_exception,
    // result, exception, add_done_callback, remove_done_callback
    @Test
    void aFutureDrivenByHand() {
        EventLoop loop = newVirtualLoop();
        List<String> log = new ArrayList<>();
        Future<String> future = loop.createFuture();
        assertFalse(future.isDone());
        assertFalse(future.isCancelled());
        Consumer<Future<String>> removed = f -> log.add("removed callback ran");
        future.addDoneCallback(f -> log.add("done callback: " + f.result()));
        future.addDoneCallback(removed);
        assertEquals(1, future.removeDoneCallback(removed));
        future.setResult("the answer");
        assertTrue(future.isDone());
        assertEquals(List.of(), log, "callbacks are scheduled through the loop, not run inline");
        assertEquals("the answer", future.result());
        assertFalse(future.cancel(), "a done future cannot be cancelled");
        drain(loop);
        assertEquals(List.of("done callback: the answer"), log);

        Future<String> failed = loop.createFuture();
        IllegalStateException boom = new IllegalStateException("failed");
        failed.setException(boom);
        assertEquals(boom, failed.exception());
        assertThrows(IllegalStateException.class, failed::result);

        Future<String> cancelled = loop.createFuture();
        cancelled.addDoneCallback(f -> log.add("cancelled: " + f.isCancelled()));
        assertTrue(cancelled.cancel());
        assertTrue(cancelled.isCancelled() && cancelled.isDone());
        assertThrows(CancelledException.class, cancelled::result);
        assertThrows(InvalidStateException.class, () -> cancelled.setResult("late"));
        drain(loop);
        assertEquals(List.of("done callback: the answer", "cancelled: true"), log);
    }

    // seed: a Future awaited by a coroutine while a callback sets its result later
    @Test
    void aTaskAwaitsAFutureSetByACallback() {
        String r = Async.run(virtual(), () -> {
            Future<String> f = EventLoop.current().createFuture();
            EventLoop.current().callLater(Duration.ofMillis(500), () -> f.setResult("ready"));
            String v = f.await();
            print(v);
            return v;
        });
        assertEquals("ready", r);
        assertEquals(List.of("500 ms: ready"), out);
    }
}
