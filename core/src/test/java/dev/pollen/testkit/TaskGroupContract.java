package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.async.Async;
import dev.pollen.async.TaskGroup;
import dev.pollen.async.TaskGroupException;
import dev.pollen.loop.CancelledException;
import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link TaskGroup} contract, porting the applicable cases of CPython's
 * {@code test_taskgroups.py} (named on each test). All on virtual time.
 *
 * <p><b>Threading:</b> JUnit's test thread runs the loops.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class TaskGroupContract extends TaskTestSupport {

    // test_taskgroups: test_taskgroup_01 / test_taskgroup_02
    @Test
    void runReturnsWhenEveryTaskIsDone() {
        EventLoop loop = newVirtualLoop();
        List<Task<Integer>> ts = new ArrayList<>();
        runTask(loop, () -> {
            TaskGroup.run(g -> {
                ts.add(g.createTask(() -> Async.sleep(ms(100), 42)));
                Async.sleep(ms(15));
                ts.add(g.createTask(() -> Async.sleep(ms(200), 11)));
            });
            return null;
        });
        assertEquals(42, ts.get(0).result());
        assertEquals(11, ts.get(1).result());
        assertEquals(215 * MILLI, loop.time());
    }

    // test_taskgroups: test_taskgroup_03 (cancelling one task explicitly does not stop the group)
    @Test
    void anExplicitlyCancelledTaskDoesNotAbortTheGroup() {
        EventLoop loop = newVirtualLoop();
        List<Task<Integer>> ts = new ArrayList<>();
        runTask(loop, () -> {
            TaskGroup.run(g -> {
                ts.add(g.createTask(() -> Async.sleep(ms(1000), 42)));
                Async.sleep(ms(150));
                ts.get(0).cancel();
                ts.add(g.createTask(() -> Async.sleep(ms(200), 11)));
            });
            return null;
        });
        assertTrue(ts.get(0).isCancelled());
        assertEquals(11, ts.get(1).result());
    }

    // test_taskgroups: test_taskgroup_04 (a failure cancels the siblings; the group reports it)
    @Test
    void aFailureCancelsTheSiblingsAndIsReported() {
        EventLoop loop = newVirtualLoop();
        AtomicInteger num = new AtomicInteger();
        AtomicBoolean t2Cancelled = new AtomicBoolean();
        AtomicReference<Task<Void>> t2 = new AtomicReference<>();
        Task<Void> runner = loop.createTask(() -> {
            TaskGroup.run(g -> {
                g.createTask(() -> {
                    Async.sleep(ms(100));
                    throw new ArithmeticException("/ by zero");
                });
                t2.set(g.createTask(() -> {
                    try {
                        Async.sleep(ms(1000));
                    } catch (CancelledException e) {
                        t2Cancelled.set(true);
                        throw e;
                    }
                    num.addAndGet(1);
                }));
            });
            num.addAndGet(10);
        });
        TaskGroupException e = assertThrows(TaskGroupException.class,
                () -> loop.runUntilComplete(runner));
        assertEquals(1, e.exceptions().size());
        assertInstanceOf(ArithmeticException.class, e.exceptions().get(0));
        assertEquals(0, num.get());
        assertTrue(t2Cancelled.get());
        assertTrue(t2.get().isCancelled());
        assertEquals(100 * MILLI, loop.time());
    }

    // test_taskgroups: test_taskgroup_05 / test_taskgroup_06 (cancel from outside)
    @Test
    void cancellingTheTaskRunningTheGroupCancelsItsTasks() {
        EventLoop loop = newVirtualLoop();
        AtomicInteger cancelled = new AtomicInteger();
        Task<Void> runner = loop.createTask(() -> TaskGroup.run(g -> {
            for (int i = 0; i < 2; i++) {
                g.createTask(() -> {
                    try {
                        Async.sleep(ms(1000));
                    } catch (CancelledException e) {
                        cancelled.incrementAndGet();
                        throw e;
                    }
                });
            }
        }));
        loop.callLater(ms(100), runner::cancel);
        assertThrows(CancelledException.class, () -> loop.runUntilComplete(runner));
        assertTrue(runner.isCancelled());
        assertEquals(2, cancelled.get());
    }

    // test_taskgroups: test_taskgroup_07 (a child's failure interrupts the body's await)
    @Test
    void aFailureInterruptsTheBody() {
        EventLoop loop = newVirtualLoop();
        List<String> log = new ArrayList<>();
        Task<Void> runner = loop.createTask(() -> TaskGroup.run(g -> {
            g.createTask(() -> {
                Async.sleep(ms(100));
                throw new ArithmeticException();
            });
            try {
                Async.sleep(ms(10_000));
                log.add("never");
            } catch (CancelledException e) {
                log.add("body interrupted at " + loop.time() / MILLI);
                throw e;
            }
        }));
        TaskGroupException e = assertThrows(TaskGroupException.class,
                () -> loop.runUntilComplete(runner));
        assertInstanceOf(ArithmeticException.class, e.exceptions().get(0));
        assertEquals(List.of("body interrupted at 100"), log);
        assertFalse(runner.isCancelled(), "the group withdrew the cancellation it caused");
    }

    // test_taskgroups: test_taskgroup_08 / test_taskgroup_14 (every failure is reported)
    @Test
    void everyFailureIsReported() {
        EventLoop loop = newVirtualLoop();
        Task<Void> runner = loop.createTask(() -> TaskGroup.run(g -> {
            g.createTask(() -> {
                Async.sleep(ms(10));
                throw new IllegalStateException("one");
            });
            g.createTask(() -> {
                Async.sleep(ms(10));
                throw new IllegalArgumentException("two");
            });
        }));
        TaskGroupException e = assertThrows(TaskGroupException.class,
                () -> loop.runUntilComplete(runner));
        assertEquals(2, e.exceptions().size(), e.exceptions().toString());
        assertEquals(1, e.getSuppressed().length, "the others are attached as suppressed");
        assertTrue(e.getMessage().contains("one") && e.getMessage().contains("two"), e.getMessage());
    }

    // test_taskgroups: test_taskgroup_10 / test_taskgroup_11 (an exception of the body)
    @Test
    void anExceptionOfTheBodyCancelsTheTasksAndIsReported() {
        EventLoop loop = newVirtualLoop();
        AtomicBoolean childCancelled = new AtomicBoolean();
        Task<Void> runner = loop.createTask(() -> TaskGroup.run(g -> {
            g.createTask(() -> {
                try {
                    Async.sleep(ms(1000));
                } catch (CancelledException e) {
                    childCancelled.set(true);
                    throw e;
                }
            });
            Async.sleep(ms(10));
            throw new IllegalArgumentException("from the body");
        }));
        TaskGroupException e = assertThrows(TaskGroupException.class,
                () -> loop.runUntilComplete(runner));
        assertEquals(1, e.exceptions().size());
        assertEquals("from the body", e.exceptions().get(0).getMessage());
        assertTrue(childCancelled.get());
        assertEquals(10 * MILLI, loop.time());
    }

    // test_taskgroups: test_taskgroup_15 (outside cancel, then a child crashes during cleanup)
    @Test
    void aCrashWhileTheBodyHandlesAnOutsideCancelIsReported() {
        EventLoop loop = newVirtualLoop();
        Task<Void> runner = loop.createTask(() -> TaskGroup.run(g -> {
            g.createTask(() -> {
                Async.sleep(ms(300));
                throw new ArithmeticException("crash soon");
            });
            try {
                Async.sleep(ms(10_000));
            } catch (CancelledException e) {
                Async.sleep(ms(500));
                throw e;
            }
        }));
        loop.callLater(ms(100), runner::cancel);
        TaskGroupException e = assertThrows(TaskGroupException.class,
                () -> loop.runUntilComplete(runner));
        assertInstanceOf(ArithmeticException.class, e.exceptions().get(0));
    }

    // test_taskgroups: test_taskgroup_16 / test_taskgroup_17 (nested groups)
    @Test
    void nestedGroupsPropagateFailuresOutward() {
        EventLoop loop = newVirtualLoop();
        AtomicBoolean outerTaskCancelled = new AtomicBoolean();
        Task<Void> runner = loop.createTask(() -> TaskGroup.run(outer -> {
            outer.createTask(() -> {
                try {
                    Async.sleep(ms(1000));
                } catch (CancelledException e) {
                    outerTaskCancelled.set(true);
                    throw e;
                }
            });
            TaskGroup.run(inner -> inner.createTask(() -> {
                Async.sleep(ms(50));
                throw new ArithmeticException("inner");
            }));
        }));
        TaskGroupException e = assertThrows(TaskGroupException.class,
                () -> loop.runUntilComplete(runner));
        assertEquals(1, e.exceptions().size());
        TaskGroupException inner = assertInstanceOf(TaskGroupException.class, e.exceptions().get(0));
        assertInstanceOf(ArithmeticException.class, inner.exceptions().get(0));
        assertTrue(outerTaskCancelled.get());
        assertEquals(50 * MILLI, loop.time());
    }

    // test_taskgroups: test_taskgroup_21 / test_taskgroup_cancel_after_errors (the task is usable
    // after a handled group failure: no cancellation left over)
    @Test
    void theTaskGoesOnAfterHandlingTheGroupsFailure() {
        EventLoop loop = newVirtualLoop();
        Task<String> runner = loop.createTask(() -> {
            try {
                TaskGroup.run(g -> g.createTask(() -> {
                    throw new IllegalStateException("x");
                }));
            } catch (TaskGroupException e) {
                // handled
            }
            Async.sleep(ms(20));
            return "went on, cancelling=" + Task.current().cancelling();
        });
        assertEquals("went on, cancelling=0", loop.runUntilComplete(runner));
    }

    // test_taskgroups: test_taskgroup_task_after_finish ("TaskGroup ... is finished") /
    // test_taskgroup_shutting_down ("is shutting down")
    @Test
    void creatingTasksInAFinishedOrAbortingGroupFails() {
        EventLoop loop = newVirtualLoop();
        AtomicReference<TaskGroup> kept = new AtomicReference<>();
        AtomicReference<String> shuttingDown = new AtomicReference<>();
        runTask(loop, () -> {
            TaskGroup.run(kept::set);
            IllegalStateException finished = assertThrows(IllegalStateException.class,
                    () -> kept.get().createTask(() -> 1));
            assertTrue(finished.getMessage().contains("finished"), finished.getMessage());
            try {
                TaskGroup.run(g -> {
                    g.createTask(() -> {
                        throw new IllegalStateException("fail");
                    });
                    try {
                        Async.sleep(Duration.ofSeconds(1));
                    } catch (CancelledException e) {
                        try {
                            g.createTask(() -> 2);
                        } catch (IllegalStateException ex) {
                            shuttingDown.set(ex.getMessage());
                        }
                        throw e;
                    }
                });
            } catch (TaskGroupException expected) {
                // the failure
            }
            return null;
        });
        assertTrue(shuttingDown.get() != null && shuttingDown.get().contains("shutting down"),
                String.valueOf(shuttingDown.get()));
    }

    // asyncio 3.13 (checked on CPython): while the group cancels the body after a child failed,
    // the body sees cancelling() == 1; once the group is done it is back to 0.
    @Test
    void theBodySeesOneCancellationRequestWhileTheGroupAbortsIt() {
        EventLoop loop = newVirtualLoop();
        List<String> log = new ArrayList<>();
        runTask(loop, () -> {
            Task<?> me = Task.current();
            assertThrows(TaskGroupException.class, () -> TaskGroup.run(g -> {
                g.createTask(() -> {
                    Async.sleep(ms(10));
                    throw new IllegalStateException("x");
                });
                try {
                    Async.sleep(ms(1000));
                } catch (CancelledException e) {
                    log.add("in body " + me.cancelling());
                    Async.yieldNow(); // still inside the group: no second cancellation arrives
                    log.add("still in body " + me.cancelling());
                    throw e;
                }
            }));
            log.add("after " + me.cancelling());
            Async.yieldNow();
            log.add("parent goes on");
            return null;
        });
        assertEquals(List.of("in body 1", "still in body 1", "after 0", "parent goes on"), log);
    }

    // asyncio 3.13: a task failing while run() waits at its end (the body has returned) cancels
    // the other tasks at once and is reported; no cancellation is left on the parent.
    @Test
    void aTaskFailingDuringTheExitWaitCancelsTheOthers() {
        EventLoop loop = newVirtualLoop();
        AtomicReference<Task<?>> other = new AtomicReference<>();
        int cancelling = runTask(loop, () -> {
            TaskGroupException e = assertThrows(TaskGroupException.class, () -> TaskGroup.run(g -> {
                g.createTask(() -> {
                    Async.sleep(ms(20));
                    throw new IllegalStateException("late");
                });
                other.set(g.createTask(() -> Async.sleep(ms(50))));
            }));
            assertEquals("late", e.exceptions().get(0).getMessage());
            return Task.current().cancelling();
        });
        assertEquals(0, cancelling);
        assertTrue(other.get().isCancelled());
        assertEquals(20 * MILLI, loop.time());
    }

    // asyncio 3.13: an outside cancel arrives, a task fails while being cancelled: the group
    // reports the failure, and the outside request stays pending (cancelling() == 1), so the next
    // await of the task that ran the group is cancelled.
    @Test
    void anOutsideCancelWithATaskFailureReportsTheFailureAndKeepsTheCancel() {
        EventLoop loop = newVirtualLoop();
        List<String> log = new ArrayList<>();
        Task<Void> runner = loop.createTask(() -> {
            Task<?> me = Task.current();
            try {
                TaskGroup.run(g -> g.createTask(() -> {
                    try {
                        Async.sleep(ms(1000));
                    } catch (CancelledException c) {
                        throw new IllegalStateException("fails while cancelled");
                    }
                }));
            } catch (TaskGroupException e) {
                log.add("group failed, cancelling " + me.cancelling());
            }
            try {
                Async.yieldNow();
                log.add("not cancelled");
            } catch (CancelledException c) {
                log.add("the outside cancel is still pending");
                throw c;
            }
        });
        loop.callLater(ms(10), runner::cancel);
        assertThrows(CancelledException.class, () -> loop.runUntilComplete(runner));
        assertTrue(runner.isCancelled());
        assertEquals(List.of("group failed, cancelling 1", "the outside cancel is still pending"),
                log);
    }

    // ------------------------------------------------------------------ cancel() (3.15)

    // test_taskgroups (3.15): test_taskgroup_cancel_body / _children
    @Test
    void cancelStopsTheTasksAndTheBodyAndRunReturnsNormally() {
        EventLoop loop = newVirtualLoop();
        List<String> log = new ArrayList<>();
        String r = runTask(loop, () -> {
            TaskGroup.run(g -> {
                Task<Void> child = g.createTask(() -> {
                    try {
                        Async.sleep(ms(1000));
                    } catch (CancelledException e) {
                        log.add("child cancelled");
                        throw e;
                    }
                });
                Async.sleep(ms(10));
                g.cancel();
                g.cancel(); // idempotent
                try {
                    Async.sleep(ms(1000));
                    log.add("body not cancelled");
                } catch (CancelledException e) {
                    log.add("body cancelled, cancelling " + Task.current().cancelling());
                    throw e;
                }
                assertFalse(child.isDone());
            });
            Async.sleep(ms(5));
            return "after the group, cancelling " + Task.current().cancelling();
        });
        assertEquals("after the group, cancelling 0", r);
        assertEquals(List.of("child cancelled", "body cancelled, cancelling 1"), log);
        assertEquals(15 * MILLI, loop.time());
    }

    // test_taskgroups (3.15): cancelling from a child, and while run() waits at its end
    @Test
    void cancelFromAChildOrDuringTheExitWait() {
        EventLoop loop = newVirtualLoop();
        AtomicReference<Task<?>> sleeper = new AtomicReference<>();
        runTask(loop, () -> {
            TaskGroup.run(g -> {
                sleeper.set(g.createTask(() -> Async.sleep(ms(1000))));
                g.createTask(() -> {
                    Async.sleep(ms(10));
                    g.cancel();
                });
            });
            return null;
        });
        assertTrue(sleeper.get().isCancelled());
        assertEquals(10 * MILLI, loop.time());

        EventLoop loop2 = newVirtualLoop();
        AtomicReference<TaskGroup> group = new AtomicReference<>();
        loop2.callLater(ms(10), () -> group.get().cancel());
        runTask(loop2, () -> {
            TaskGroup.run(g -> {
                group.set(g);
                g.createTask(() -> Async.sleep(ms(1000)));
            });
            group.get().cancel(); // after the group finished: nothing happens
            Async.yieldNow();
            return null;
        });
        assertEquals(10 * MILLI, loop2.time());
    }

    // cancel() does not hide failures: a task failing while the group is cancelled is reported.
    @Test
    void cancelStillReportsFailures() {
        EventLoop loop = newVirtualLoop();
        TaskGroupException e = assertThrows(TaskGroupException.class, () -> runTask(loop, () -> {
            TaskGroup.run(g -> {
                g.createTask(() -> {
                    try {
                        Async.sleep(ms(1000));
                    } catch (CancelledException c) {
                        throw new IllegalStateException("cleanup failed");
                    }
                });
                Async.yieldNow();
                g.cancel();
            });
            return null;
        }));
        assertEquals("cleanup failed", e.exceptions().get(0).getMessage());
    }

    // cancel() does not swallow somebody else's cancellation arriving meanwhile (CPython
    // gh-155433): the group still ends, and the outside cancellation propagates.
    @Test
    void anOutsideCancelDuringACancelledGroupStillPropagates() {
        EventLoop loop = newVirtualLoop();
        AtomicReference<TaskGroup> group = new AtomicReference<>();
        Task<String> runner = loop.createTask(() -> {
            TaskGroup.run(g -> {
                group.set(g);
                g.createTask(() -> {
                    try {
                        Async.sleep(ms(1000));
                    } catch (CancelledException c) {
                        Async.sleep(ms(20)); // slow cleanup
                        throw c;
                    }
                });
            });
            return "returned";
        });
        loop.callLater(ms(10), () -> group.get().cancel());
        loop.callLater(ms(15), runner::cancel);
        assertThrows(CancelledException.class, () -> loop.runUntilComplete(runner));
        assertTrue(runner.isCancelled());
        assertEquals(30 * MILLI, loop.time());
    }

    @Test
    void runOutsideATaskFails() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TaskGroup.run(g -> { }));
        assertTrue(e.getMessage().contains("inside a task"), e.getMessage());
    }
}
