package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.async.Async;
import dev.pollen.async.TaskGroup;
import dev.pollen.async.TaskGroupException;
import dev.pollen.async.Timeout;
import dev.pollen.async.TimeoutException;
import dev.pollen.loop.CancelledException;
import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.loop.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The {@link Timeout} contract, porting the applicable cases of CPython's
 * {@code test_timeouts.py} (named on each test). All on virtual time.
 *
 * <p><b>Threading:</b> JUnit's test thread runs the loops.
 */
@org.junit.jupiter.api.Timeout(value = 60, unit = TimeUnit.SECONDS)
public class TimeoutsContract extends TaskTestSupport {

    // test_timeouts: test_timeout_basic
    @Test
    void anExpiredTimeoutRaisesTimeoutException() {
        EventLoop loop = newVirtualLoop();
        AtomicReference<Timeout> cm = new AtomicReference<>();
        runTask(loop, () -> {
            cm.set(Async.timeout(ms(10)));
            assertThrows(TimeoutException.class, () -> cm.get().run(() -> Async.sleep(ms(10_000))));
            return null;
        });
        assertTrue(cm.get().expired());
        assertEquals(10 * MILLI, loop.time());
    }

    // test_timeouts: test_timeout_at_basic
    @Test
    void timeoutAtUsesTheLoopClock() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            long deadline = loop.time() + 10 * MILLI;
            Timeout cm = Async.timeoutAt(deadline);
            assertThrows(TimeoutException.class, () -> cm.run(() -> Async.sleep(ms(10_000))));
            assertTrue(cm.expired());
            assertEquals(OptionalLong.of(deadline), cm.when());
            assertEquals(deadline, loop.time());
            return null;
        });
    }

    // test_timeouts: test_nested_timeouts (only the outermost of equal deadlines raises)
    @Test
    void nestedTimeoutsWithTheSameDeadline() {
        EventLoop loop = newVirtualLoop();
        AtomicBoolean innerSawCancel = new AtomicBoolean();
        runTask(loop, () -> {
            long deadline = loop.time() + 10 * MILLI;
            Timeout cm1 = Async.timeoutAt(deadline);
            Timeout[] cm2 = new Timeout[1];
            assertThrows(TimeoutException.class, () -> cm1.run(() -> {
                try {
                    cm2[0] = Async.timeoutAt(deadline);
                    cm2[0].run(() -> Async.sleep(ms(10_000)));
                } catch (CancelledException e) {
                    innerSawCancel.set(true);
                    throw e;
                }
            }));
            assertTrue(cm1.expired());
            assertTrue(cm2[0].expired());
            return null;
        });
        assertTrue(innerSawCancel.get(), "the inner scope passes the cancellation on");
    }

    // test_timeouts: test_waiter_cancelled
    @Test
    void theBodySeesTheCancellation() {
        EventLoop loop = newVirtualLoop();
        AtomicBoolean cancelled = new AtomicBoolean();
        runTask(loop, () -> {
            assertThrows(TimeoutException.class, () -> Async.timeout(ms(10), () -> {
                try {
                    Async.sleep(ms(10_000));
                } catch (CancelledException e) {
                    cancelled.set(true);
                    throw e;
                }
                return null;
            }));
            return null;
        });
        assertTrue(cancelled.get());
    }

    // test_timeouts: test_timeout_not_called
    @Test
    void aTimeoutThatDoesNotExpireChangesNothing() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Timeout cm = Async.timeout(ms(10_000));
            assertEquals("done", cm.call(() -> Async.sleep(Duration.ZERO, "done")));
            assertFalse(cm.expired());
            assertEquals(0, loop.stats().timersPending(), "the timer is gone at exit");
            return null;
        });
    }

    // test_timeouts: test_timeout_disabled / test_timeout_at_disabled
    @Test
    void aNullDelayMeansNoDeadline() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Timeout cm = Async.timeout(null);
            cm.run(() -> Async.sleep(ms(50)));
            assertEquals(OptionalLong.empty(), cm.when());
            assertFalse(cm.expired());
            return null;
        });
    }

    // test_timeouts: test_timeout_zero / test_timeout_zero_sleep_zero / test_timeout_in_the_past_sleep_zero
    @Test
    void aZeroOrPastTimeoutExpiresAtTheNextAwait() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            assertThrows(TimeoutException.class, () -> Async.timeout(Duration.ZERO,
                    () -> Async.sleep(ms(10_000))));
            assertThrows(TimeoutException.class, () -> Async.timeout(Duration.ZERO,
                    () -> Async.sleep(Duration.ZERO)));
            assertThrows(TimeoutException.class, () -> Async.timeout(Duration.ofSeconds(-11),
                    () -> Async.sleep(Duration.ZERO)));
            return null;
        });
        assertEquals(0, loop.time());
    }

    // test_timeouts: test_foreign_exception_passed
    @Test
    void otherExceptionsPassThrough() {
        EventLoop loop = newVirtualLoop();
        IllegalArgumentException boom = new IllegalArgumentException("key");
        runTask(loop, () -> {
            assertSame(boom, assertThrows(IllegalArgumentException.class,
                    () -> Async.timeout(ms(10), () -> {
                        throw boom;
                    })));
            return null;
        });
    }

    // test_timeouts: test_foreign_cancel_doesnt_timeout_if_not_expired
    @Test
    void aForeignCancelIsNotATimeout() {
        EventLoop loop = newVirtualLoop();
        Timeout[] cm = new Timeout[1];
        Task<Void> t = loop.createTask(() -> {
            cm[0] = Async.timeout(ms(10_000));
            cm[0].run(() -> {
                Task.current().cancel();
                Async.sleep(ms(10_000));
            });
        });
        assertThrows(CancelledException.class, () -> loop.runUntilComplete(t));
        assertFalse(cm[0].expired());
    }

    // test_timeouts: test_outer_task_is_not_cancelled
    @Test
    void theTaskIsNotLeftCancelledByAnHandledTimeout() {
        EventLoop loop = newVirtualLoop();
        Task<String> t = loop.createTask(() -> {
            assertThrows(TimeoutException.class, () -> Async.timeout(ms(1),
                    () -> Async.sleep(ms(10_000))));
            Async.sleep(ms(5)); // no cancellation left over
            return "ok";
        });
        assertEquals("ok", loop.runUntilComplete(t));
        assertFalse(t.isCancelled());
        assertEquals(0, t.cancelling());
    }

    // test_timeouts: test_nested_timeouts_concurrent (the outer one expires first)
    @Test
    void anOuterTimeoutExpiringFirstPassesThroughTheInnerOne() {
        EventLoop loop = newVirtualLoop();
        List<String> log = new ArrayList<>();
        runTask(loop, () -> {
            assertThrows(TimeoutException.class, () -> Async.timeout(ms(2), () -> {
                try {
                    return Async.timeout(ms(100), () -> Async.sleep(ms(1000), "x"));
                } catch (CancelledException e) {
                    log.add("inner passed a cancellation on at " + loop.time() / MILLI);
                    throw e;
                }
            }));
            return null;
        });
        assertEquals(List.of("inner passed a cancellation on at 2"), log);
    }

    // test_timeouts: test_nested_timeouts_loop_busy (inner expires, then the outer one)
    @Test
    void anInnerTimeoutThenTheOuterOne() {
        EventLoop loop = newVirtualLoop();
        List<String> log = new ArrayList<>();
        runTask(loop, () -> {
            assertThrows(TimeoutException.class, () -> Async.timeout(ms(100), () -> {
                try {
                    Async.timeout(ms(10), () -> Async.sleep(ms(1000), "x"));
                } catch (TimeoutException e) {
                    log.add("inner timeout at " + loop.time() / MILLI);
                }
                Async.sleep(ms(10_000)); // interrupted by the outer timeout
                return null;
            }));
            log.add("outer timeout at " + loop.time() / MILLI);
            return null;
        });
        assertEquals(List.of("inner timeout at 10", "outer timeout at 100"), log);
    }

    // test_timeouts: test_reschedule
    @Test
    void rescheduleMovesOrRemovesTheDeadline() {
        EventLoop loop = newVirtualLoop();
        long deadline1 = 10 * SECOND;
        long deadline2 = deadline1 + 20 * SECOND;
        AtomicReference<Timeout> cmRef = new AtomicReference<>();
        Future<Void> ready = loop.createFuture();
        Task<Void> task = loop.createTask(() -> {
            Timeout cm = Async.timeoutAt(deadline1);
            cmRef.set(cm);
            cm.run(() -> {
                ready.setResult(null);
                Async.sleep(Duration.ofSeconds(50));
            });
        });
        loop.runUntilComplete(ready);
        Timeout cm = cmRef.get();
        assertEquals(OptionalLong.of(deadline1), cm.when());
        cm.reschedule(deadline2);
        assertEquals(OptionalLong.of(deadline2), cm.when());
        cm.removeDeadline();
        assertEquals(OptionalLong.empty(), cm.when());
        task.cancel();
        assertThrows(CancelledException.class, () -> loop.runUntilComplete(task));
        assertFalse(cm.expired());
        assertEquals(0, loop.time(), "no deadline fired");
    }

    @Test
    void rescheduleToThePastExpiresAtOnce() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Timeout cm = Async.timeout(Duration.ofHours(1));
            assertThrows(TimeoutException.class, () -> cm.run(() -> {
                Async.sleep(ms(5));
                cm.reschedule(loop.time() - 1);
                Async.sleep(Duration.ofHours(2));
            }));
            return null;
        });
        assertEquals(5 * MILLI, loop.time());
    }

    // test_timeouts: test_repr_active / test_repr_expired / test_repr_finished
    @Test
    void toStringShowsTheState() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Timeout a = Async.timeout(ms(10));
            assertTrue(a.toString().contains("created"), a.toString());
            a.run(() -> assertTrue(a.toString().contains("active"), a.toString()));
            assertTrue(a.toString().contains("finished"), a.toString());
            Timeout b = Async.timeout(ms(1));
            assertThrows(TimeoutException.class, () -> b.run(() -> Async.sleep(ms(10))));
            assertTrue(b.toString().contains("expired"), b.toString());
            return null;
        });
    }

    // test_timeouts: test_timeout_exception_cause
    @Test
    void theTimeoutExceptionIsCausedByTheCancellation() {
        EventLoop loop = newVirtualLoop();
        TimeoutException e = runTask(loop, () -> assertThrows(TimeoutException.class,
                () -> Async.timeout(ms(1), () -> Async.sleep(ms(10)))));
        assertInstanceOf(CancelledException.class, e.getCause());
    }

    // test_timeouts: test_timeout_double_enter / test_timeout_finished / test_timeout_not_entered
    // / test_timeout_without_task
    @Test
    void misuseFailsClearly() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Timeout cm = Async.timeout(ms(10));
            IllegalStateException notEntered = assertThrows(IllegalStateException.class,
                    () -> cm.reschedule(5));
            assertTrue(notEntered.getMessage().contains("not been entered"), notEntered.getMessage());
            cm.run(() -> {
                IllegalStateException twice = assertThrows(IllegalStateException.class,
                        () -> cm.run(() -> { }));
                assertTrue(twice.getMessage().contains("already been entered"), twice.getMessage());
            });
            IllegalStateException finished = assertThrows(IllegalStateException.class,
                    () -> cm.reschedule(5));
            assertTrue(finished.getMessage().contains("finished"), finished.getMessage());
            return null;
        });
        Timeout outside = Timeout.at(5);
        loop.callSoon(() -> {
            IllegalStateException noTask = assertThrows(IllegalStateException.class,
                    () -> outside.run(() -> { }));
            assertTrue(noTask.getMessage().contains("inside a task"), noTask.getMessage());
        });
        drain(loop);
    }

    // test_timeouts: test_timeout_taskgroup (a timeout around a group whose task fails in cleanup)
    @Test
    @SuppressWarnings("finally") // the child's cleanup crashes on purpose
    void aTimeoutAroundATaskGroupReportsTheGroupsErrors() {
        EventLoop loop = newVirtualLoop();
        TaskGroupException eg = runTask(loop, () -> assertThrows(TaskGroupException.class,
                () -> Async.timeout(ms(10), () -> {
                    TaskGroup.run(tg -> {
                        tg.createTask(() -> {
                            try {
                                Async.sleep(Duration.ofSeconds(2));
                            } finally {
                                throw new ArithmeticException("/ by zero in cleanup");
                            }
                        });
                        try {
                            throw new IllegalArgumentException("body");
                        } finally {
                            Async.sleep(Duration.ofSeconds(1));
                        }
                    });
                    return null;
                })));
        assertEquals(1, eg.exceptions().size(), eg.exceptions().toString());
        assertInstanceOf(ArithmeticException.class, eg.exceptions().get(0));
        assertEquals(10 * MILLI, loop.time());
    }
}
