package dev.pollen.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.LoopStats;
import dev.pollen.testkit.ParkingPoller;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The group's loops, round-robin, submissions and figures, on the socket-less test poller. */
@Timeout(30)
class LoopGroupTest {

    private final ParkingGroups groups = new ParkingGroups();
    private LoopGroup group;

    @AfterEach
    void tearDown() {
        if (group != null) {
            group.close();
        }
        assertEquals(List.of(), groups.errors, "no loop reported an error");
    }

    @Test
    void aGroupOfFourHasFourLoopsEachOnItsOwnNamedThread() {
        group = groups.builder(4).name("g").build();
        assertEquals(4, group.size());
        assertEquals(4, group.loops().size());
        Set<Thread> threads = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            EventLoop loop = group.loop(i);
            assertEquals("g-loop-" + i, loop.name());
            assertEquals(i, group.indexOf(loop));
            Thread t = group.submit(loop, () -> {
                assertSame(loop, EventLoop.current());
                return Thread.currentThread();
            }).join();
            assertEquals("g-loop-" + i, t.getName());
            threads.add(t);
        }
        assertEquals(4, threads.size(), "one thread per loop");
        assertNotSame(group.loop(0).poller(), group.loop(1).poller(), "one poller per loop");
    }

    @Test
    void defaultSizeIsTheNumberOfProcessorsAndNamesAreNumbered() {
        group = LoopGroup.builder().poller(ParkingPoller::new).daemon(true).build();
        assertEquals(Runtime.getRuntime().availableProcessors(), group.size());
        assertTrue(group.name().startsWith("pollen-group"), group.name());
        assertEquals(group.name() + "-loop-0", group.loop(0).name());
    }

    @Test
    void nextIsRoundRobin() {
        group = groups.group(4);
        EventLoop first = group.next();
        int start = group.indexOf(first);
        for (int i = 1; i < 12; i++) {
            assertSame(group.loop((start + i) % 4), group.next(), "pick " + i);
        }
    }

    @Test
    void nextSpreadsEvenlyUnderContention() throws Exception {
        group = groups.group(4);
        int threads = 4;
        int perThread = 25_000;
        AtomicIntegerArray picks = new AtomicIntegerArray(4);
        CountDownLatch go = new CountDownLatch(1);
        Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            ts[t] = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    picks.incrementAndGet(group.indexOf(group.next()));
                }
            });
            ts[t].start();
        }
        go.countDown();
        for (Thread t : ts) {
            t.join();
        }
        // every atomic increment of the counter is one pick: 100,000 picks give exactly 25,000 each
        for (int i = 0; i < 4; i++) {
            assertEquals(threads * perThread / 4, picks.get(i), "loop " + i);
        }
    }

    @Test
    void submitRunsOnALoopThreadAndCompletesWithTheResult() {
        group = groups.group(2);
        CompletableFuture<String> f = group.submit(() -> Thread.currentThread().getName());
        String name = f.join();
        assertTrue(name.equals(group.loop(0).name()) || name.equals(group.loop(1).name()), name);
        CompletableFuture<Void> r = group.submit(() -> { });
        assertEquals(null, r.join());
    }

    @Test
    void submitCompletesExceptionallyWithWhatTheWorkThrew() {
        group = groups.group(2);
        IllegalStateException boom = new IllegalStateException("boom");
        CompletableFuture<Object> f = group.submit(() -> {
            throw boom;
        });
        CompletionException e = assertThrows(CompletionException.class, f::join);
        assertSame(boom, e.getCause());
    }

    @Test
    void aFutureCancelledBeforeItsWorkRunsPreventsTheRun() throws Exception {
        group = groups.group(1);
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        group.submit(() -> {
            blocked.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(blocked.await(10, TimeUnit.SECONDS));
        AtomicInteger ran = new AtomicInteger();
        CompletableFuture<Integer> f = group.submit(ran::incrementAndGet);
        assertTrue(f.cancel(false));
        release.countDown();
        group.submit(() -> { }).join(); // the loop has passed the cancelled submission
        assertEquals(0, ran.get());
    }

    @Test
    void executeHandsAPlainCallbackToTheLoops() throws Exception {
        group = groups.group(3);
        Set<String> seen = ConcurrentHashMap.newKeySet();
        CountDownLatch done = new CountDownLatch(3);
        for (int i = 0; i < 3; i++) {
            group.execute(() -> {
                seen.add(Thread.currentThread().getName());
                done.countDown();
            });
        }
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertEquals(3, seen.size(), "round-robin over the three loops: " + seen);
    }

    @Test
    void badArgumentsAreRefusedWithClearMessages() {
        group = groups.group(2);
        try (EventLoop stranger = EventLoop.builder().poller(new ParkingPoller()).build()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> group.submit(stranger, () -> 1));
            assertTrue(e.getMessage().contains("not a loop of group " + group.name()),
                    e.getMessage());
        }
        assertThrows(NullPointerException.class, () -> group.submit((Runnable) null));
        assertThrows(IndexOutOfBoundsException.class, () -> group.loop(2));
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> LoopGroup.builder().loops(0));
        assertTrue(zero.getMessage().contains("at least 1 loop"), zero.getMessage());
    }

    @Test
    void aGroupWhoseLoopsDieSkipsThemAndTerminatesWhenNoneIsLeft() throws Exception {
        group = groups.group(2);
        EventLoop first = group.loop(0);
        first.callSoonThreadsafe(() -> first.poller().close());
        awaitDead(List.of(0));
        for (int i = 0; i < 6; i++) {
            assertSame(group.loop(1), group.next(), "next() skips the dead loop");
            // The submission first, the loop's thread after: thread() is null until loop 1's
            // thread has entered runForever, which a loaded machine may delay past loop 0's death.
            Thread ran = group.submit(Thread::currentThread).join();
            assertSame(group.loop(1).thread(), ran);
        }
        assertTrue(!group.isTerminated(), "one loop still serves");
        EventLoop second = group.loop(1);
        second.callSoonThreadsafe(() -> second.poller().close());
        awaitDead(List.of(0, 1));
        group.terminationFuture().get(20, TimeUnit.SECONDS); // every thread has ended
        assertEquals(2, groups.errors.size(), "each death reported once: " + groups.errors);
        groups.errors.clear(); // expected: tearDown checks for others
    }

    private void awaitDead(List<Integer> expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!group.deadLoops().equals(expected) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(expected, group.deadLoops());
    }

    @Test
    void aStrayStopDoesNotEndAGroupLoop() {
        group = groups.group(1);
        EventLoop loop = group.loop(0);
        group.submit(loop::stop).join();
        assertEquals("still serving", group.submit(loop, () -> "still serving").join());
    }

    @Test
    void statsArePerLoopAndCountTheWorkDone() {
        group = groups.group(3);
        EventLoop target = group.loop(2);
        List<LoopStats> before = group.stats();
        for (int i = 0; i < 999; i++) {
            group.submit(target, () -> { });
        }
        group.submit(target, () -> { }).join();
        group.submit(target, () -> { }).join(); // the iteration that ran the 1000th has ended
        List<LoopStats> after = group.stats();
        assertEquals(3, after.size());
        assertTrue(after.get(2).callbacksRun() - before.get(2).callbacksRun() >= 1000,
                before.get(2) + " -> " + after.get(2));
        assertTrue(after.get(2).iterations() > before.get(2).iterations());
        assertTrue(after.get(2).nanosRunning() > 0);
    }
}
