package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.async.Async;
import dev.pollen.async.Barrier;
import dev.pollen.async.BoundedSemaphore;
import dev.pollen.async.BrokenBarrierException;
import dev.pollen.async.Condition;
import dev.pollen.async.Event;
import dev.pollen.async.Lock;
import dev.pollen.async.Semaphore;
import dev.pollen.async.TaskGroup;
import dev.pollen.loop.CancelledException;
import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.loop.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract of the loop-bound synchronisation primitives ({@link Lock}, {@link Event},
 * {@link Condition}, {@link Semaphore}, {@link BoundedSemaphore}, {@link Barrier}), porting the
 * applicable cases of CPython's {@code test_locks.py} (named on each test). {@code sleep(0)} is
 * {@link Task#yieldNow()}.
 *
 * <p><b>Threading:</b> JUnit's test thread runs the loops.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class LocksContract extends TaskTestSupport {

    // ------------------------------------------------------------------ Lock

    // test_locks LockTests: test_lock / test_release_not_acquired / test_release_no_waiters
    @Test
    void lockBasics() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Lock lock = new Lock();
            assertFalse(lock.isLocked());
            lock.acquire();
            assertTrue(lock.isLocked());
            lock.release();
            assertFalse(lock.isLocked());
            IllegalStateException e = assertThrows(IllegalStateException.class, lock::release);
            assertTrue(e.getMessage().contains("not acquired"), e.getMessage());
            return null;
        });
    }

    // test_locks LockTests: test_acquire (waiters are served in FIFO order)
    @Test
    void lockWaitersAreServedInOrder() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Lock lock = new Lock();
            List<Integer> result = new ArrayList<>();
            lock.acquire();
            Task<Void> t1 = loop.createTask(() -> {
                lock.acquire();
                result.add(1);
            });
            Task<Void> t2 = loop.createTask(() -> {
                lock.acquire();
                result.add(2);
            });
            Task.yieldNow();
            assertEquals(List.of(), result);
            lock.release();
            Task.yieldNow();
            assertEquals(List.of(1), result);
            Task.yieldNow();
            assertEquals(List.of(1), result);
            Task<Void> t3 = loop.createTask(() -> {
                lock.acquire();
                result.add(3);
            });
            lock.release();
            Task.yieldNow();
            assertEquals(List.of(1, 2), result);
            lock.release();
            Task.yieldNow();
            assertEquals(List.of(1, 2, 3), result);
            assertTrue(t1.isDone() && t2.isDone() && t3.isDone());
            return null;
        });
    }

    // test_locks LockTests: test_acquire_cancel
    @Test
    void aCancelledAcquireDoesNotTakeTheLock() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Lock lock = new Lock();
            lock.acquire();
            Task<Void> t = loop.createTask(lock::acquire);
            Task.yieldNow();
            t.cancel();
            assertThrows(CancelledException.class, t::await);
            lock.release();
            assertFalse(lock.isLocked());
            lock.acquire(); // free for the next one
            return null;
        });
    }

    // test_locks LockTests: test_cancel_race
    @Test
    void cancellingAWaiterWhileTheLockIsReleasedWakesTheNextOne() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Lock lock = new Lock();
            Future<Void> fa = loop.createFuture();
            Task<Void> ta = loop.createTask(() -> lockit(lock, fa));
            Task.yieldNow();
            assertTrue(lock.isLocked());
            Task<Void> tb = loop.createTask(() -> lockit(lock, null));
            Task.yieldNow();
            Task<Void> tc = loop.createTask(() -> lockit(lock, null));
            Task.yieldNow();
            fa.setResult(null);
            tb.cancel();
            Task.yieldNow();
            assertFalse(lock.isLocked());
            assertTrue(ta.isDone());
            assertTrue(tb.isCancelled());
            tc.await();
            return null;
        });
    }

    private static void lockit(Lock lock, Future<Void> blocker) {
        lock.acquire();
        try {
            if (blocker != null) {
                blocker.await();
            }
        } finally {
            lock.release();
        }
    }

    // test_locks LockTests: test_cancel_release_race (only one waiter takes the lock)
    @Test
    void cancelAndReleaseTogetherHandTheLockToExactlyOneWaiter() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Lock lock = new Lock();
            AtomicInteger lockCount = new AtomicInteger();
            AtomicInteger callCount = new AtomicInteger();
            dev.pollen.loop.ThrowingRunnable lockit = () -> {
                callCount.incrementAndGet();
                lock.acquire();
                lockCount.incrementAndGet();
            };
            lock.acquire();
            Task<Void> t1 = loop.createTask(lockit);
            Task<Void> t2 = loop.createTask(lockit);
            Task<Void> t3 = loop.createTask(lockit);
            Task.yieldNow();
            loop.callSoon(() -> {
                t1.cancel();
                lock.release();
            });
            assertThrows(CancelledException.class, t1::await);
            assertEquals(1, lockCount.get());
            assertEquals(3, callCount.get());
            assertTrue(t1.isCancelled() && t2.isDone());
            t3.cancel();
            Task.yieldNow();
            assertTrue(t3.isCancelled());
            return null;
        });
    }

    // test_locks LockTests: test_finished_waiter_cancelled
    @Test
    void aWokenWaiterCancelledBeforeRunningPassesTheLockOn() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Lock lock = new Lock();
            lock.acquire();
            Task<Void> tb = loop.createTask(lock::acquire);
            Task.yieldNow();
            Task<Void> tc = loop.createTask(lock::acquire);
            tb.cancel();
            lock.release();
            Task.yieldNow();
            assertTrue(lock.isLocked());
            assertTrue(tb.isCancelled());
            tc.await();
            return null;
        });
    }

    // test_locks LockTests: test_context_manager (async with lock)
    @Test
    void withLockHoldsTheLockAroundTheBody() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Lock lock = new Lock();
            assertEquals("in", lock.withLock(() -> {
                assertTrue(lock.isLocked());
                Async.sleep(ms(1));
                return "in";
            }));
            assertFalse(lock.isLocked());
            assertThrows(IllegalStateException.class, () -> lock.withLock(() -> {
                throw new IllegalStateException("body");
            }));
            assertFalse(lock.isLocked(), "released when the body throws");
            return null;
        });
    }

    @Test
    void aLockIsBoundToOneLoop() {
        Lock lock = new Lock();
        EventLoop a = newVirtualLoop();
        EventLoop b = newVirtualLoop();
        runTask(a, () -> {
            lock.acquire();
            a.createTask(lock::acquire);
            Task.yieldNow(); // a waiter binds the lock to loop a
            return null;
        });
        IllegalStateException e = runTask(b, () -> assertThrows(IllegalStateException.class,
                lock::acquire));
        assertTrue(e.getMessage().contains("bound to event loop"), e.getMessage());
    }

    // ------------------------------------------------------------------ Event

    // test_locks EventTests: test_wait
    @Test
    void setWakesEveryWaiter() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Event ev = new Event();
            assertFalse(ev.isSet());
            List<Integer> result = new ArrayList<>();
            List<Task<Void>> ts = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                int n = i;
                ts.add(loop.createTask(() -> {
                    ev.await();
                    result.add(n);
                }));
            }
            Task.yieldNow();
            assertEquals(List.of(), result);
            ev.set();
            Task.yieldNow();
            assertEquals(List.of(1, 2, 3), result);
            assertTrue(ev.await(), "returns at once while set");
            return null;
        });
    }

    // test_locks EventTests: test_wait_cancel
    @Test
    void aCancelledEventWaitLeavesNoWaiterBehind() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Event ev = new Event();
            Task<Boolean> t = loop.createTask(ev::await);
            Task.yieldNow();
            t.cancel();
            assertThrows(CancelledException.class, t::await);
            assertTrue(ev.toString().endsWith("unset]"), ev.toString());
            return null;
        });
    }

    // test_locks EventTests: test_clear / test_clear_with_waiters
    @Test
    void clearAfterSetStillWakesTheWaitersOfThatSet() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Event ev = new Event();
            List<Integer> result = new ArrayList<>();
            Task<Void> t = loop.createTask(() -> {
                ev.await();
                result.add(1);
            });
            Task.yieldNow();
            ev.set();
            ev.clear();
            assertFalse(ev.isSet());
            ev.set();
            ev.set();
            Task.yieldNow();
            assertEquals(List.of(1), result);
            assertTrue(t.isDone());
            return null;
        });
    }

    // ------------------------------------------------------------------ Condition

    // test_locks ConditionTests: test_wait / test_notify
    @Test
    void notifyWakesThatManyWaitersEachWithTheLock() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Condition cond = new Condition();
            List<Integer> result = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                int n = i;
                loop.createTask(() -> cond.withLock(() -> {
                    cond.await();
                    assertTrue(cond.isLocked(), "await returns holding the lock");
                    result.add(n);
                }));
            }
            Task.yieldNow();
            assertEquals(List.of(), result);
            cond.withLock(() -> cond.notify(1));
            Task.yieldNow();
            Task.yieldNow();
            assertEquals(List.of(1), result);
            cond.withLock(() -> cond.notify(2048));
            for (int i = 0; i < 5; i++) {
                Task.yieldNow();
            }
            assertEquals(List.of(1, 2, 3), result);
            return null;
        });
    }

    // test_locks ConditionTests: test_notify_all
    @Test
    void notifyAllWakesEveryWaiter() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Condition cond = new Condition();
            Set<Integer> result = new HashSet<>();
            for (int i = 1; i <= 3; i++) {
                int n = i;
                loop.createTask(() -> cond.withLock(() -> {
                    cond.await();
                    result.add(n);
                }));
            }
            Task.yieldNow();
            cond.withLock(cond::notifyAllWaiters);
            for (int i = 0; i < 5; i++) {
                Task.yieldNow();
            }
            assertEquals(Set.of(1, 2, 3), result);
            return null;
        });
    }

    // test_locks ConditionTests: test_wait_for
    @Test
    void awaitForChecksThePredicateAfterEachNotification() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Condition cond = new Condition();
            AtomicBoolean presult = new AtomicBoolean();
            AtomicInteger checks = new AtomicInteger();
            List<Integer> result = new ArrayList<>();
            loop.createTask(() -> cond.withLock(() -> {
                cond.awaitFor(() -> {
                    checks.incrementAndGet();
                    return presult.get();
                });
                result.add(1);
            }));
            Task.yieldNow();
            cond.withLock(cond::notifyOne);
            Task.yieldNow();
            Task.yieldNow();
            assertEquals(List.of(), result);
            presult.set(true);
            cond.withLock(cond::notifyOne);
            Task.yieldNow();
            Task.yieldNow();
            assertEquals(List.of(1), result);
            assertEquals(3, checks.get());
            return null;
        });
    }

    // test_locks ConditionTests: test_wait_cancel (the lock is held again after a cancelled wait)
    @Test
    void aCancelledWaitReacquiresTheLock() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Condition cond = new Condition();
            AtomicBoolean heldInCleanup = new AtomicBoolean();
            cond.acquire();
            Task<Boolean> wait = loop.createTask(() -> {
                cond.acquire();
                try {
                    return cond.await();
                } finally {
                    heldInCleanup.set(cond.isLocked());
                    cond.release();
                }
            });
            cond.release();
            Task.yieldNow();
            wait.cancel();
            assertThrows(CancelledException.class, wait::await);
            assertTrue(heldInCleanup.get());
            assertFalse(cond.isLocked());
            return null;
        });
    }

    // test_locks ConditionTests: test_wait_cancel_contested
    @Test
    void aCancelWhileReacquiringIsDeliveredOnceTheLockIsHeld() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Condition cond = new Condition();
            cond.acquire();
            Task<Boolean> waitTask = loop.createTask(cond::await);
            Task.yieldNow();
            assertFalse(cond.isLocked());
            cond.acquire();
            assertTrue(cond.isLocked());
            cond.notifyOne();
            loop.callSoon(waitTask::cancel);
            loop.callSoon(cond::release);
            try {
                waitTask.await();
            } catch (CancelledException e) {
                // may happen: the cancel came while it re-acquired
            }
            assertTrue(cond.isLocked(), "the waiter re-acquired the lock before finishing");
            return null;
        });
    }

    // test_locks ConditionTests: test_cancelled_wakeup (a notification is not lost when the
    // notified task is cancelled before it runs)
    @Test
    void aNotificationOfACancelledWaiterPassesToTheNextOne() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Condition cond = new Condition();
            AtomicBoolean wake = new AtomicBoolean();
            Task<Void> a = loop.createTask(() -> cond.withLock(() -> {
                cond.awaitFor(wake::get);
            }));
            Task<Void> b = loop.createTask(() -> cond.withLock(() -> {
                cond.awaitFor(wake::get);
            }));
            Task.yieldNow();
            cond.withLock(() -> {
                wake.set(true);
                cond.notify(1);
            });
            a.cancel("foo");
            CancelledException e = assertThrows(CancelledException.class, a::await);
            assertEquals("foo", e.getMessage());
            b.await(); // woken by the notification a passed on
            assertTrue(b.isDone() && !b.isCancelled());
            return null;
        });
    }

    // test_locks ConditionTests: test_notify_unacquired / test_wait_unacquired / test_explicit_lock
    @Test
    void conditionMisuseAndSharedLocks() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Condition cond = new Condition();
            assertThrows(IllegalStateException.class, cond::notifyOne);
            assertThrows(IllegalStateException.class, cond::await);
            assertThrows(IllegalArgumentException.class, () -> cond.notify(-1));
            Lock lock = new Lock();
            Condition c1 = new Condition(lock);
            Condition c2 = new Condition(lock);
            c1.acquire();
            assertTrue(lock.isLocked() && c2.isLocked());
            c2.release();
            assertFalse(c1.isLocked());
            return null;
        });
    }

    // ------------------------------------------------------------------ Semaphore

    // test_locks SemaphoreTests: test_initial_value_zero / test_semaphore_value / test_repr
    @Test
    void semaphoreBasics() {
        assertThrows(IllegalArgumentException.class, () -> new Semaphore(-1));
        Semaphore zero = new Semaphore(0);
        assertTrue(zero.isLocked());
        Semaphore two = new Semaphore(2);
        assertFalse(two.isLocked());
        assertEquals(2, two.availablePermits());
    }

    // test_locks SemaphoreTests: test_acquire
    @Test
    void semaphoreCountsPermits() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Semaphore sem = new Semaphore(3);
            List<Integer> result = new ArrayList<>();
            sem.acquire();
            sem.acquire();
            assertFalse(sem.isLocked());
            List<Task<Void>> ts = new ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                int n = i;
                ts.add(loop.createTask(() -> {
                    sem.acquire();
                    result.add(n);
                }));
            }
            Task.yieldNow();
            assertEquals(List.of(1), result);
            assertTrue(sem.isLocked());
            sem.release();
            sem.release();
            Task.yieldNow();
            assertEquals(List.of(1, 2, 3), result);
            ts.get(3).cancel();
            Task.yieldNow();
            assertTrue(ts.get(3).isCancelled());
            assertEquals(0, sem.availablePermits());
            return null;
        });
    }

    // test_locks SemaphoreTests: test_acquire_cancel_before_awoken / test_acquire_hang
    @Test
    void cancelledWaitersDoNotSwallowAPermit() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Semaphore sem = new Semaphore(0);
            Task<Void> t1 = loop.createTask(sem::acquire);
            Task<Void> t2 = loop.createTask(sem::acquire);
            Task<Void> t3 = loop.createTask(sem::acquire);
            Task<Void> t4 = loop.createTask(sem::acquire);
            Task.yieldNow();
            t1.cancel();
            t2.cancel();
            sem.release();
            Task.yieldNow();
            Task.yieldNow();
            assertTrue(t3.isDone());
            assertFalse(t4.isDone());
            assertTrue(sem.isLocked());
            t4.cancel();
            Task.yieldNow();
            return null;
        });
    }

    // test_locks SemaphoreTests: test_acquire_no_hang
    @Test
    void aWaiterCancelledAfterBeingWokenGivesThePermitBack() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Semaphore sem = new Semaphore(1);
            Task<Void>[] t2 = newTaskArray();
            Task<Void> t1 = loop.createTask(() -> {
                sem.withPermit(() -> Task.yieldNow());
                t2[0].cancel();
            });
            t2[0] = loop.createTask(() -> sem.withPermit(() -> {
                throw new AssertionError("must not get the permit");
            }));
            List<Object> r = Async.gather(List.of(t1, t2[0]), true).await();
            assertNull(r.get(0));
            assertInstanceOf(CancelledException.class, r.get(1));
            Async.waitFor(Async.createTask(sem::acquire), Duration.ofSeconds(1));
            return null;
        });
    }

    @SuppressWarnings("unchecked")
    private static Task<Void>[] newTaskArray() {
        return (Task<Void>[]) new Task<?>[1];
    }

    // test_locks SemaphoreTests: test_acquire_fifo_order
    @Test
    void semaphoreWaitersAreServedInOrder() {
        EventLoop loop = newVirtualLoop();
        List<String> result = new ArrayList<>();
        runTask(loop, () -> {
            Semaphore sem = new Semaphore(1);
            TaskGroup.run(tg -> {
                for (String tag : List.of("c1", "c2", "c3")) {
                    tg.createTask(() -> {
                        sem.acquire();
                        result.add(tag + "_1");
                        Async.sleep(ms(10));
                        sem.release();
                        sem.acquire();
                        result.add(tag + "_2");
                        Async.sleep(ms(10));
                        sem.release();
                    });
                }
            });
            return null;
        });
        assertEquals(List.of("c1_1", "c2_1", "c3_1", "c1_2", "c2_2", "c3_2"), result);
    }

    // test_locks SemaphoreTests: test_release_not_acquired / test_release_no_waiters
    @Test
    void boundedSemaphoreRefusesExtraReleases() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            BoundedSemaphore sem = new BoundedSemaphore();
            assertThrows(IllegalStateException.class, sem::release);
            sem.acquire();
            assertTrue(sem.isLocked());
            sem.release();
            assertFalse(sem.isLocked());
            Semaphore plain = new Semaphore(0);
            plain.release(); // an unbounded semaphore grows
            assertEquals(1, plain.availablePermits());
            return null;
        });
    }

    // ------------------------------------------------------------------ Barrier

    // test_locks BarrierTests: test_barrier / test_barrier_parties / test_wait_more
    @Test
    void aBarrierReleasesEveryoneWhenAllArrive() {
        EventLoop loop = newVirtualLoop();
        assertThrows(IllegalArgumentException.class, () -> new Barrier(0));
        runTask(loop, () -> {
            Barrier barrier = new Barrier(3);
            for (int round = 0; round < 2; round++) {
                List<Task<Integer>> ts = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    ts.add(loop.createTask(barrier::await));
                }
                Set<Integer> indices = new HashSet<>();
                for (Task<Integer> t : ts) {
                    indices.add(t.await());
                }
                assertEquals(Set.of(0, 1, 2), indices);
                assertEquals(0, barrier.waiting());
                assertFalse(barrier.isBroken());
            }
            return null;
        });
    }

    @Test
    void aBarrierWaitsUntilTheLastPartyArrives() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Barrier barrier = new Barrier(2);
            Task<Integer> first = loop.createTask(barrier::await);
            Async.sleep(ms(100));
            assertFalse(first.isDone());
            assertEquals(1, barrier.waiting());
            int mine = barrier.await();
            assertEquals(1, mine);
            assertEquals(0, first.await());
            return null;
        });
    }

    // test_locks BarrierTests: test_reset_barrier / test_abort_barrier
    @Test
    void resetAndAbortBreakTheWaiters() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Barrier barrier = new Barrier(3);
            Task<Integer> w = loop.createTask(barrier::await);
            Task.yieldNow();
            barrier.reset();
            assertThrows(BrokenBarrierException.class, w::await);
            assertFalse(barrier.isBroken());
            // Usable again after the reset.
            Task<Integer> a = loop.createTask(barrier::await);
            Task<Integer> b = loop.createTask(barrier::await);
            barrier.await();
            a.await();
            b.await();
            Task<Integer> c = loop.createTask(barrier::await);
            Task.yieldNow();
            barrier.abort();
            assertThrows(BrokenBarrierException.class, c::await);
            assertTrue(barrier.isBroken());
            assertThrows(BrokenBarrierException.class, barrier::await);
            return null;
        });
    }
}
