package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.async.AsCompleted;
import dev.pollen.async.Async;
import dev.pollen.async.ReturnWhen;
import dev.pollen.async.Runner;
import dev.pollen.async.TimeoutException;
import dev.pollen.async.WaitResult;
import dev.pollen.loop.CancelledException;
import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.loop.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The toolkit's contract: sleep, gather, wait, waitFor, shield, asCompleted, runInExecutor and
 * toThread, run, runCoroutineThreadsafe. Ports the applicable cases of CPython's
 * {@code test_tasks.py} ({@code GatherTests}, {@code test_wait*}, {@code test_wait_for*},
 * {@code test_shield*}, {@code test_as_completed*}, {@code RunCoroutineThreadsafeTests}),
 * {@code test_waitfor.py}, {@code test_threads.py} and {@code test_runners.py} (named on each
 * test). Sleeps and timeouts run on virtual time.
 *
 * <p><b>Threading:</b> JUnit's test thread runs the loops unless a test says otherwise.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class ToolkitContract extends TaskTestSupport {

    // ------------------------------------------------------------------ sleep

    // test_tasks: test_sleep
    @Test
    void sleepSuspendsForTheDelayAndReturnsTheResult() {
        EventLoop loop = newVirtualLoop();
        String r = runTask(loop, () -> Async.sleep(Duration.ofMillis(100), "yeah"));
        assertEquals("yeah", r);
        assertEquals(100 * MILLI, loop.time());
    }

    // test_tasks: test_sleep_cancel (the timer goes away with the cancelled sleep)
    @Test
    void aCancelledSleepRemovesItsTimer() {
        EventLoop loop = newVirtualLoop();
        Task<Void> t = loop.createTask(() -> Async.sleep(Duration.ofDays(1)));
        drain(loop);
        assertEquals(1, loop.stats().timersPending());
        t.cancel();
        drain(loop);
        assertTrue(t.isCancelled());
        assertEquals(0, loop.stats().timersPending());
    }

    // ------------------------------------------------------------------ gather

    // test_tasks GatherTests: test_constructor_empty_sequence
    @Test
    void gatherOfNothingIsDoneWithAnEmptyList() {
        EventLoop loop = newVirtualLoop();
        assertEquals(List.of(), runTask(loop, () -> Async.gather(List.<Future<String>>of()).await()));
    }

    // test_tasks GatherTests: test_result (results in argument order, not completion order)
    @Test
    void gatherReturnsResultsInArgumentOrder() {
        EventLoop loop = newVirtualLoop();
        List<Integer> r = runTask(loop, () -> {
            List<Task<Integer>> ts = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int n = i;
                ts.add(loop.createTask(() -> Async.sleep(ms(50 - 10 * n), n)));
            }
            return Async.gather(ts).await();
        });
        assertEquals(List.of(0, 1, 2, 3, 4), r);
        assertEquals(50 * MILLI, loop.time(), "the tasks ran concurrently");
    }

    // test_tasks GatherTests: test_one_exception (fails at once; the others keep running)
    @Test
    void gatherFailsWithTheFirstExceptionWhileTheOthersKeepRunning() {
        EventLoop loop = newVirtualLoop();
        IllegalStateException boom = new IllegalStateException("boom");
        AtomicBoolean slowFinished = new AtomicBoolean();
        Task<Object> main = loop.createTask(() -> {
            Task<String> fails = loop.createTask(() -> {
                Async.sleep(ms(10));
                throw boom;
            });
            Task<String> slow = loop.createTask(() -> {
                Async.sleep(ms(100));
                slowFinished.set(true);
                return "slow";
            });
            try {
                Async.gather(fails, slow).await();
                return "no error";
            } catch (IllegalStateException e) {
                assertEquals(10 * MILLI, loop.time(), "the failure is reported at once");
                assertFalse(slow.isDone());
                return e;
            }
        });
        assertSame(boom, loop.runUntilComplete(main));
        drain(loop);
        Future<Void> later = loop.createFuture();
        loop.callLater(ms(200), () -> later.setResult(null));
        loop.runUntilComplete(later);
        assertTrue(slowFinished.get());
    }

    // test_tasks GatherTests: test_return_exceptions
    @Test
    void gatherWithReturnExceptionsPutsThemInPlace() {
        EventLoop loop = newVirtualLoop();
        IllegalStateException boom = new IllegalStateException("boom");
        List<Object> r = runTask(loop, () -> {
            Future<String> a = loop.createFuture();
            Future<String> b = loop.createFuture();
            Future<String> c = loop.createFuture();
            loop.callSoon(() -> {
                a.setResult("a");
                b.setException(boom);
                c.cancel("stop");
            });
            return Async.gather(List.of(a, b, c), true).await();
        });
        assertEquals("a", r.get(0));
        assertSame(boom, r.get(1));
        assertInstanceOf(CancelledException.class, r.get(2));
        assertEquals("stop", ((CancelledException) r.get(2)).getMessage());
    }

    // test_tasks GatherTests: test_one_cancellation (a child cancelled by someone else fails it)
    @Test
    void aCancelledChildFailsTheGatherWithACancelledException() {
        EventLoop loop = newVirtualLoop();
        Future<String> a = loop.createFuture();
        Future<String> b = loop.createFuture();
        Future<List<Object>> g = Async.gather(a, b);
        a.setResult("x");
        b.cancel();
        drain(loop);
        assertTrue(g.isDone());
        assertFalse(g.isCancelled());
        assertInstanceOf(CancelledException.class, g.exception());
    }

    // test_tasks GatherTests: test_cancel_gather_1/2 (cancelling the gather cancels the children).
    // As asyncio 3.13 (run on CPython): the gathering future is then not cancelled() but holds a
    // CancelledError as its exception, carrying the cancel message.
    @Test
    void cancellingTheGatherCancelsEveryChildAndFailsItWithACancelledException() {
        EventLoop loop = newVirtualLoop();
        Future<String> a = loop.createFuture();
        Future<String> b = loop.createFuture();
        Future<String> done = loop.createFuture();
        done.setResult("done");
        Future<List<Object>> g = Async.gather(a, b, done);
        assertTrue(g.cancel("bye"));
        drain(loop);
        assertTrue(a.isCancelled());
        assertTrue(b.isCancelled());
        assertTrue(g.isDone());
        assertFalse(g.isCancelled());
        CancelledException e = assertInstanceOf(CancelledException.class, g.exception());
        assertEquals("bye", e.getMessage());
        assertThrows(CancelledException.class, g::result);
        assertFalse(g.cancel(), "a done gather refuses to be cancelled");
    }

    // The same with returnExceptions: the request to cancel wins over the list of results.
    @Test
    void cancellingAGatherWithReturnExceptionsAlsoFailsItWithACancelledException() {
        EventLoop loop = newVirtualLoop();
        Future<String> a = loop.createFuture();
        Future<String> b = loop.createFuture();
        Future<List<Object>> g = Async.gather(List.of(a, b), true);
        assertTrue(g.cancel());
        drain(loop);
        assertTrue(g.isDone());
        assertFalse(g.isCancelled());
        assertInstanceOf(CancelledException.class, g.exception());
    }

    // A task awaiting a gather that its cancellation cancels ends cancelled, like the children.
    @Test
    void cancellingATaskThatAwaitsAGatherCancelsTheTaskAndTheChildren() {
        EventLoop loop = newVirtualLoop();
        Task<String> child = loop.createTask(() -> Async.sleep(Duration.ofDays(1), "late"));
        Task<List<Object>> waiter = loop.createTask(() -> Async.gather(child).await());
        drain(loop);
        waiter.cancel();
        drain(loop);
        assertTrue(waiter.isCancelled());
        assertTrue(child.isCancelled());
    }

    // A deliberate deviation (docs/asyncio.md): a cancelled task's entry keeps its cancel message
    // (asyncio 3.13 gives CancelledError('') for a task, the message for a plain future).
    @Test
    void gatherWithReturnExceptionsKeepsACancelledTasksMessage() {
        EventLoop loop = newVirtualLoop();
        List<Object> r = runTask(loop, () -> {
            Task<Void> t = loop.createTask(() -> Async.sleep(Duration.ofDays(1)));
            loop.callLater(ms(5), () -> t.cancel("stop"));
            return Async.gather(List.of(t), true).await();
        });
        CancelledException e = assertInstanceOf(CancelledException.class, r.get(0));
        assertEquals("stop", e.getMessage());
    }

    // asyncio 3.12+: a gather of futures that are all done is done when gather returns.
    @Test
    void gatherOfDoneFuturesIsDoneAtOnce() {
        EventLoop loop = newVirtualLoop();
        Future<String> a = loop.createFuture();
        Future<String> b = loop.createFuture();
        a.setResult("a");
        b.setResult("b");
        Future<List<Object>> g = Async.gather(a, b, a);
        assertTrue(g.isDone(), "not done at once: " + g);
        assertEquals(List.of("a", "b", "a"), g.result());
        Future<String> failed = loop.createFuture();
        failed.setException(new IllegalStateException("x"));
        Future<List<Object>> g2 = Async.gather(a, failed);
        assertTrue(g2.isDone());
        assertEquals("x", g2.exception().getMessage());
        Future<List<Object>> g3 = Async.gather(List.of(a, failed), true);
        assertTrue(g3.isDone());
        assertInstanceOf(IllegalStateException.class, g3.result().get(1));
    }

    // Some done, some pending: the done ones count at once, the gather waits for the rest; a done
    // failure fails it at once.
    @Test
    void gatherOfSomeDoneFuturesWaitsOnlyForThePendingOnes() {
        EventLoop loop = newVirtualLoop();
        Future<String> a = loop.createFuture();
        Future<String> b = loop.createFuture();
        a.setResult("a");
        Future<List<Object>> g = Async.gather(a, b);
        assertFalse(g.isDone());
        b.setResult("b");
        drain(loop);
        assertEquals(List.of("a", "b"), g.result());
        Future<String> failed = loop.createFuture();
        failed.setException(new IllegalStateException("first"));
        Future<String> pending = loop.createFuture();
        Future<List<Object>> g2 = Async.gather(pending, failed);
        assertTrue(g2.isDone(), "a done failure fails the gather at once");
        assertFalse(pending.isDone(), "the other children keep running");
    }

    // test_tasks GatherTests: test_duplicate_coroutines
    @Test
    void gatherOfTheSameFutureTwiceGivesItsResultTwice() {
        EventLoop loop = newVirtualLoop();
        List<Object> r = runTask(loop, () -> {
            Task<String> t = loop.createTask(() -> Async.sleep(ms(5), "x"));
            return Async.gather(t, t, t).await();
        });
        assertEquals(List.of("x", "x", "x"), r);
    }

    // ------------------------------------------------------------------ wait

    // test_tasks: test_wait
    @Test
    void waitAllCompleted() {
        EventLoop loop = newVirtualLoop();
        WaitResult<String> r = runTask(loop, () -> {
            Task<String> a = loop.createTask(() -> Async.sleep(ms(10), "a"));
            Task<String> b = loop.createTask(() -> Async.sleep(ms(15), "b"));
            return Async.wait(List.of(b, a));
        });
        assertEquals(2, r.done().size());
        assertTrue(r.pending().isEmpty());
        assertEquals(15 * MILLI, loop.time());
    }

    // test_tasks: test_wait_first_completed
    @Test
    void waitFirstCompleted() {
        EventLoop loop = newVirtualLoop();
        List<Object> out = runTask(loop, () -> {
            Task<String> a = loop.createTask(() -> Async.sleep(ms(10), "a"));
            Task<String> b = loop.createTask(() -> Async.sleep(ms(100), "b"));
            WaitResult<String> r = Async.wait(List.of(b, a), null, ReturnWhen.FIRST_COMPLETED);
            return List.of(r.done(), r.pending(), a, b);
        });
        assertEquals(Set.of(out.get(2)), out.get(0));
        assertEquals(Set.of(out.get(3)), out.get(1));
        assertEquals(10 * MILLI, loop.time());
    }

    // test_tasks: test_wait_first_exception / test_wait_first_exception_in_wait
    @Test
    void waitFirstException() {
        EventLoop loop = newVirtualLoop();
        long[] times = new long[2];
        runTask(loop, () -> {
            Task<String> ok = loop.createTask(() -> Async.sleep(ms(5), "ok"));
            Task<String> bad = loop.createTask(() -> {
                Async.sleep(ms(20));
                throw new IllegalStateException("bad");
            });
            Task<String> slow = loop.createTask(() -> Async.sleep(ms(100), "slow"));
            WaitResult<String> r = Async.wait(List.of(ok, bad, slow), null,
                    ReturnWhen.FIRST_EXCEPTION);
            times[0] = loop.time();
            assertEquals(Set.of(ok, bad), r.done());
            assertEquals(Set.of(slow), r.pending());
            // Without any exception, FIRST_EXCEPTION waits for all.
            Task<String> x = loop.createTask(() -> Async.sleep(ms(5), "x"));
            Task<String> y = loop.createTask(() -> Async.sleep(ms(10), "y"));
            long start = loop.time();
            Async.wait(List.of(x, y), null, ReturnWhen.FIRST_EXCEPTION);
            times[1] = loop.time() - start;
            return null;
        });
        assertEquals(20 * MILLI, times[0]);
        assertEquals(10 * MILLI, times[1]);
    }

    // test_tasks: test_wait_with_timeout (returns at the timeout, cancels nothing)
    @Test
    void waitWithTimeoutReturnsThePendingOnes() {
        EventLoop loop = newVirtualLoop();
        WaitResult<String> r = runTask(loop, () -> {
            Task<String> a = loop.createTask(() -> Async.sleep(ms(10), "a"));
            Task<String> b = loop.createTask(() -> Async.sleep(ms(150), "b"));
            return Async.wait(List.of(a, b), ms(110), ReturnWhen.ALL_COMPLETED);
        });
        assertEquals(110 * MILLI, loop.time());
        assertEquals(1, r.done().size());
        assertEquals(1, r.pending().size());
        assertFalse(r.pending().iterator().next().isCancelled());
    }

    // test_tasks: test_wait_empty_set ("Set of Tasks/Futures is empty")
    @Test
    void waitOnNothingIsRefused() {
        EventLoop loop = newVirtualLoop();
        IllegalArgumentException e = runTask(loop, () -> assertThrows(IllegalArgumentException.class,
                () -> Async.wait(List.<Future<String>>of())));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    // ------------------------------------------------------------------ waitFor

    // test_waitfor: test_wait_for_blocking / test_wait_for_race_condition
    @Test
    void waitForReturnsTheResultInTime() {
        EventLoop loop = newVirtualLoop();
        String r = runTask(loop, () -> {
            Task<String> t = loop.createTask(() -> Async.sleep(ms(10), "done"));
            return Async.waitFor(t, ms(100));
        });
        assertEquals("done", r);
        assertEquals(10 * MILLI, loop.time());
    }

    // test_waitfor: test_wait_for (timeout cancels the inner future and raises TimeoutError)
    @Test
    void waitForTimesOutAndCancelsTheFuture() {
        EventLoop loop = newVirtualLoop();
        AtomicReference<Task<String>> inner = new AtomicReference<>();
        Throwable e = runTask(loop, () -> {
            inner.set(loop.createTask(() -> Async.sleep(ms(1000), "late")));
            try {
                Async.waitFor(inner.get(), ms(100));
                return null;
            } catch (TimeoutException ex) {
                return ex;
            }
        });
        assertInstanceOf(TimeoutException.class, e);
        assertInstanceOf(CancelledException.class, e.getCause());
        assertTrue(inner.get().isCancelled());
        assertEquals(100 * MILLI, loop.time());
    }

    // test_waitfor: test_wait_for_timeout_less_then_0_or_0_future_done / _coroutine_did_not_started
    @Test
    void waitForWithZeroTimeout() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Future<String> done = loop.createFuture();
            done.setResult("ready");
            assertEquals("ready", Async.waitFor(done, Duration.ZERO));
            AtomicBoolean started = new AtomicBoolean();
            Task<String> t = loop.createTask(() -> {
                started.set(true);
                return "x";
            });
            assertThrows(TimeoutException.class, () -> Async.waitFor(t, ms(-1)));
            assertFalse(started.get(), "the task was cancelled before it ever ran");
            assertTrue(t.isCancelled());
            return null;
        });
    }

    // test_waitfor: test_wait_for_waits_for_task_cancellation
    @Test
    void waitForWaitsUntilTheCancelledTaskHasFinished() {
        EventLoop loop = newVirtualLoop();
        List<String> log = new ArrayList<>();
        runTask(loop, () -> {
            Task<Void> slowToCancel = loop.createTask(() -> {
                try {
                    Async.sleep(ms(1000));
                } finally {
                    Async.sleep(ms(50)); // cleanup after the cancel takes time
                    log.add("cleaned up at " + loop.time() / MILLI);
                }
            });
            try {
                Async.waitFor(slowToCancel, ms(10));
            } catch (TimeoutException e) {
                log.add("timeout at " + loop.time() / MILLI);
            }
            return null;
        });
        assertEquals(List.of("cleaned up at 60", "timeout at 60"), log);
    }

    // ------------------------------------------------------------------ shield

    // test_tasks: test_shield_result / test_shield_exception
    @Test
    void shieldFollowsTheInnerOutcome() {
        EventLoop loop = newVirtualLoop();
        Future<String> inner = loop.createFuture();
        Future<String> outer = Async.shield(inner);
        assertFalse(outer.isDone());
        inner.setResult("r");
        drain(loop);
        assertEquals("r", outer.result());
        Future<String> inner2 = loop.createFuture();
        Future<String> outer2 = Async.shield(inner2);
        IllegalStateException boom = new IllegalStateException();
        inner2.setException(boom);
        drain(loop);
        assertSame(boom, outer2.exception());
    }

    // test_tasks: test_shield_cancel_inner / test_shield_cancel_outer
    @Test
    void shieldPassesInnerCancellationOutButNotOuterCancellationIn() {
        EventLoop loop = newVirtualLoop();
        Future<String> inner = loop.createFuture();
        Future<String> outer = Async.shield(inner);
        inner.cancel();
        drain(loop);
        assertTrue(outer.isCancelled());

        Future<String> inner2 = loop.createFuture();
        Future<String> outer2 = Async.shield(inner2);
        outer2.cancel();
        drain(loop);
        assertTrue(outer2.isCancelled());
        assertFalse(inner2.isCancelled());
        assertFalse(inner2.isDone());
    }

    // test_tasks: test_shield_effect (a cancelled awaiter leaves the shielded task running)
    @Test
    void aTaskAwaitingAShieldCanBeCancelledWithoutCancellingTheInnerTask() {
        EventLoop loop = newVirtualLoop();
        Task<String> inner = loop.createTask(() -> Async.sleep(ms(100), "inner result"));
        Task<String> outer = loop.createTask(() -> Async.shield(inner).await());
        loop.callLater(ms(10), outer::cancel);
        assertThrows(CancelledException.class, () -> loop.runUntilComplete(outer));
        assertFalse(inner.isDone());
        assertEquals("inner result", loop.runUntilComplete(inner));
    }

    // ------------------------------------------------------------------ asCompleted

    // test_tasks: test_as_completed / test_as_completed_reverse_wait
    @Test
    void asCompletedYieldsInCompletionOrder() {
        EventLoop loop = newVirtualLoop();
        List<String> order = runTask(loop, () -> {
            List<Task<String>> ts = List.of(
                    loop.createTask(() -> Async.sleep(ms(30), "c")),
                    loop.createTask(() -> Async.sleep(ms(10), "a")),
                    loop.createTask(() -> Async.sleep(ms(20), "b")));
            List<String> out = new ArrayList<>();
            for (Future<String> next : Async.asCompleted(ts)) {
                out.add(next.await() + "@" + loop.time() / MILLI);
            }
            return out;
        });
        assertEquals(List.of("a@10", "b@20", "c@30"), order);
    }

    // test_tasks: test_as_completed_with_timeout
    @Test
    void asCompletedTimesOutTheRemainingOnes() {
        EventLoop loop = newVirtualLoop();
        List<String> out = runTask(loop, () -> {
            Task<String> quick = loop.createTask(() -> Async.sleep(ms(10), "quick"));
            Task<String> slow = loop.createTask(() -> Async.sleep(ms(1000), "slow"));
            List<String> log = new ArrayList<>();
            AsCompleted<String> it = Async.asCompleted(List.of(slow, quick), ms(100));
            for (Future<String> next : it) {
                try {
                    log.add(next.await());
                } catch (TimeoutException e) {
                    log.add("timeout@" + loop.time() / MILLI);
                }
            }
            assertFalse(slow.isCancelled(), "asCompleted does not cancel the inputs");
            slow.cancel();
            return log;
        });
        assertEquals(List.of("quick", "timeout@100"), out);
    }

    // test_tasks: test_as_completed_async_iter (3.13: async iteration yields the inputs)
    @Test
    void asCompletedNextDoneReturnsTheInputsThemselves() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Task<String> slow = loop.createTask(() -> Async.sleep(ms(20), "slow"));
            Task<String> quick = loop.createTask(() -> Async.sleep(ms(10), "quick"));
            Future<String> done = loop.createFuture();
            done.setResult("done");
            AsCompleted<String> it = Async.asCompleted(List.of(slow, quick, done));
            Future<String> viaNext = it.next(); // the two ways mix: each takes the next to finish
            assertEquals("done", viaNext.await());
            assertSame(quick, it.nextDone());
            assertEquals(10 * MILLI, loop.time());
            assertSame(slow, it.nextDone());
            assertTrue(slow.isDone());
            assertFalse(it.hasNext());
            assertThrows(java.util.NoSuchElementException.class, it::nextDone);
            Task<String> never = loop.createTask(() -> Async.sleep(Duration.ofDays(1), "never"));
            AsCompleted<String> timed = Async.asCompleted(List.of(never), ms(5));
            assertThrows(TimeoutException.class, timed::nextDone);
            assertFalse(never.isCancelled());
            never.cancel();
            return null;
        });
    }

    // A task cancelled while it awaits the next outcome does not lose that outcome: the next
    // caller gets it (asyncio keeps it in its queue).
    @Test
    void aCancelledWaitOnAsCompletedPassesTheOutcomeOn() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Task<String> a = loop.createTask(() -> Async.sleep(ms(20), "a"));
            Task<String> b = loop.createTask(() -> Async.sleep(ms(30), "b"));
            AsCompleted<String> it = Async.asCompleted(List.of(a, b));
            Task<String> impatient = loop.createTask(() -> it.next().await());
            loop.callLater(ms(10), impatient::cancel);
            assertThrows(CancelledException.class, impatient::await);
            assertEquals("a", it.next().await());
            assertFalse(it.hasNext(), "the cancelled wait used up its slot, as in asyncio");
            Async.sleep(ms(20));
            assertTrue(loopErrors.isEmpty(), loopErrors.toString());
            return null;
        });
    }

    // ------------------------------------------------------------------ blocking work

    // test_threads: test_to_thread
    @Test
    void toThreadRunsOnAnotherThreadAndResumesOnTheLoop() {
        EventLoop loop = newVirtualLoop();
        Thread[] threads = new Thread[2];
        String r = runTask(loop, () -> {
            String v = Async.toThread(() -> {
                threads[0] = Thread.currentThread();
                return "from " + Thread.currentThread().getName();
            });
            threads[1] = Thread.currentThread();
            return v;
        });
        assertNotEquals(threads[0], threads[1]);
        assertTrue(r.contains(loop.name()), "default executor threads are named after the loop: " + r);
    }

    // test_threads: test_to_thread_exception
    @Test
    void toThreadRethrowsTheException() {
        EventLoop loop = newVirtualLoop();
        IllegalStateException boom = new IllegalStateException("in thread");
        Throwable e = runTask(loop, () -> {
            try {
                return Async.toThread(() -> {
                    throw boom;
                });
            } catch (IllegalStateException ex) {
                return ex;
            }
        });
        assertSame(boom, e);
    }

    // test_base_events: test_run_in_executor (a given executor)
    @Test
    void runInExecutorUsesTheGivenExecutor() throws Exception {
        ExecutorService ex = Executors.newSingleThreadExecutor(r -> new Thread(r, "my-executor"));
        try {
            EventLoop loop = newVirtualLoop();
            String name = runTask(loop, () -> Async.runInExecutor(ex,
                    () -> Thread.currentThread().getName()).await());
            assertEquals("my-executor", name);
        } finally {
            ex.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ run

    private EventLoop.Builder virtualBuilder() {
        return EventLoop.builder().poller(register(newPoller())).virtualTime(true)
                .exceptionHandler((l, c) -> loopErrors.add(c));
    }

    // test_runners: test_asyncio_run_return / test_asyncio_run_raises
    @Test
    void runReturnsTheResultOrThrowsTheException() {
        assertEquals(42, Async.run(virtualBuilder(), () -> Async.sleep(ms(10), 42)));
        IllegalStateException boom = new IllegalStateException("main failed");
        assertSame(boom, assertThrows(IllegalStateException.class,
                () -> Async.run(virtualBuilder(), () -> {
                    throw boom;
                })));
        assertSame(null, EventLoop.currentOrNull());
    }

    // test_runners: test_asyncio_run_cancels_hanging_tasks / _reports_hanging_tasks_errors
    @Test
    void runCancelsTheTasksLeftAndReportsTheirErrors() {
        List<String> log = new ArrayList<>();
        AtomicReference<EventLoop> used = new AtomicReference<>();
        Async.run(virtualBuilder(), () -> {
            used.set(EventLoop.current());
            Async.createTask(() -> {
                try {
                    Async.sleep(Duration.ofHours(1));
                } finally {
                    log.add("hanging task cleaned up");
                }
            });
            Async.createTask(() -> {
                try {
                    Async.sleep(Duration.ofHours(1));
                } catch (CancelledException e) {
                    throw new IllegalStateException("fails while cancelled");
                }
            });
            Async.sleep(ms(1));
            return null;
        });
        assertEquals(List.of("hanging task cleaned up"), log);
        assertTrue(used.get().isClosed());
        assertTrue(loopErrors.stream().anyMatch(c -> c.message().contains("shutdown")
                && "fails while cancelled".equals(c.exception().getMessage())), loopErrors.toString());
    }

    // test_runners: test_asyncio_run_from_running_loop
    @Test
    void runRefusesToNestInARunningLoop() {
        EventLoop loop = newVirtualLoop();
        IllegalStateException e = runTask(loop, () -> assertThrows(IllegalStateException.class,
                () -> Async.run(virtualBuilder(), () -> 1)));
        assertTrue(e.getMessage().contains("running event loop"), e.getMessage());
    }

    // test_runners RunnerTests: test_run / test_custom_factory / test_debug / test_explicit_close
    @Test
    void aRunnerRunsSeveralProgramsOnOneLoopThenClosesIt() {
        List<String> log = new ArrayList<>();
        EventLoop used;
        try (Runner runner = Runner.builder().loopFactory(virtualBuilder()::build).debug(true)
                .build()) {
            used = runner.loop();
            assertTrue(used.isDebug(), "debug(true) is set on the loop");
            assertFalse(used.isClosed());
            assertEquals(1, runner.run(() -> {
                assertSame(used, EventLoop.current());
                Async.createTask(() -> {
                    try {
                        Async.sleep(ms(15));
                        log.add("left-over task finished during the second run");
                        Async.sleep(Duration.ofHours(1));
                    } finally {
                        log.add("left-over task cleaned up at close");
                    }
                });
                return 1;
            }));
            assertTrue(log.isEmpty(), "a run does not cancel the tasks it leaves");
            runner.run(() -> {
                assertSame(used, EventLoop.current());
                Async.sleep(ms(20));
            });
            assertEquals(List.of("left-over task finished during the second run"), log);
            assertSame(used, runner.loop());
        }
        assertTrue(used.isClosed());
        assertEquals(List.of("left-over task finished during the second run",
                "left-over task cleaned up at close"), log);
    }

    // test_runners RunnerTests: test_double_close / test_run_after_close / test_recursive_run
    @Test
    void aClosedRunnerRefusesToRunAndARunnerCannotNest() {
        Runner never = Runner.create();
        never.close();
        never.close(); // idempotent; no loop was ever made
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> never.run(() -> 1));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, never::loop);

        try (Runner runner = Runner.builder().loopFactory(virtualBuilder()::build).build()) {
            assertEquals(Boolean.getBoolean("pollen.debug"), runner.loop().isDebug(),
                    "without debug(...) the loop keeps its own setting");
            IllegalStateException nested = runner.run(() -> assertThrows(
                    IllegalStateException.class, () -> runner.run(() -> 2)));
            assertTrue(nested.getMessage().contains("running event loop"), nested.getMessage());
            IllegalStateException boom = new IllegalStateException("main failed");
            assertSame(boom, assertThrows(IllegalStateException.class, () -> runner.run(() -> {
                throw boom;
            })));
            assertEquals(3, runner.run(() -> 3), "a failed run leaves the runner usable");
        }
    }

    // ------------------------------------------------------------------ from other threads

    // test_tasks RunCoroutineThreadsafeTests: test_run_coroutine_threadsafe / _with_exception
    @Test
    void runCoroutineThreadsafeCompletesACompletableFuture() throws Exception {
        EventLoop loop = newLoop();
        loop.startThread();
        CompletableFuture<String> ok = Async.runCoroutineThreadsafe(loop, () -> {
            Async.sleep(ms(5));
            return "on " + Thread.currentThread().getName();
        });
        assertEquals("on " + loop.name(), ok.get(10, TimeUnit.SECONDS));
        CompletableFuture<String> bad = Async.runCoroutineThreadsafe(loop, () -> {
            throw new IllegalStateException("oops");
        });
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> bad.get(10, TimeUnit.SECONDS));
        assertEquals("oops", e.getCause().getMessage());
    }

    // test_tasks RunCoroutineThreadsafeTests: test_run_coroutine_threadsafe_task_cancelled
    @Test
    void cancellingTheCompletableFutureCancelsTheTask() throws Exception {
        EventLoop loop = newLoop();
        loop.startThread();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch cleaned = new CountDownLatch(1);
        CompletableFuture<String> cf = Async.runCoroutineThreadsafe(loop, () -> {
            started.countDown();
            try {
                Async.sleep(Duration.ofHours(1));
                return "never";
            } finally {
                cleaned.countDown();
            }
        });
        assertTrue(started.await(10, TimeUnit.SECONDS));
        assertTrue(cf.cancel(true));
        assertTrue(cleaned.await(10, TimeUnit.SECONDS), "the task saw its cancellation");
    }
}
