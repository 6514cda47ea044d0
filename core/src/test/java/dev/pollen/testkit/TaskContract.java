package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.async.Async;
import dev.pollen.loop.CancelledException;
import dev.pollen.loop.EventLoop;
import dev.pollen.loop.ExceptionContext;
import dev.pollen.loop.Future;
import dev.pollen.loop.InvalidStateException;
import dev.pollen.loop.Task;
import dev.pollen.loop.TaskLocal;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link Task} contract: await, cancellation, names, current/all tasks, task-locals, the
 * errors for awaiting in the wrong place, and debug mode's lock check. Ports the applicable cases
 * of CPython's {@code test_tasks.py} (named on each test).
 *
 * <p><b>Threading:</b> JUnit's test thread runs the loops.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class TaskContract extends TaskTestSupport {

    // test_tasks: test_task_basics
    @Test
    void theTaskResultIsWhatTheBodyReturns() {
        EventLoop loop = newVirtualLoop();
        assertEquals(42, runTask(loop, () -> 42));
        Task<Void> t = loop.createTask(() -> { });
        assertNull(loop.runUntilComplete(t));
        assertTrue(t.isDone());
    }

    // test_tasks: test_task_class / test_step_result_future (await suspends only the task)
    @Test
    void anAwaitSuspendsOnlyTheAwaitingTask() {
        EventLoop loop = newVirtualLoop();
        List<String> log = new ArrayList<>();
        Future<Integer> f = loop.createFuture();
        Task<Integer> a = loop.createTask(() -> {
            log.add("a waits");
            int v = f.await();
            log.add("a got " + v);
            return v * 2;
        });
        loop.createTask(() -> {
            log.add("b runs");
            f.setResult(7);
            log.add("b set");
        });
        assertEquals(14, loop.runUntilComplete(a));
        assertEquals(List.of("a waits", "b runs", "b set", "a got 7"), log);
    }

    // test_tasks: test_await_... (no function colouring: any method called by a task may await)
    @Test
    void anyMethodCalledFromATaskMayAwait() {
        EventLoop loop = newVirtualLoop();
        assertEquals(50, runTask(loop, () -> deepAwait(loop, 50)));
    }

    private static int deepAwait(EventLoop loop, int depth) {
        if (depth == 0) {
            return 0;
        }
        Future<Integer> f = loop.createFuture();
        loop.callSoon(() -> f.setResult(1));
        return f.await() + deepAwait(loop, depth - 1);
    }

    // test_tasks: test_await_done_future (awaiting a done future does not yield)
    @Test
    void awaitingADoneFutureDoesNotSuspend() {
        EventLoop loop = newVirtualLoop();
        List<String> log = new ArrayList<>();
        Future<String> done = loop.createFuture();
        done.setResult("x");
        Task<String> a = loop.createTask(() -> {
            log.add("a1");
            String r = done.await();
            log.add("a2");
            return r;
        });
        loop.createTask(() -> log.add("b"));
        assertEquals("x", loop.runUntilComplete(a));
        assertEquals(List.of("a1", "a2", "b"), log);
    }

    // test_tasks: test_sleep / "yield" interleaving of two tasks (sleep(0))
    @Test
    void yieldNowLetsTheOtherTasksRunOneStep() {
        EventLoop loop = newVirtualLoop();
        List<String> log = new ArrayList<>();
        Task<Void> a = loop.createTask(() -> {
            log.add("a1");
            Task.yieldNow();
            log.add("a2");
            Task.yieldNow();
            log.add("a3");
        });
        loop.createTask(() -> {
            log.add("b1");
            Task.yieldNow();
            log.add("b2");
        });
        loop.runUntilComplete(a);
        assertEquals(List.of("a1", "b1", "a2", "b2", "a3"), log);
    }

    // test_tasks: test_exception_... (await rethrows the awaited future's exception as is)
    @Test
    void awaitRethrowsTheExceptionItself() {
        EventLoop loop = newVirtualLoop();
        IllegalStateException boom = new IllegalStateException("boom");
        Future<String> f = loop.createFuture();
        loop.callSoon(() -> f.setException(boom));
        Throwable caught = runTask(loop, () -> {
            try {
                f.await();
                return null;
            } catch (IllegalStateException e) {
                return e;
            }
        });
        assertSame(boom, caught);
    }

    // test_tasks: test_step_with_baseexception / test_exception (a failing body fails the task)
    @Test
    void aBodyThatThrowsFailsTheTask() {
        EventLoop loop = newVirtualLoop();
        IllegalArgumentException boom = new IllegalArgumentException("bad");
        Task<String> t = loop.createTask(() -> {
            Async.sleep(ms(1));
            throw boom;
        });
        assertSame(boom, assertThrows(IllegalArgumentException.class, () -> loop.runUntilComplete(t)));
        assertSame(boom, t.exception());
        assertFalse(t.isCancelled());
    }

    @Test
    void aCheckedExceptionIsWrappedByResultButKeptByException() {
        EventLoop loop = newVirtualLoop();
        IOException io = new IOException("disk");
        Task<String> t = loop.createTask(() -> {
            throw io;
        });
        drain(loop);
        assertSame(io, t.exception());
        CompletionException ce = assertThrows(CompletionException.class, t::result);
        assertSame(io, ce.getCause());
    }

    // test_tasks: test_cancel (a task cancelled before its first step never runs its body)
    @Test
    void aTaskCancelledBeforeItsFirstStepNeverRunsItsBody() {
        EventLoop loop = newVirtualLoop();
        AtomicBoolean ran = new AtomicBoolean();
        Task<Void> t = loop.createTask(() -> ran.set(true));
        assertTrue(t.cancel("early"));
        drain(loop);
        assertTrue(t.isCancelled());
        assertFalse(ran.get());
        assertEquals("early", assertThrows(CancelledException.class, t::result).getMessage());
        assertFalse(t.cancel(), "cancelling a done task returns false");
    }

    // test_tasks: test_cancel_inner_future / test_cancel_yield (finally blocks run)
    @Test
    void cancelThrowsInsideThePendingAwaitAndFinallyRuns() {
        EventLoop loop = newVirtualLoop();
        List<String> log = new ArrayList<>();
        Future<String> inner = loop.createFuture();
        Task<String> t = loop.createTask(() -> {
            try {
                return inner.await();
            } finally {
                log.add("finally");
            }
        });
        loop.callSoon(() -> loop.callSoon(() -> t.cancel()));
        assertThrows(CancelledException.class, () -> loop.runUntilComplete(t));
        assertTrue(t.isCancelled());
        assertTrue(inner.isCancelled(), "the awaited future is cancelled with the task");
        assertEquals(List.of("finally"), log);
    }

    // test_tasks: test_cancel_with_message_then_future_result
    @Test
    void theCancelMessageReachesTheBodyAndTheTaskResult() {
        EventLoop loop = newVirtualLoop();
        AtomicReference<String> seen = new AtomicReference<>();
        Task<Void> t = loop.createTask(() -> {
            try {
                Async.sleep(ms(1000));
            } catch (CancelledException e) {
                seen.set(e.getMessage());
                throw e;
            }
        });
        loop.callLater(ms(10), () -> t.cancel("my message"));
        CancelledException e = assertThrows(CancelledException.class, () -> loop.runUntilComplete(t));
        assertEquals("my message", e.getMessage());
        assertEquals("my message", seen.get());
    }

    // test_tasks: test_cancel_task_catching
    @Test
    void aTaskMayCatchTheCancellationAndReturn() {
        EventLoop loop = newVirtualLoop();
        Task<Integer> t = loop.createTask(() -> {
            try {
                Async.sleep(ms(10_000));
                return 0;
            } catch (CancelledException e) {
                return 42;
            }
        });
        loop.callLater(ms(10), t::cancel);
        assertEquals(42, loop.runUntilComplete(t));
        assertFalse(t.isCancelled());
        assertEquals(1, t.cancelling());
    }

    // test_tasks: test_cancel_task_ignoring (catch the cancel, then await more)
    @Test
    void aTaskThatSwallowsTheCancellationKeepsAwaiting() {
        EventLoop loop = newVirtualLoop();
        Future<Integer> fut1 = loop.createFuture();
        Future<Integer> fut2 = loop.createFuture();
        Future<Integer> fut3 = loop.createFuture();
        Task<Integer> t = loop.createTask(() -> {
            fut1.await();
            try {
                fut2.await();
            } catch (CancelledException e) {
                // ignored
            }
            return fut3.await();
        });
        loop.callLater(ms(1), () -> fut1.setResult(1));
        loop.callLater(ms(2), () -> {
            assertTrue(t.cancel());
            assertTrue(fut2.isCancelled());
        });
        loop.callLater(ms(3), () -> fut3.setResult(42));
        assertEquals(42, loop.runUntilComplete(t));
        assertFalse(t.isCancelled());
    }

    // test_tasks: test_cancel_current_task
    @Test
    void aTaskCancellingItselfGetsTheCancellationAtItsNextAwait() {
        EventLoop loop = newVirtualLoop();
        List<String> log = new ArrayList<>();
        Task<Void> t = loop.createTask(() -> {
            Task.current().cancel();
            log.add("still running");
            Async.sleep(ms(1000));
            log.add("never");
        });
        assertThrows(CancelledException.class, () -> loop.runUntilComplete(t));
        assertTrue(t.isCancelled());
        assertEquals(List.of("still running"), log);
        assertEquals(0, loop.time(), "the sleep was cancelled at once, no time passed");
    }

    // test_tasks: test_cancel_at_end (cancel requested in the last step: the task ends cancelled)
    @Test
    void aCancelRequestedInTheLastStepCancelsTheTask() {
        EventLoop loop = newVirtualLoop();
        Task<Integer> t = loop.createTask(() -> {
            Task.current().cancel();
            return 12;
        });
        assertThrows(CancelledException.class, () -> loop.runUntilComplete(t));
        assertTrue(t.isCancelled());
    }

    // test_tasks: test_cancel_both_task_and_inner_future
    @Test
    void cancellingBothTheTaskAndItsInnerFuture() {
        EventLoop loop = newVirtualLoop();
        Future<Integer> f = loop.createFuture();
        Task<Integer> t = loop.createTask(f::await);
        drain(loop);
        assertTrue(f.cancel());
        assertTrue(t.cancel());
        assertThrows(CancelledException.class, () -> loop.runUntilComplete(t));
        assertTrue(t.isCancelled());
        assertTrue(f.isCancelled());
    }

    // test_tasks: test_cancel_awaited_task / test_cancel_inner_task
    @Test
    void cancellingATaskThatAwaitsATaskCancelsTheInnerOneAndWaitsForIt() {
        EventLoop loop = newVirtualLoop();
        List<String> log = new ArrayList<>();
        Task<Void> inner = loop.createTask("inner", () -> {
            try {
                Async.sleep(ms(1000));
            } finally {
                log.add("inner cleans up");
                Async.sleep(ms(5)); // cleanup that itself awaits
                log.add("inner done");
            }
        });
        Task<Void> outer = loop.createTask("outer", () -> {
            try {
                inner.await();
            } finally {
                log.add("outer sees inner " + (inner.isCancelled() ? "cancelled" : "running"));
            }
        });
        loop.callLater(ms(10), outer::cancel);
        assertThrows(CancelledException.class, () -> loop.runUntilComplete(outer));
        assertTrue(inner.isCancelled());
        assertEquals(List.of("inner cleans up", "inner done", "outer sees inner cancelled"), log);
    }

    // test_tasks: test_cancelling / test_uncancel_basic
    @Test
    void cancelRequestsAreCountedAndUncancelWithdrawsThem() {
        EventLoop loop = newVirtualLoop();
        AtomicReference<Integer> afterUncancel = new AtomicReference<>();
        Task<String> t = loop.createTask(() -> {
            try {
                Async.sleep(ms(1000));
            } catch (CancelledException e) {
                afterUncancel.set(Task.current().uncancel());
            }
            Async.sleep(ms(10)); // no longer cancelled: this sleep completes
            return "survived";
        });
        drain(loop);
        assertEquals(0, t.cancelling());
        t.cancel();
        assertEquals(1, t.cancelling());
        assertEquals("survived", loop.runUntilComplete(t));
        assertEquals(0, afterUncancel.get());
    }

    // test_tasks: test_uncancel_resets_must_cancel (3.13)
    @Test
    void uncancelDropsACancellationNotYetDelivered() {
        EventLoop loop = newVirtualLoop();
        Task<String> t = loop.createTask(() -> {
            Task<?> me = Task.current();
            me.cancel();
            assertEquals(1, me.cancelling());
            assertEquals(0, me.uncancel());
            Async.sleep(ms(10));
            return "not cancelled";
        });
        assertEquals("not cancelled", loop.runUntilComplete(t));
    }

    // test_tasks: test_current_task
    @Test
    void currentTaskIsTheRunningTaskAndNullOutside() {
        EventLoop loop = newVirtualLoop();
        assertNull(Task.current());
        AtomicReference<Task<?>> inCallback = new AtomicReference<>();
        AtomicBoolean callbackRan = new AtomicBoolean();
        Task<Task<?>> t = loop.createTask(() -> {
            loop.callSoon(() -> {
                inCallback.set(Task.current());
                callbackRan.set(true);
            });
            Async.sleep(ms(1));
            assertSame(Task.current(), loop.currentTask());
            return Task.current();
        });
        assertSame(t, loop.runUntilComplete(t));
        assertTrue(callbackRan.get());
        assertNull(inCallback.get(), "a plain callback runs outside any task");
    }

    // test_tasks: test_all_tasks / test_task_not_collected (the loop keeps pending tasks alive)
    @Test
    void allTasksListsThePendingTasksAndTheLoopKeepsThemAlive() {
        EventLoop loop = newVirtualLoop();
        AtomicBoolean finished = new AtomicBoolean();
        createUnreferencedTask(loop, finished);
        Task<Void> quick = loop.createTask(() -> { });
        drain(loop);
        assertTrue(quick.isDone());
        assertEquals(1, loop.allTasks().size());
        assertFalse(loop.allTasks().contains(quick));
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Future<Void> later = loop.createFuture();
        loop.callLater(ms(2000), () -> later.setResult(null));
        loop.runUntilComplete(later);
        assertTrue(finished.get(), "a task nobody references must still run to its end");
        assertTrue(loop.allTasks().isEmpty());
    }

    private static void createUnreferencedTask(EventLoop loop, AtomicBoolean finished) {
        loop.createTask(() -> {
            Async.sleep(ms(1000));
            finished.set(true);
        });
    }

    // test_tasks: test_task_repr / test_task_set_name / test_task_repr_autogenerated
    @Test
    void tasksHaveNames() {
        EventLoop loop = newVirtualLoop();
        Task<Void> auto = loop.createTask(() -> { });
        assertTrue(auto.name().matches("Task-\\d+"), auto.name());
        Task<Void> named = loop.createTask("worker", () -> { });
        assertEquals("worker", named.name());
        named.setName("renamed");
        assertEquals("renamed", named.name());
        assertTrue(named.toString().contains("renamed"), named.toString());
        assertTrue(named.toString().contains("pending"), named.toString());
        drain(loop);
        assertTrue(named.toString().contains("result"), named.toString());
    }

    // test_tasks: test_task_set_methods (a task's outcome comes only from its body)
    @Test
    void setResultAndSetExceptionAreUnsupportedOnATask() {
        EventLoop loop = newVirtualLoop();
        Task<String> t = loop.createTask(() -> "x");
        assertThrows(UnsupportedOperationException.class, () -> t.setResult("y"));
        assertThrows(UnsupportedOperationException.class,
                () -> t.setException(new RuntimeException()));
        assertThrows(InvalidStateException.class, t::result);
        assertEquals("x", loop.runUntilComplete(t));
    }

    @Test
    void awaitingOutsideATaskFailsClearly() {
        EventLoop loop = newVirtualLoop();
        Future<String> f = loop.createFuture();
        IllegalStateException onTestThread = assertThrows(IllegalStateException.class, f::await);
        assertTrue(onTestThread.getMessage().contains("outside"), onTestThread.getMessage());
        AtomicReference<Throwable> inCallback = new AtomicReference<>();
        loop.callSoon(() -> {
            try {
                f.await();
            } catch (Throwable e) {
                inCallback.set(e);
            }
        });
        drain(loop);
        assertInstanceOf(IllegalStateException.class, inCallback.get());
        assertTrue(inCallback.get().getMessage().contains("outside a task"),
                inCallback.get().getMessage());
        IllegalStateException sleep = assertThrows(IllegalStateException.class,
                () -> Async.sleep(ms(1)));
        assertTrue(sleep.getMessage().contains("outside a task"), sleep.getMessage());
    }

    // test_tasks: test_await_future_of_other_loop ("Task got Future attached to a different loop")
    @Test
    void awaitingAFutureOfAnotherLoopFailsClearly() {
        EventLoop loop = newVirtualLoop();
        EventLoop other = newVirtualLoop();
        Future<String> foreign = other.createFuture();
        IllegalStateException e = runTask(loop, () -> {
            try {
                foreign.await();
                return null;
            } catch (IllegalStateException ex) {
                return ex;
            }
        });
        assertNotNull(e);
        assertTrue(e.getMessage().contains(other.name()) && e.getMessage().contains(loop.name()),
                e.getMessage());
    }

    // test_tasks: test_task_await_self ("Task cannot await on itself")
    @Test
    void aTaskCannotAwaitItself() {
        EventLoop loop = newVirtualLoop();
        Task<Object> t = loop.createTask(() -> Task.current().await());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> loop.runUntilComplete(t));
        assertTrue(e.getMessage().contains("itself"), e.getMessage());
    }

    @Test
    void createTaskFailsOnAClosedLoop() {
        EventLoop loop = newVirtualLoop();
        loop.close();
        assertThrows(IllegalStateException.class, () -> loop.createTask(() -> 1));
    }

    // test_tasks: test_exception_never_retrieved (logged when the task is collected)
    @Test
    void aTaskExceptionNeverRetrievedIsReportedWhenCollected() throws Exception {
        EventLoop loop = newLoop();
        loop.createTask(() -> {
            throw new IllegalStateException("lost in a task");
        });
        drain(loop);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (loopErrors.stream().noneMatch(TaskContract::isLostReport)
                && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
            drain(loop);
        }
        ExceptionContext ctx = loopErrors.stream().filter(TaskContract::isLostReport)
                .findFirst().orElseThrow(() -> new AssertionError("never reported: " + loopErrors));
        assertTrue(ctx.message().contains("never retrieved"), ctx.message());
    }

    private static boolean isLostReport(ExceptionContext c) {
        return c.exception() != null && "lost in a task".equals(c.exception().getMessage());
    }

    // ------------------------------------------------------------------ task-locals (contextvars)

    // test_context: a context is copied when the task is created and isolated afterwards
    @Test
    void taskLocalsAreCopiedAtCreationAndIsolatedAfterwards() {
        EventLoop loop = newVirtualLoop();
        TaskLocal<String> id = TaskLocal.named("id", "none");
        List<String> log = new ArrayList<>();
        runTask(loop, () -> {
            assertEquals("none", id.get());
            id.set("parent");
            Task<Void> child = loop.createTask(() -> {
                log.add("child sees " + id.get());
                id.set("child");
                Async.sleep(ms(10));
                log.add("child keeps " + id.get());
            });
            id.set("parent-2");
            child.await();
            log.add("parent keeps " + id.get());
            return null;
        });
        assertEquals(List.of("child sees parent", "child keeps child", "parent keeps parent-2"), log);
    }

    @Test
    void taskLocalsFollowATaskAcrossAwaitsWhileOthersInterleave() {
        EventLoop loop = newVirtualLoop();
        TaskLocal<Integer> n = TaskLocal.named("n");
        List<Task<Boolean>> tasks = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int mine = i;
            tasks.add(loop.createTask(() -> {
                n.set(mine);
                for (int k = 0; k < 5; k++) {
                    Async.sleep(ms(10 - mine));
                    if (n.get() != mine) {
                        return false;
                    }
                }
                return true;
            }));
        }
        for (Task<Boolean> t : tasks) {
            assertTrue(loop.runUntilComplete(t));
        }
    }

    @Test
    void taskLocalResetRestoresThePreviousValue() {
        EventLoop loop = newVirtualLoop();
        TaskLocal<String> v = TaskLocal.named("v");
        runTask(loop, () -> {
            assertFalse(v.isSet());
            TaskLocal.Token<String> t1 = v.set("a");
            TaskLocal.Token<String> t2 = v.set("b");
            v.reset(t2);
            assertEquals("a", v.get());
            assertThrows(IllegalStateException.class, () -> v.reset(t2));
            v.reset(t1);
            assertFalse(v.isSet());
            return null;
        });
        // Outside tasks, on the loop thread, callbacks share the loop's context.
        loop.callSoon(() -> v.set("root"));
        drain(loop);
        assertEquals("root", runTask(loop, v::get), "tasks created from the root inherit it");
        assertThrows(IllegalStateException.class, () -> v.set("no loop on this thread"));
    }

    // ------------------------------------------------------------------ debug mode

    @Test
    void debugModeRefusesAnAwaitInsideSynchronized() {
        EventLoop loop = newVirtualLoop();
        loop.setDebug(true);
        Object monitor = new Object();
        String message = runTask(loop, () -> {
            try {
                synchronized (monitor) {
                    Async.sleep(ms(1));
                }
                return "no error";
            } catch (IllegalStateException e) {
                return e.getMessage();
            }
        });
        assertTrue(message.contains("monitor"), message);
        assertEquals("fine", runTask(loop, () -> {
            Async.sleep(ms(1)); // no lock held: debug mode lets it through
            return "fine";
        }));
    }

    @Test
    void debugModeRefusesAnAwaitHoldingAJavaUtilConcurrentLock() {
        EventLoop loop = newVirtualLoop();
        loop.setDebug(true);
        ReentrantLock lock = new ReentrantLock();
        String message = runTask(loop, () -> {
            lock.lock();
            try {
                Async.sleep(ms(1));
                return "no error";
            } catch (IllegalStateException e) {
                return e.getMessage();
            } finally {
                lock.unlock();
            }
        });
        assertTrue(message.contains("java.util.concurrent lock"), message);
    }

    // test_tasks: test_cancel_multiple (3.13, checked on CPython): two cancels while the task is
    // suspended deliver one CancelledException, carrying the first message (the awaited future's
    // cancellation), and both requests are counted.
    @Test
    void twoCancelsWhileSuspendedDeliverOneCancellationWithTheFirstMessage() {
        EventLoop loop = newVirtualLoop();
        List<String> log = new ArrayList<>();
        Task<Integer> t = loop.createTask(() -> {
            try {
                Async.sleep(java.time.Duration.ofSeconds(1));
            } catch (CancelledException e) {
                log.add("caught " + e.getMessage() + ", cancelling " + Task.current().cancelling());
            }
            Async.sleep(java.time.Duration.ofMillis(10)); // no second CancelledException
            return 5;
        });
        drain(loop);
        assertTrue(t.cancel("one"));
        assertTrue(t.cancel("two"));
        assertEquals(5, loop.runUntilComplete(t));
        assertEquals(List.of("caught one, cancelling 2"), log);
    }
}
