package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.loop.Handle;
import dev.pollen.loop.TimerHandle;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.SocketOptions;
import dev.pollen.spi.StreamSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link EventLoop} contract on a backend: scheduling order, timers, stop/run semantics,
 * cross-thread hand-in, errors, thread checks and fd watchers. Ports the applicable
 * {@code call_soon}/{@code call_later}/{@code call_at}/{@code run_until_complete}/{@code stop}
 * cases of CPython's {@code test_base_events.py} (named on each test).
 *
 * <p><b>Threading:</b> JUnit's test thread runs the loops unless a test says otherwise.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class LoopContract extends BackendFixture {

    private static final long MS = 1_000_000L;

    // test_base_events: test_call_soon
    @Test
    void callSoonRunsCallbacksInFifoOrder() {
        EventLoop loop = newLoop();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            int n = i;
            loop.callSoon(() -> order.add(n));
        }
        loop.callSoon(loop::stop);
        loop.runForever();
        assertEquals(100, order.size());
        for (int i = 0; i < 100; i++) {
            assertEquals(i, order.get(i));
        }
    }

    // test_base_events: test__run_once (callbacks added during a step wait one turn)
    @Test
    void callbacksAddedDuringAStepRunInTheNextOne() {
        EventLoop loop = newLoop();
        List<String> order = new ArrayList<>();
        AtomicLong iterationOfB = new AtomicLong();
        AtomicLong iterationOfA = new AtomicLong();
        loop.callSoon(() -> {
            order.add("a");
            iterationOfA.set(loop.stats().iterations());
            loop.callSoon(() -> {
                order.add("b");
                iterationOfB.set(loop.stats().iterations());
                loop.stop();
            });
        });
        loop.callSoon(() -> order.add("c"));
        loop.runForever();
        assertEquals(List.of("a", "c", "b"), order);
        assertEquals(iterationOfA.get() + 1, iterationOfB.get());
    }

    @Test
    void cancelledHandleDoesNotRun() {
        EventLoop loop = newLoop();
        AtomicInteger ran = new AtomicInteger();
        Handle h = loop.callSoon(ran::incrementAndGet);
        h.cancel();
        assertTrue(h.isCancelled());
        loop.callSoon(loop::stop);
        loop.runForever();
        assertEquals(0, ran.get());
    }

    // test_base_events: test_call_later
    @Test
    void callLaterNeverFiresEarly() {
        EventLoop loop = newLoop();
        long[] fired = new long[5];
        long start = loop.time();
        long[] delays = {1, 5, 10, 20, 30};
        AtomicInteger left = new AtomicInteger(delays.length);
        for (int i = 0; i < delays.length; i++) {
            int idx = i;
            loop.callLater(Duration.ofMillis(delays[i]), () -> {
                fired[idx] = loop.time();
                if (left.decrementAndGet() == 0) {
                    loop.stop();
                }
            });
        }
        loop.runForever();
        for (int i = 0; i < delays.length; i++) {
            long elapsed = fired[i] - start;
            assertTrue(elapsed >= delays[i] * MS, "timer of " + delays[i] + " ms fired after "
                    + elapsed + " ns");
        }
    }

    // test_base_events: test_call_later_negative_delays
    @Test
    void timersRunInDeadlineOrderAndEqualDeadlinesInSchedulingOrder() {
        // Virtual time: the clock only moves when the loop jumps, so a descheduled test thread
        // cannot reorder deadlines computed from separate reads of the clock.
        EventLoop loop = newVirtualLoop();
        List<Integer> order = new ArrayList<>();
        long now = loop.time();
        loop.callAt(now + 3 * MS, () -> order.add(3));
        loop.callAt(now + 1 * MS, () -> order.add(1));
        loop.callAt(now + 2 * MS, () -> order.add(20));
        loop.callAt(now + 2 * MS, () -> order.add(21));
        loop.callLater(Duration.ofMillis(-10), () -> order.add(-10));
        loop.callLater(Duration.ofMillis(-20), () -> order.add(-20));
        loop.callAt(now + 4 * MS, loop::stop);
        loop.runForever();
        assertEquals(List.of(-20, -10, 1, 20, 21, 3), order);
    }

    // test_base_events: test_call_at
    @Test
    void callAtUsesTheLoopClock() {
        EventLoop loop = newLoop();
        long deadline = loop.time() + 15 * MS;
        AtomicLong firedAt = new AtomicLong();
        TimerHandle t = loop.callAt(deadline, () -> {
            firedAt.set(loop.time());
            loop.stop();
        });
        assertEquals(deadline, t.when());
        loop.runForever();
        assertTrue(firedAt.get() >= deadline);
    }

    @Test
    void cancelledTimersNeitherRunNorAccumulate() {
        EventLoop loop = newLoop();
        AtomicInteger ran = new AtomicInteger();
        List<TimerHandle> handles = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            handles.add(loop.callLater(Duration.ofHours(1), ran::incrementAndGet));
        }
        assertEquals(100_000, loop.stats().timersPending());
        for (TimerHandle h : handles) {
            h.cancel();
        }
        assertEquals(0, loop.stats().timersPending(), "cancelled timers must leave the queue at once");
        TimerHandle kept = loop.callLater(Duration.ofMillis(1), loop::stop);
        loop.runForever();
        assertEquals(0, ran.get());
        assertFalse(kept.isCancelled());
        assertEquals(0, loop.stats().timersPending());
    }

    @Test
    void cancellingATimerFromAnotherTimerInTheSameBatchPreventsIt() {
        EventLoop loop = newLoop();
        List<String> ran = new ArrayList<>();
        long at = loop.time() + 2 * MS;
        TimerHandle[] second = new TimerHandle[1];
        loop.callAt(at, () -> {
            ran.add("first");
            second[0].cancel();
        });
        second[0] = loop.callAt(at, () -> ran.add("second"));
        loop.callAt(at + 5 * MS, loop::stop);
        loop.runForever();
        assertEquals(List.of("first"), ran);
    }

    // test_base_events: test_run_until_complete
    @Test
    void runUntilCompleteReturnsTheResult() {
        EventLoop loop = newLoop();
        Future<String> f = loop.createFuture();
        loop.callLater(Duration.ofMillis(5), () -> f.setResult("done"));
        assertEquals("done", loop.runUntilComplete(f));
        assertFalse(loop.isRunning());
    }

    @Test
    void runUntilCompleteRethrowsTheException() {
        EventLoop loop = newLoop();
        Future<String> f = loop.createFuture();
        loop.callSoon(() -> f.setException(new IllegalArgumentException("boom")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loop.runUntilComplete(f));
        assertEquals("boom", e.getMessage());
    }

    // test_base_events: test_run_until_complete_loop (future of another loop)
    @Test
    void runUntilCompleteRefusesAFutureOfAnotherLoop() {
        EventLoop loop = newLoop();
        EventLoop other = newLoop();
        Future<String> f = other.createFuture();
        assertThrows(IllegalArgumentException.class, () -> loop.runUntilComplete(f));
    }

    // test_base_events: test_run_until_complete_stopped
    @Test
    void runUntilCompleteFailsWhenTheLoopStopsFirst() {
        EventLoop loop = newLoop();
        Future<String> f = loop.createFuture();
        loop.callSoon(loop::stop);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> loop.runUntilComplete(f));
        assertTrue(e.getMessage().contains("stopped before the future completed"), e.getMessage());
        // the loop can run again and finish the job
        loop.callSoon(() -> f.setResult("later"));
        assertEquals("later", loop.runUntilComplete(f));
    }

    // test_base_events: test_run_forever_pre_stopped (stop before run: one iteration)
    @Test
    void stopBeforeRunMakesTheNextRunDoOneIteration() {
        EventLoop loop = newLoop();
        AtomicInteger ran = new AtomicInteger();
        loop.callSoon(ran::incrementAndGet);
        loop.stop();
        loop.runForever();
        assertEquals(1, ran.get());
        loop.callSoon(loop::stop);
        loop.runForever(); // and the flag is reset
    }

    // test_base_events: test_stop (the current batch finishes)
    @Test
    void stopLetsTheCurrentBatchFinish() {
        EventLoop loop = newLoop();
        List<String> order = new ArrayList<>();
        loop.callSoon(() -> {
            order.add("stopper");
            loop.stop();
            loop.callSoon(() -> order.add("next-run"));
        });
        loop.callSoon(() -> order.add("same-batch"));
        loop.runForever();
        assertEquals(List.of("stopper", "same-batch"), order);
        loop.callSoon(loop::stop);
        loop.runForever();
        assertEquals(List.of("stopper", "same-batch", "next-run"), order);
    }

    @Test
    void callSoonThreadsafeWakesABlockedLoop() throws Exception {
        EventLoop loop = newLoop();
        CountDownLatch blocked = new CountDownLatch(1);
        loop.callSoon(blocked::countDown);
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        Thread helper = new Thread(() -> {
            try {
                blocked.await();
                Thread.sleep(50); // let the loop block in poll with no timer
            } catch (InterruptedException e) {
                return;
            }
            loop.callSoonThreadsafe(() -> {
                ranOn.set(Thread.currentThread());
                loop.stop();
            });
        });
        helper.start();
        loop.runForever();
        helper.join();
        assertSame(Thread.currentThread(), ranOn.get());
    }

    @Test
    void crossThreadSubmissionsAllRunExactlyOnce() throws Exception {
        EventLoop loop = newLoop();
        int threads = 4;
        int each = 50_000;
        AtomicInteger ran = new AtomicInteger();
        Thread loopThread = loop.startThread();
        Thread[] producers = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            producers[i] = new Thread(() -> {
                for (int j = 0; j < each; j++) {
                    loop.callSoonThreadsafe(ran::incrementAndGet);
                    if ((j & 1023) == 0) {
                        Thread.yield(); // let the loop block now and then: wakeups get exercised
                    }
                }
            });
            producers[i].start();
        }
        for (Thread p : producers) {
            p.join();
        }
        CountDownLatch done = new CountDownLatch(1);
        loop.callSoonThreadsafe(done::countDown);
        assertTrue(done.await(30, TimeUnit.SECONDS), "a submission was lost (lost wakeup?)");
        assertEquals(threads * each, ran.get());
        loop.close();
        assertFalse(loopThread.isAlive());
        assertTrue(loop.isClosed());
    }

    @Test
    void startThreadNamesTheThreadAfterTheLoop() throws Exception {
        EventLoop loop = register(EventLoop.builder().poller(newPoller()).name("orders-loop").build());
        CompletableFutureHolder<String> name = new CompletableFutureHolder<>();
        Thread t = loop.startThread();
        loop.callSoonThreadsafe(() -> name.set(Thread.currentThread().getName()));
        assertEquals("orders-loop", name.get());
        assertEquals("orders-loop", t.getName());
        assertThrows(IllegalStateException.class, loop::startThread);
        loop.close();
    }

    /** A tiny latch with a value. */
    private static final class CompletableFutureHolder<T> {
        private final java.util.concurrent.CompletableFuture<T> cf = new java.util.concurrent.CompletableFuture<>();

        void set(T v) {
            cf.complete(v);
        }

        T get() throws Exception {
            return cf.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void loopThreadOnlyMethodsThrowOnAnotherThreadWhileRunning() throws Exception {
        EventLoop loop = newLoop();
        loop.startThread();
        CountDownLatch running = new CountDownLatch(1);
        loop.callSoonThreadsafe(running::countDown);
        assertTrue(running.await(10, TimeUnit.SECONDS));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> loop.callSoon(() -> { }));
        assertTrue(e.getMessage().contains("callSoon"), e.getMessage());
        assertTrue(e.getMessage().contains(loop.name()), e.getMessage());
        assertThrows(IllegalStateException.class, () -> loop.callLater(Duration.ZERO, () -> { }));
        Future<String> f = loop.createFuture();
        IllegalStateException e2 = assertThrows(IllegalStateException.class, () -> f.setResult("x"));
        assertTrue(e2.getMessage().contains("Future.setResult"), e2.getMessage());
        loop.close();
    }

    @Test
    void aThrowingCallbackGoesToTheExceptionHandlerAndTheLoopGoesOn() {
        EventLoop loop = newLoop();
        AtomicInteger after = new AtomicInteger();
        loop.callSoon(() -> {
            throw new IllegalStateException("callback failure");
        });
        loop.callSoon(after::incrementAndGet);
        loop.callLater(Duration.ofMillis(1), () -> {
            throw new ArithmeticException("timer failure");
        });
        loop.callLater(Duration.ofMillis(3), loop::stop);
        loop.runForever();
        assertEquals(1, after.get());
        assertEquals(2, loopErrors.size(), loopErrors.toString());
        assertEquals("callback failure", loopErrors.get(0).exception().getMessage());
        assertTrue(loopErrors.get(0).message().contains("exception in callback"));
        assertTrue(loopErrors.get(1).exception() instanceof ArithmeticException);
    }

    @Test
    void aThrowingExceptionHandlerDoesNotStopTheLoop() {
        EventLoop loop = newLoop();
        loop.setExceptionHandler((l, ctx) -> {
            throw new IllegalStateException("handler failure");
        });
        AtomicInteger after = new AtomicInteger();
        loop.callSoon(() -> {
            throw new IllegalStateException("callback failure");
        });
        loop.callSoon(after::incrementAndGet);
        loop.callSoon(loop::stop);
        loop.runForever();
        assertEquals(1, after.get());
    }

    // ------------------------------------------------------------------ the loop never dies

    @Test
    void errorsThrownByCallbacksTimersDoneCallbacksAndTasksAreReportedAndTheLoopGoesOn() {
        EventLoop loop = newLoop();
        List<Throwable> thrown = List.of(new OutOfMemoryError("boom: callSoon OOME"),
                new InternalError("boom: callSoon InternalError"),
                new StackOverflowError("boom: callSoon SOE"),
                new ExceptionInInitializerError("boom: callSoon EIIE"),
                new NoClassDefFoundError("boom: callSoon NCDFE"),
                new AssertionError("boom: callSoon assert"),
                new java.io.IOException("boom: callSoon checked"));
        for (Throwable t : thrown) {
            loop.callSoon(() -> throwAny(t));
        }
        OutOfMemoryError timer = new OutOfMemoryError("boom: timer");
        loop.callLater(Duration.ofMillis(1), () -> {
            throw timer;
        });
        InternalError doneCallback = new InternalError("boom: done-callback");
        Future<String> f = loop.createFuture();
        f.addDoneCallback(x -> {
            throw doneCallback;
        });
        f.setResult("x");
        LinkageError threadsafe = new LinkageError("boom: callSoonThreadsafe");
        loop.callSoonThreadsafe(() -> {
            throw threadsafe;
        });
        OutOfMemoryError inTask = new OutOfMemoryError("boom: task");
        var task = loop.createTask(() -> {
            dev.pollen.async.Async.sleep(Duration.ofMillis(1));
            throw inTask;
        });
        AtomicInteger after = new AtomicInteger();
        loop.callLater(Duration.ofMillis(5), after::incrementAndGet);
        task.addDoneCallback(x -> loop.callLater(Duration.ofMillis(5), loop::stop));
        loop.runForever();

        assertEquals(1, after.get(), "the loop went on after every failure");
        List<Throwable> reported = loopErrors.stream().map(c -> c.exception()).toList();
        for (Throwable t : thrown) {
            assertTrue(reported.contains(t), t + " not reported: " + reported);
        }
        for (Throwable t : List.of(timer, doneCallback, threadsafe)) {
            assertTrue(reported.contains(t), t + " not reported: " + reported);
        }
        assertSame(inTask, task.exception(), "an error ends the task, not the loop");
        // ... and the loop still runs what comes next
        Future<String> later = loop.createFuture();
        loop.callLater(Duration.ofMillis(1), () -> later.setResult("still alive"));
        assertEquals("still alive", loop.runUntilComplete(later));
    }

    @Test
    void anExceptionHandlerThatThrowsAnErrorPassesBothReportsToTheDefaultHandling() {
        EventLoop loop = newLoop();
        ExceptionInInitializerError handlerFailure = new ExceptionInInitializerError("handler down");
        loop.setExceptionHandler((l, ctx) -> {
            throw handlerFailure;
        });
        IllegalStateException failure = new IllegalStateException("boom: callback");
        List<LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (var captured = captureLoopLog(records::add)) {
            loop.callSoon(() -> {
                throw failure;
            });
            AtomicInteger after = new AtomicInteger();
            loop.callSoon(after::incrementAndGet);
            loop.callSoon(loop::stop);
            loop.runForever();
            assertEquals(1, after.get());
        }
        List<Throwable> logged = records.stream().map(LogRecord::getThrown).toList();
        assertTrue(logged.contains(failure), "the report itself reached the log: " + logged);
        assertTrue(logged.contains(handlerFailure), "and so did the handler's failure: " + logged);
    }

    @Test
    void whenTheLoggerFailsTooTheReportIsAPlainLineOnStandardError() {
        EventLoop loop = newLoop();
        loop.setExceptionHandler(null); // the default: System.Logger
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.err;
        AtomicInteger after = new AtomicInteger();
        // what SimpleFormatter threw under EMFILE: the time-zone database could not be opened
        try (var broken = captureLoopLog(r -> {
            throw new ExceptionInInitializerError("tzdb.dat: Too many open files (test)");
        })) {
            System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            loop.callSoon(() -> {
                throw new IllegalStateException("boom: logger down");
            });
            loop.callSoon(after::incrementAndGet);
            loop.callSoon(loop::stop);
            loop.runForever();
        } finally {
            System.setErr(original);
        }
        assertEquals(1, after.get(), "the loop went on");
        String text = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        List<String> lines = text.lines().filter(l -> l.contains("boom: logger down")).toList();
        assertEquals(1, lines.size(), "one plain line: " + text);
        String line = lines.get(0);
        assertTrue(line.startsWith("pollen: loop " + loop.name() + ": exception in callback"), line);
        assertTrue(line.contains("java.lang.IllegalStateException: boom: logger down"), line);
        assertTrue(line.contains("ExceptionInInitializerError: tzdb.dat"), line);
    }

    @Test
    void aCloseHookThatThrowsAnErrorIsReportedAndTheOtherHooksStillRun() {
        EventLoop loop = newLoop();
        OutOfMemoryError oom = new OutOfMemoryError("boom: close hook");
        AtomicInteger ran = new AtomicInteger();
        loop.addCloseHook(() -> {
            throw oom;
        });
        loop.addCloseHook(ran::incrementAndGet);
        loop.close();
        assertTrue(loop.isClosed());
        assertEquals(1, ran.get());
        assertTrue(loopErrors.stream().anyMatch(c -> c.exception() == oom), loopErrors.toString());
    }

    @Test
    void aPollThatKeepsFailingIsReportedAndRetriedWithoutSpinning() {
        FlakyPoller poller = new FlakyPoller(newPoller());
        EventLoop loop = register(EventLoop.builder().poller(poller)
                .exceptionHandler((l, ctx) -> loopErrors.add(ctx)).build());
        loop.callSoon(() -> poller.failing = true);
        loop.callLater(Duration.ofMillis(300), () -> poller.failing = false);
        loop.callLater(Duration.ofMillis(400), loop::stop);
        long t0 = System.nanoTime();
        loop.runForever();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        int failed = poller.failedPolls.get();
        assertTrue(failed >= 2, "the poll failed " + failed + " times");
        // pauses of 1, 2, 4 ... ms after the second failure in a row: about a dozen failed polls
        // in 300 ms, where a spinning loop makes tens of thousands
        assertTrue(failed < 60, failed + " failed polls in " + ms + " ms: the loop spins");
        assertEquals(failed, loopErrors.stream().filter(c -> c.exception() == FlakyPoller.FAILURE)
                .count(), "each failure reported: " + loopErrors);
        assertTrue(loopErrors.get(0).message().contains("poller"), loopErrors.get(0).message());
        // it polls again once the poller recovers
        Future<String> f = loop.createFuture();
        loop.callLater(Duration.ofMillis(1), () -> f.setResult("recovered"));
        assertEquals("recovered", loop.runUntilComplete(f));
    }

    @Test
    void aLoopWhosePollerIsClosedUnderItStopsWithAnErrorInsteadOfSpinning() {
        EventLoop loop = newLoop();
        loop.callSoon(() -> loop.poller().close());
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                Duration.ofSeconds(20), () -> assertThrows(IllegalStateException.class,
                        loop::runForever), "the loop kept running on a closed poller");
        assertTrue(e.getMessage().contains("cannot go on") && e.getMessage().contains("closed"),
                e.getMessage());
        assertFalse(loop.isRunning());
        loop.close();
        assertTrue(loop.isClosed());
    }

    /** Throws {@code t} whatever its type (a checked one too, as a callback of Java code can). */
    @SuppressWarnings("unchecked")
    static <T extends Throwable> void throwAny(Throwable t) throws T {
        throw (T) t;
    }

    /**
     * Sends the loop's log records (the {@code System.Logger} of {@link EventLoop}, which is
     * {@code java.util.logging} here) to {@code sink} instead of the console until closed.
     */
    static Capture captureLoopLog(java.util.function.Consumer<LogRecord> sink) {
        Logger jul = Logger.getLogger(EventLoop.class.getName());
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                sink.accept(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        boolean parents = jul.getUseParentHandlers();
        jul.addHandler(h);
        jul.setUseParentHandlers(false);
        return () -> {
            jul.removeHandler(h);
            jul.setUseParentHandlers(parents);
        };
    }

    /** Undoes {@link #captureLoopLog}. */
    interface Capture extends AutoCloseable {
        @Override
        void close();
    }

    /** A poller that delegates, except that its poll throws while {@link #failing} is set. */
    static final class FlakyPoller extends DelegatingPoller {
        static final java.io.UncheckedIOException FAILURE = new java.io.UncheckedIOException(
                new java.io.IOException("epoll_wait: EBADF (test)"));
        final AtomicInteger failedPolls = new AtomicInteger();
        volatile boolean failing;

        FlakyPoller(dev.pollen.spi.Poller delegate) {
            super(delegate);
        }

        @Override
        public int poll(long timeoutNanos) {
            if (failing) {
                failedPolls.incrementAndGet();
                throw FAILURE;
            }
            return delegate.poll(timeoutNanos);
        }
    }

    @Test
    void runningTwiceOrNestedIsRefused() {
        EventLoop loop = newLoop();
        EventLoop other = newLoop();
        AtomicReference<Throwable> nestedSame = new AtomicReference<>();
        AtomicReference<Throwable> nestedOther = new AtomicReference<>();
        loop.callSoon(() -> {
            try {
                loop.runForever();
            } catch (IllegalStateException e) {
                nestedSame.set(e);
            }
            try {
                other.runForever();
            } catch (IllegalStateException e) {
                nestedOther.set(e);
            }
            loop.stop();
        });
        loop.runForever();
        assertNotNull(nestedSame.get());
        assertTrue(nestedSame.get().getMessage().contains("already running"));
        assertNotNull(nestedOther.get());
    }

    @Test
    void currentIsTheRunningLoop() {
        EventLoop loop = newLoop();
        assertNull(EventLoop.currentOrNull());
        assertThrows(IllegalStateException.class, EventLoop::current);
        AtomicReference<EventLoop> seen = new AtomicReference<>();
        loop.callSoon(() -> {
            seen.set(EventLoop.current());
            loop.stop();
        });
        loop.runForever();
        assertSame(loop, seen.get());
        assertNull(EventLoop.currentOrNull());
    }

    // test_base_events: test_close / test_run_forever_closed
    @Test
    void closeRules() {
        EventLoop loop = newLoop();
        AtomicReference<Throwable> closeWhileRunning = new AtomicReference<>();
        loop.callSoon(() -> {
            try {
                loop.close();
            } catch (IllegalStateException e) {
                closeWhileRunning.set(e);
            }
            loop.stop();
        });
        loop.runForever();
        assertNotNull(closeWhileRunning.get(), "closing a running loop on its thread must fail");
        loop.close();
        loop.close(); // idempotent
        assertTrue(loop.isClosed());
        assertTrue(loop.poller().isClosed());
        assertThrows(IllegalStateException.class, () -> loop.callSoon(() -> { }));
        assertThrows(IllegalStateException.class, () -> loop.callSoonThreadsafe(() -> { }));
        assertThrows(IllegalStateException.class, () -> loop.callLater(Duration.ZERO, () -> { }));
        assertThrows(IllegalStateException.class, loop::runForever);
    }

    @Test
    void debugModeReportsSlowCallbacks() {
        EventLoop loop = register(EventLoop.builder().poller(newPoller()).debug(true)
                .slowCallbackThreshold(Duration.ofMillis(5)).build());
        List<LogRecord> records = new ArrayList<>();
        Logger jul = Logger.getLogger(EventLoop.class.getName());
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(h);
        try {
            loop.callSoon(() -> {
                long end = System.nanoTime() + 20 * MS;
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
            });
            loop.callSoon(() -> { }); // fast: not reported
            loop.callSoon(loop::stop);
            loop.runForever();
        } finally {
            jul.removeHandler(h);
        }
        long slow = records.stream().filter(r -> r.getMessage().contains("took")).count();
        assertEquals(1, slow, "exactly the slow callback is reported: " + records.size());
        assertTrue(loop.isDebug());
    }

    @Test
    void virtualTimeJumpsToTheNextTimer() {
        EventLoop loop = newVirtualLoop();
        assertTrue(loop.isVirtualTime());
        assertEquals(0, loop.time());
        List<Long> firedAt = new ArrayList<>();
        loop.callLater(Duration.ofHours(1), () -> firedAt.add(loop.time()));
        loop.callLater(Duration.ofMinutes(2), () -> firedAt.add(loop.time()));
        loop.callLater(Duration.ofHours(2), loop::stop);
        long wall = System.nanoTime();
        loop.runForever();
        assertTrue(System.nanoTime() - wall < TimeUnit.SECONDS.toNanos(5), "virtual time waited for real");
        assertEquals(List.of(Duration.ofMinutes(2).toNanos(), Duration.ofHours(1).toNanos()), firedAt);
        assertEquals(Duration.ofHours(2).toNanos(), loop.time());
    }

    @Test
    void statsCountIterationsAndCallbacks() {
        EventLoop loop = newLoop();
        for (int i = 0; i < 10; i++) {
            loop.callSoon(() -> { });
        }
        loop.callLater(Duration.ofMillis(2), loop::stop);
        loop.runForever();
        var s = loop.stats();
        assertTrue(s.iterations() >= 1, s.toString());
        assertTrue(s.callbacksRun() >= 11, s.toString());
        assertTrue(s.nanosPolling() >= 0 && s.nanosRunning() >= 0);
    }

    // test_base_events / test_events: test_add_reader, test_remove_reader, test_add_writer
    @Test
    void addReaderAndAddWriterWatchASource() throws Exception {
        EventLoop loop = newLoop();
        var layer = loop.poller().sockets();
        ListenSocket l = register(layer.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8,
                SocketOptions.none()));
        StreamSocket client = register(layer.connect(l.localAddress(), SocketOptions.none()));
        List<String> events = new ArrayList<>();
        StreamSocket[] accepted = new StreamSocket[1];
        loop.addReader(l, () -> {
            try {
                StreamSocket s = l.accept();
                if (s == null) {
                    return;
                }
                accepted[0] = register(s);
                events.add("accepted");
                loop.removeReader(l);
                loop.addReader(s, () -> {
                    try {
                        ByteBuffer b = ByteBuffer.allocate(16);
                        int n = s.read(b);
                        events.add("read " + n);
                        if (n < 0) {
                            assertTrue(loop.removeReader(s));
                            assertFalse(loop.removeReader(s));
                            loop.stop();
                        }
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        loop.addWriter(client, () -> {
            try {
                if (client.finishConnect()) {
                    loop.removeWriter(client);
                    client.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
                    client.shutdownOutput();
                    events.add("wrote");
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        loop.callLater(Duration.ofSeconds(10), loop::stop);
        loop.runForever();
        assertTrue(loopErrors.isEmpty(), loopErrors.toString());
        assertTrue(events.contains("accepted") && events.contains("wrote"), events.toString());
        assertEquals("read -1", events.get(events.size() - 1), events.toString());
        assertTrue(events.contains("read 3"), events.toString());
    }
}
