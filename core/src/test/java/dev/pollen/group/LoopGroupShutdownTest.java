package dev.pollen.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.loop.CancelledException;
import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.loop.Task;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Graceful and forceful shutdown of a group, on the socket-less test poller. */
@Timeout(60)
class LoopGroupShutdownTest {

    private static final Duration LONG = Duration.ofSeconds(30);

    private final ParkingGroups groups = new ParkingGroups();
    private final List<String> log = new CopyOnWriteArrayList<>();

    @Test
    void gracefulShutdownLetsPendingTimersAndTasksFinish() throws Exception {
        LoopGroup group = groups.group(4);
        for (EventLoop loop : group.loops()) {
            group.submit(loop, () -> {
                loop.callLater(Duration.ofMillis(150), () -> log.add("timer " + loop.name()));
                loop.createTask(() -> {
                    sleep(loop, Duration.ofMillis(200));
                    log.add("task " + loop.name());
                });
            }).join();
        }
        CompletableFuture<Void> done = group.shutdownGracefully(Duration.ofMillis(20), LONG);
        assertTrue(group.isShuttingDown());
        done.get(20, TimeUnit.SECONDS);
        assertTrue(group.isTerminated());
        assertEquals(8, log.size(), "every timer and task ran: " + log);
        assertAllEnded(group);
        assertEquals(List.of(), groups.errors);
    }

    @Test
    void gracefulShutdownWaitsForAChainOfCallbacksToRunOut() throws Exception {
        LoopGroup group = groups.group(2);
        AtomicInteger steps = new AtomicInteger();
        EventLoop loop = group.loop(1);
        group.submit(loop, () -> chain(loop, steps, 30)).join();
        group.shutdownGracefully(Duration.ofMillis(10), LONG).get(20, TimeUnit.SECONDS);
        assertEquals(30, steps.get(), "the shutdown let the running chain finish");
        assertAllEnded(group);
    }

    @Test
    void aTimerThatFallsDueWhileTheLoopIsLateStillCountsAsWork() throws Exception {
        // Every timed poll returns 20 ms late, longer than the quiet period: a check and the
        // chain's timer then fall due in the same iteration, the check first. The check cannot
        // see the timer (it is neither pending nor run yet), so quiet must be confirmed one
        // iteration later, after the timer has run and scheduled the next step.
        LoopGroup group = groups.builder(1).poller(() -> new LatePoller(20_000_000L)).build();
        AtomicInteger steps = new AtomicInteger();
        EventLoop loop = group.loop(0);
        group.submit(loop, () -> chain(loop, steps, 5, Duration.ofMillis(50))).join();
        group.shutdownGracefully(Duration.ofMillis(10), LONG).get(20, TimeUnit.SECONDS);
        assertEquals(5, steps.get(), "every step of the chain ran before the loop ended");
        assertAllEnded(group);
    }

    @Test
    void whatIsLeftAtTheTimeoutIsCancelledAndTasksRunTheirFinallyBlocks() throws Exception {
        LoopGroup group = groups.group(2);
        AtomicInteger timerRan = new AtomicInteger();
        List<Task<?>> tasks = new CopyOnWriteArrayList<>();
        for (EventLoop loop : group.loops()) {
            group.submit(loop, () -> {
                loop.callLater(Duration.ofHours(1), timerRan::incrementAndGet);
                Future<Void> never = loop.createFuture();
                tasks.add(loop.createTask(() -> {
                    try {
                        never.await();
                    } finally {
                        log.add("finally " + loop.name());
                    }
                }));
            }).join();
        }
        group.shutdownGracefully(Duration.ofMillis(10), Duration.ofMillis(200))
                .get(20, TimeUnit.SECONDS);
        assertEquals(0, timerRan.get(), "the hour-long timer was dropped, not run");
        assertEquals(2, log.size(), "both tasks ran their finally: " + log);
        for (Task<?> t : tasks) {
            assertTrue(t.isCancelled(), t + " was cancelled");
        }
        assertAllEnded(group);
    }

    @Test
    void shutdownNowCancelsAtOnceAndEscalatesAGracefulShutdown() throws Exception {
        LoopGroup group = groups.group(2);
        EventLoop loop = group.loop(0);
        group.submit(loop, () -> loop.createTask(() -> {
            try {
                loop.<Void>createFuture().await();
            } catch (CancelledException e) {
                log.add("cancelled");
                throw e;
            }
        })).join();
        CompletableFuture<Void> graceful = group.shutdownGracefully(Duration.ofSeconds(10),
                Duration.ofSeconds(30));
        CompletableFuture<Void> now = group.shutdownNow();
        now.get(20, TimeUnit.SECONDS);
        graceful.get(20, TimeUnit.SECONDS); // both complete with the group's termination
        assertEquals(List.of("cancelled"), log);
        assertAllEnded(group);
    }

    @Test
    void closeShutsDownNowAndWaits() throws Exception {
        LoopGroup group = groups.group(3);
        group.submit(() -> group.loop(0).callLater(Duration.ofHours(1), () -> { })).join();
        group.close();
        assertTrue(group.isTerminated());
        assertAllEnded(group);
        group.close(); // idempotent
    }

    @Test
    void submissionsAreRefusedOnceShutdownStarts() throws Exception {
        LoopGroup group = groups.group(2);
        group.shutdownGracefully(Duration.ZERO, LONG);
        assertThrows(RejectedExecutionException.class, () -> group.submit(() -> 1));
        assertThrows(RejectedExecutionException.class, () -> group.execute(() -> { }));
        assertTrue(group.awaitTermination(Duration.ofSeconds(20)));
        RejectedExecutionException e = assertThrows(RejectedExecutionException.class,
                () -> group.submit(() -> 1));
        assertTrue(e.getMessage().contains(group.name()), e.getMessage());
    }

    @Test
    void everySubmissionRacingWithShutdownEitherRunsOrIsRejected() throws Exception {
        LoopGroup group = groups.group(2);
        AtomicInteger ran = new AtomicInteger();
        Queue<CompletableFuture<Integer>> accepted = new ConcurrentLinkedQueue<>();
        AtomicInteger acceptedCount = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        Thread submitter = new Thread(() -> {
            for (int i = 0; i < 200_000; i++) {
                try {
                    accepted.add(group.submit(ran::incrementAndGet));
                    acceptedCount.incrementAndGet();
                } catch (RejectedExecutionException e) {
                    refused.incrementAndGet();
                }
            }
        });
        submitter.start();
        while (acceptedCount.get() < 1_000) {
            Thread.onSpinWait();
        }
        group.shutdownNow().get(20, TimeUnit.SECONDS);
        submitter.join();
        int completed = 0;
        for (CompletableFuture<Integer> f : accepted) {
            assertTrue(f.isDone(), "an accepted submission was neither run nor rejected");
            if (!f.isCompletedExceptionally()) {
                completed++;
            } else {
                CompletionException e = assertThrows(CompletionException.class, f::join);
                assertInstanceOf(RejectedExecutionException.class, e.getCause());
            }
        }
        assertEquals(ran.get(), completed, "a future completes normally iff its work ran");
        assertTrue(refused.get() > 0, "the submitter saw the shutdown");
    }

    @Test
    void badDurationsAreRefused() {
        try (LoopGroup group = groups.group(1)) {
            IllegalArgumentException neg = assertThrows(IllegalArgumentException.class,
                    () -> group.shutdownGracefully(Duration.ofMillis(-1), LONG));
            assertTrue(neg.getMessage().contains("quietPeriod"), neg.getMessage());
            IllegalArgumentException shorter = assertThrows(IllegalArgumentException.class,
                    () -> group.shutdownGracefully(Duration.ofSeconds(2), Duration.ofSeconds(1)));
            assertTrue(shorter.getMessage().contains("timeout"), shorter.getMessage());
            assertFalse(group.isShuttingDown(), "a refused call starts nothing");
        }
    }

    @Test
    void closeOnALoopThreadIsRefused() {
        try (LoopGroup group = groups.group(1)) {
            CompletionException e = assertThrows(CompletionException.class,
                    () -> group.submit(() -> {
                        group.close();
                        return null;
                    }).join());
            assertInstanceOf(IllegalStateException.class, e.getCause());
        }
    }

    private static void chain(EventLoop loop, AtomicInteger steps, int left) {
        chain(loop, steps, left, Duration.ofMillis(5));
    }

    private static void chain(EventLoop loop, AtomicInteger steps, int left, Duration every) {
        if (left == 0) {
            return;
        }
        loop.callLater(every, () -> {
            steps.incrementAndGet();
            chain(loop, steps, left - 1, every);
        });
    }

    private static void sleep(EventLoop loop, Duration d) {
        Future<Void> f = loop.createFuture();
        loop.callLater(d, () -> f.setResult(null));
        f.await();
    }

    private static void assertAllEnded(LoopGroup group) throws InterruptedException {
        for (EventLoop l : group.loops()) {
            assertTrue(l.isClosed(), l + " is closed");
            assertFalse(l.isRunning(), l + " is not running");
        }
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(group.name() + "-loop-")) {
                t.join(10_000); // it completes the termination future as its very last act
                assertFalse(t.isAlive(), "thread " + t.getName() + " ended");
            }
        }
    }
}
