package dev.pollen.async;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Task;
import dev.pollen.testkit.ParkingPoller;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Every entry point that takes a body accepts, without casts or {@code return null}, both a
 * statement-block lambda that throws a checked exception (the {@link dev.pollen.loop.ThrowingRunnable}
 * overload) and a lambda that returns a value (the {@code Callable} overload). These lambdas are
 * compiled by javac with this class: if an overload pair became ambiguous or a void lambda fell
 * on a {@code Runnable} again, this file would not compile. The assertions check that each shape
 * reached the overload meant for it (a value comes back; a void body's checked exception fails the
 * task with that very exception).
 *
 * <p><b>Threading:</b> JUnit's test thread runs the loops.
 */
class VoidBodyOverloadsTest {

    private static final IOException BOOM = new IOException("boom");

    /** Stands for Net.startServer and the like: void, throws a checked exception. */
    private static void mayThrow(List<String> log, boolean fail) throws IOException {
        log.add("ran");
        if (fail) {
            throw BOOM;
        }
    }

    private static EventLoop.Builder loop() {
        return EventLoop.builder().poller(new ParkingPoller());
    }

    @Test
    void asyncRunTakesAVoidBlockThatThrowsAndAValueLambda() {
        List<String> log = new ArrayList<>();
        Async.run(loop(), () -> {
            mayThrow(log, false);
        });
        assertEquals(List.of("ran"), log);
        Throwable t = assertThrows(Throwable.class, () -> Async.run(loop(), () -> {
            mayThrow(log, true);
        }));
        assertSame(BOOM, rootOf(t));
        int v = Async.run(loop(), () -> 42);
        assertEquals(42, v);
    }

    @Test
    void runnerRunTakesBothShapes() {
        List<String> log = new ArrayList<>();
        try (Runner r = Runner.builder().loopFactory(() -> loop().build()).build()) {
            r.run(() -> {
                mayThrow(log, false);
            });
            assertEquals("x", r.run(() -> "x"));
        }
        assertEquals(List.of("ran"), log);
    }

    @Test
    void createTaskEverywhereTakesAVoidBlockThatThrows() {
        List<String> log = new ArrayList<>();
        Async.run(loop(), () -> {
            EventLoop l = EventLoop.current();
            Task<Void> a = Async.createTask(() -> {
                mayThrow(log, false);
            });
            Task<Void> b = Async.createTask("named", () -> {
                mayThrow(log, true);
            });
            Task<Void> c = l.createTask(() -> {
                mayThrow(log, false);
            });
            Task<Void> d = l.createTask("eager", () -> {
                mayThrow(log, false);
            }, true);
            Task<Integer> e = l.createTask(() -> 7);
            Async.wait(List.of(a, b, c, d, e), null, ReturnWhen.ALL_COMPLETED);
            assertNull(a.result());
            assertSame(BOOM, b.exception());
            assertEquals(7, e.result());
            AtomicReference<Task<Void>> inGroup = new AtomicReference<>();
            Async.taskGroup(g -> {
                inGroup.set(g.createTask(() -> {
                    mayThrow(log, false);
                }));
                g.createTask("n", () -> {
                    mayThrow(log, false);
                }, false);
                Task<String> s = g.createTask(() -> "v");
                Async.sleep(Duration.ZERO);
                assertEquals("v", s.result());
            });
            assertNull(inGroup.get().result());
        });
        assertEquals(6, log.size());
    }

    @Test
    void blocksAndThreadsTakeBothShapes() {
        List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
        Async.run(loop(), () -> {
            Lock lock = new Lock();
            lock.withLock(() -> {
                mayThrow(log, false);
            });
            assertEquals(1, (int) lock.withLock(() -> 1));
            new Condition().withLock(() -> {
                mayThrow(log, false);
            });
            new Semaphore(1).withPermit(() -> {
                mayThrow(log, false);
            });
            Async.timeout(Duration.ofSeconds(5), () -> {
                mayThrow(log, false);
            });
            assertEquals("t", Async.timeout(Duration.ofSeconds(5), () -> "t"));
            Async.toThread(() -> {
                mayThrow(log, false);
            });
            assertEquals(3, (int) Async.toThread(() -> 3));
            Async.runInExecutor(null, () -> {
                mayThrow(log, false);
            }).await();
            Throwable t = assertThrows(Throwable.class, () -> Async.toThread(() -> {
                mayThrow(log, true);
            }));
            assertSame(BOOM, rootOf(t));
        });
        assertEquals(7, log.size());
    }

    @Test
    void runCoroutineThreadsafeTakesBothShapes() throws Exception {
        List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
        EventLoop l = loop().build();
        try {
            CompletableFuture<Void> v = Async.runCoroutineThreadsafe(l, () -> {
                mayThrow(log, true);
            });
            CompletableFuture<String> s = Async.runCoroutineThreadsafe(l, () -> "s");
            Thread runner = new Thread(() -> l.runUntilComplete(l.createTask(() -> {
                while (!(v.isDone() && s.isDone())) {
                    Async.sleep(Duration.ofMillis(1));
                }
            })));
            runner.start();
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> v.get(10, TimeUnit.SECONDS));
            assertSame(BOOM, e.getCause());
            assertEquals("s", s.get(10, TimeUnit.SECONDS));
            runner.join(10_000);
        } finally {
            l.close();
        }
    }

    private static Throwable rootOf(Throwable t) {
        while (t.getCause() != null && t != t.getCause()) {
            if (t == BOOM) {
                return t;
            }
            t = t.getCause();
        }
        return t;
    }

    @Test
    void rootOfFindsTheCheckedException() {
        assertInstanceOf(IOException.class, rootOf(new RuntimeException(BOOM)));
    }
}
