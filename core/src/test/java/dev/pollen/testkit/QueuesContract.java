package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.async.Async;
import dev.pollen.async.LifoQueue;
import dev.pollen.async.PriorityQueue;
import dev.pollen.async.Queue;
import dev.pollen.async.QueueEmptyException;
import dev.pollen.async.QueueFullException;
import dev.pollen.async.QueueShutDownException;
import dev.pollen.async.TaskGroup;
import dev.pollen.async.TimeoutException;
import dev.pollen.loop.CancelledException;
import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Task;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract of {@link Queue}, {@link LifoQueue} and {@link PriorityQueue}, porting the
 * applicable cases of CPython's {@code test_queues.py} (named on each test). {@code sleep(0)} is
 * {@link Task#yieldNow()}.
 *
 * <p><b>Threading:</b> JUnit's test thread runs the loops.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class QueuesContract extends TaskTestSupport {

    // test_queues: test_repr / test_str / test_empty / test_full
    @Test
    void sizeEmptyFullAndToString() {
        Queue<Integer> q = new Queue<>(2);
        assertTrue(q.isEmpty());
        assertFalse(q.isFull());
        assertTrue(q.toString().contains("maxsize=2"), q.toString());
        q.putNowait(1);
        q.putNowait(2);
        assertTrue(q.isFull());
        assertEquals(2, q.qsize());
        assertEquals(2, q.maxsize());
        Queue<Integer> unbounded = new Queue<>();
        for (int i = 0; i < 1000; i++) {
            unbounded.putNowait(i);
        }
        assertFalse(unbounded.isFull());
    }

    // test_queues: test_order (FIFO) / LifoQueueTests.test_order / PriorityQueueTests.test_order
    @Test
    void eachQueueKindReturnsItsOrder() {
        Queue<Integer> fifo = new Queue<>();
        LifoQueue<Integer> lifo = new LifoQueue<>();
        PriorityQueue<Integer> prio = new PriorityQueue<>();
        PriorityQueue<Integer> reversed = new PriorityQueue<>(0, Comparator.reverseOrder());
        for (int i : new int[] {1, 3, 2}) {
            fifo.putNowait(i);
            lifo.putNowait(i);
            prio.putNowait(i);
            reversed.putNowait(i);
        }
        assertEquals(List.of(1, 3, 2), drainNowait(fifo));
        assertEquals(List.of(2, 3, 1), drainNowait(lifo));
        assertEquals(List.of(1, 2, 3), drainNowait(prio));
        assertEquals(List.of(3, 2, 1), drainNowait(reversed));
    }

    private static List<Integer> drainNowait(Queue<Integer> q) {
        List<Integer> out = new ArrayList<>();
        while (!q.isEmpty()) {
            out.add(q.getNowait());
        }
        return out;
    }

    // test_queues: test_maxsize
    @Test
    void putBlocksWhileTheQueueIsFull() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Queue<Integer> q = new Queue<>(2);
            List<Integer> put = new ArrayList<>();
            Task<Boolean> t = loop.createTask(() -> {
                for (int i = 0; i < 3; i++) {
                    q.put(i);
                    put.add(i);
                }
                return true;
            });
            Task.yieldNow();
            Task.yieldNow();
            assertEquals(List.of(0, 1), put, "the putter is blocked after two items");
            assertEquals(0, q.get());
            Task.yieldNow();
            assertEquals(List.of(0, 1, 2), put);
            assertEquals(1, q.getNowait());
            assertEquals(2, q.getNowait());
            assertTrue(t.isDone() && t.result());
            return null;
        });
    }

    // test_queues: test_blocking_get / test_get_with_putters
    @Test
    void getBlocksUntilAnItemArrivesAndFreesWaitingPutters() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Queue<Integer> q = new Queue<>(1);
            loop.callLater(ms(10), () -> q.putNowait(7));
            assertEquals(7, q.get());
            assertEquals(10 * MILLI, loop.time());
            q.putNowait(1);
            Task<Void> putter = loop.createTask(() -> q.put(2));
            Task.yieldNow();
            assertFalse(putter.isDone());
            assertEquals(1, q.get());
            putter.await();
            assertEquals(2, q.getNowait());
            return null;
        });
    }

    // test_queues: test_nonblocking_get_exception / test_nonblocking_put_exception
    @Test
    void nowaitVariantsFailInsteadOfWaiting() {
        Queue<Integer> q = new Queue<>(1);
        assertThrows(QueueEmptyException.class, q::getNowait);
        q.putNowait(1);
        assertThrows(QueueFullException.class, () -> q.putNowait(2));
        assertThrows(NullPointerException.class, () -> new Queue<String>().putNowait(null));
    }

    // test_queues: test_get_cancelled_race
    @Test
    void aCancelledGetterDoesNotLoseTheNextItem() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Queue<String> q = new Queue<>();
            Task<String> t1 = loop.createTask(q::get);
            Task<String> t2 = loop.createTask(q::get);
            Task.yieldNow();
            t1.cancel();
            Task.yieldNow();
            assertTrue(t1.isDone());
            q.put("a");
            Task.yieldNow();
            assertEquals("a", t2.await());
            return null;
        });
    }

    // test_queues: test_cancelled_getters_not_being_held_in_self_getters
    @Test
    void aTimedOutGetLeavesNoGetterBehind() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Queue<String> q = new Queue<>(5);
            assertThrows(TimeoutException.class, () -> Async.waitFor(loop.createTask(q::get),
                    ms(100)));
            assertFalse(q.toString().contains("getters"), q.toString());
            return null;
        });
    }

    // test_queues: test_put_cancelled / test_put_cancelled_race
    @Test
    void aCancelledPutterDoesNotLoseTheSlot() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Queue<String> q = new Queue<>(1);
            Task<Void> putA = loop.createTask(() -> q.put("a"));
            Task<Void> putB = loop.createTask(() -> q.put("X"));
            Task<Void> putC = loop.createTask(() -> q.put("b"));
            Task.yieldNow();
            assertTrue(putA.isDone());
            assertFalse(putB.isDone());
            putB.cancel();
            Task.yieldNow();
            assertTrue(putB.isDone());
            assertEquals("a", q.getNowait());
            Task.yieldNow();
            assertEquals("b", q.getNowait());
            putC.await();
            return null;
        });
    }

    // test_queues: test_why_are_getters_waiting / test_why_are_putters_waiting
    @Test
    void aProducerAndAConsumerThroughABoundedQueue() {
        EventLoop loop = newVirtualLoop();
        List<Integer> got = new ArrayList<>();
        runTask(loop, () -> {
            Queue<Integer> q = new Queue<>(1);
            TaskGroup.run(tg -> {
                tg.createTask(() -> {
                    for (int i = 0; i < 5; i++) {
                        q.put(i);
                    }
                });
                tg.createTask(() -> {
                    for (int i = 0; i < 5; i++) {
                        got.add(q.get());
                    }
                });
            });
            return null;
        });
        assertEquals(List.of(0, 1, 2, 3, 4), got);
    }

    // test_queues: test_task_done / test_join_empty_queue / test_task_done_underflow
    @Test
    void joinWaitsUntilEveryItemIsDone() {
        EventLoop loop = newVirtualLoop();
        AtomicInteger accumulator = new AtomicInteger();
        runTask(loop, () -> {
            Queue<Integer> q = new Queue<>();
            q.join(); // nothing unfinished: returns at once
            assertThrows(IllegalStateException.class, q::taskDone);
            for (int i = 0; i < 100; i++) {
                q.putNowait(i);
            }
            AtomicBoolean running = new AtomicBoolean(true);
            TaskGroup.run(tg -> {
                List<Task<Void>> workers = new ArrayList<>();
                for (int w = 0; w < 2; w++) {
                    workers.add(tg.createTask(() -> {
                        while (running.get()) {
                            int item = q.get();
                            accumulator.addAndGet(item);
                            Async.sleep(ms(1));
                            q.taskDone();
                        }
                    }));
                }
                q.join();
                assertEquals(4950, accumulator.get());
                running.set(false);
                for (int i = 0; i < workers.size(); i++) {
                    q.putNowait(0);
                }
            });
            return null;
        });
        assertEquals(51 * MILLI, loop.time(), "two workers, 100 items of 1 ms, plus the stop items");
    }

    // test_queues: test_shutdown_empty / test_shutdown_nonempty
    @Test
    void shutdownLetsGettersDrainThenFails() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Queue<String> empty = new Queue<>();
            empty.shutdown();
            assertTrue(empty.isShutdown());
            assertThrows(QueueShutDownException.class, () -> empty.put("data"));
            assertThrows(QueueShutDownException.class, empty::get);
            assertThrows(QueueShutDownException.class, empty::getNowait);
            Queue<String> nonEmpty = new Queue<>();
            nonEmpty.putNowait("data");
            nonEmpty.shutdown();
            assertEquals("data", nonEmpty.get());
            assertThrows(QueueShutDownException.class, nonEmpty::get);
            return null;
        });
    }

    // test_queues: test_shutdown_immediate / test_shutdown_immediate_with_unfinished
    @Test
    void shutdownImmediateDropsTheItemsAndReleasesJoin() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Queue<String> q = new Queue<>();
            q.putNowait("data");
            q.putNowait("data");
            Task<Void> join = loop.createTask(q::join);
            Task.yieldNow();
            assertFalse(join.isDone());
            q.get(); // taken, not yet done
            q.shutdown(true);
            assertThrows(QueueShutDownException.class, q::get);
            Task.yieldNow();
            assertFalse(join.isDone(), "the item taken is still unfinished");
            q.taskDone();
            join.await();
            return null;
        });
    }

    // test_queues: test_shutdown_getter / test_shutdown_putter (waiters are woken and fail)
    @Test
    void shutdownWakesWaitingGettersAndPutters() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Queue<String> empty = new Queue<>();
            Task<String> getter = loop.createTask(empty::get);
            Queue<String> full = new Queue<>(1);
            full.putNowait("x");
            Task<Void> putter = loop.createTask(() -> full.put("y"));
            Task.yieldNow();
            empty.shutdown();
            full.shutdown();
            assertThrows(QueueShutDownException.class, getter::await);
            assertThrows(QueueShutDownException.class, putter::await);
            return null;
        });
    }

    @Test
    void aCancelledGetRaisesCancelled() {
        EventLoop loop = newVirtualLoop();
        runTask(loop, () -> {
            Queue<String> q = new Queue<>();
            Task<String> t = loop.createTask(q::get);
            Task.yieldNow();
            t.cancel();
            assertThrows(CancelledException.class, t::await);
            q.putNowait("still there");
            assertEquals("still there", q.get());
            return null;
        });
    }
}
