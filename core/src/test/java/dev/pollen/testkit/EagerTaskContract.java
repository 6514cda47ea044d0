package dev.pollen.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.async.Async;
import dev.pollen.async.TaskGroup;
import dev.pollen.async.TaskGroupException;
import dev.pollen.loop.CancelledException;
import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.loop.Task;
import dev.pollen.loop.TaskLocal;
import dev.pollen.net.Net;
import dev.pollen.net.Server;
import dev.pollen.net.StreamConnection;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Eager tasks (asyncio 3.12's {@code eager_task_factory}, 3.14's {@code eager_start}): the body
 * runs inside {@code createTask} until its first suspension; a task that never suspends is done
 * when {@code createTask} returns and never goes through the ready queue. Per loop
 * ({@link EventLoop.Builder#eagerTasks(boolean)}) and per task
 * ({@link EventLoop#createTask(String, java.util.concurrent.Callable, boolean)}). Modelled on
 * CPython's {@code test_eager_task_factory.py}.
 *
 * <p><b>Threading:</b> JUnit's test thread runs the loops.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class EagerTaskContract extends TaskTestSupport {

    private EventLoop eagerLoop() {
        return register(EventLoop.builder().poller(newPoller()).virtualTime(true).eagerTasks(true)
                .exceptionHandler((l, ctx) -> loopErrors.add(ctx)).build());
    }

    // test_eager_task_factory: test_eager_task_factory_set / EagerTaskFactoryLoopTests basics
    @Test
    void anEagerTaskRunsInsideCreateTaskUntilItsFirstSuspension() {
        EventLoop loop = eagerLoop();
        assertTrue(loop.isEagerTasks());
        List<String> log = new ArrayList<>();
        int r = runTask(loop, () -> {
            Task<Integer> t = Async.createTask(() -> {
                log.add("body starts");
                Async.yieldNow();
                log.add("body resumes");
                return 1;
            });
            log.add("created, done=" + t.isDone());
            return t.await();
        });
        assertEquals(1, r);
        assertEquals(List.of("body starts", "created, done=false", "body resumes"), log);
    }

    // test_eager_task_factory: test_eager_completion (no ready-queue trip, no loop iteration)
    @Test
    void aTaskThatNeverSuspendsIsDoneAtOnceAndNeverTouchesTheReadyQueue() {
        EventLoop loop = eagerLoop();
        int n = 1000;
        List<Task<Integer>> tasks = new ArrayList<>();
        long[] callbacks = new long[2];
        loop.callSoon(() -> {
            callbacks[0] = loop.stats().callbacksRun();
            for (int i = 0; i < n; i++) {
                int v = i;
                Task<Integer> t = loop.createTask(() -> v);
                assertTrue(t.isDone(), "eager task not done on return");
                tasks.add(t);
            }
            assertTrue(loop.allTasks().isEmpty(), "finished eager tasks are not live");
        });
        drain(loop);
        callbacks[1] = loop.stats().callbacksRun();
        for (int i = 0; i < n; i++) {
            assertEquals(i, tasks.get(i).result());
        }
        // The drain runs a handful of its own stop callbacks; a lazy task would add one step each.
        assertTrue(callbacks[1] - callbacks[0] < 20, "ready-queue callbacks run during the drain: "
                + (callbacks[1] - callbacks[0]) + " (lazy tasks would have needed " + n + ")");

        EventLoop lazy = newVirtualLoop();
        long[] lazyCallbacks = new long[1];
        lazy.callSoon(() -> {
            lazyCallbacks[0] = lazy.stats().callbacksRun();
            for (int i = 0; i < n; i++) {
                assertFalse(lazy.createTask(() -> 1).isDone());
            }
        });
        drain(lazy);
        assertTrue(lazy.stats().callbacksRun() - lazyCallbacks[0] >= n,
                "the lazy loop ran its tasks' steps from the ready queue");
    }

    @Test
    void theNewTaskIsCurrentWhileItRunsEagerlyThenTheCreatorAgain() {
        EventLoop loop = eagerLoop();
        List<Object> seen = new ArrayList<>();
        runTask(loop, () -> {
            Task<?> me = Task.current();
            Task<?>[] child = new Task<?>[1];
            child[0] = Async.createTask(() -> {
                seen.add(Task.current());
                Async.yieldNow();
                seen.add(Task.current());
                return null;
            });
            seen.add(Task.current());
            assertSame(me, seen.get(1));
            assertSame(child[0], seen.get(0));
            assertNotSame(me, child[0]);
            child[0].await();
            assertSame(child[0], seen.get(2));
            return null;
        });
        assertEquals(3, seen.size());
    }

    @Test
    void anEagerTaskThatFailsAtOnceIsDoneWithItsException() {
        EventLoop loop = eagerLoop();
        runTask(loop, () -> {
            Task<Object> t = Async.createTask(() -> {
                throw new IllegalArgumentException("early");
            });
            assertTrue(t.isDone());
            assertEquals("early", t.exception().getMessage());
            return null;
        });
    }

    @Test
    void beforeTheLoopRunsAnEagerTaskIsScheduledAsUsual() {
        EventLoop loop = eagerLoop();
        List<String> log = new ArrayList<>();
        Task<Boolean> t = loop.createTask(() -> log.add("ran"));
        assertFalse(t.isDone());
        assertTrue(log.isEmpty(), "the body ran outside the running loop");
        loop.runUntilComplete(t);
        assertEquals(List.of("ran"), log);
    }

    @Test
    void theChoiceCanBeMadePerTask() {
        EventLoop eager = eagerLoop();
        runTask(eager, () -> {
            Task<Integer> lazy = eager.createTask("lazy", () -> 1, false);
            assertFalse(lazy.isDone(), "eagerStart=false on an eager loop is lazy");
            assertEquals(1, lazy.await());
            return null;
        });
        EventLoop plain = newVirtualLoop();
        assertFalse(plain.isEagerTasks());
        runTask(plain, () -> {
            Task<Integer> t = plain.createTask("eager", () -> 2, true);
            assertTrue(t.isDone(), "eagerStart=true on a plain loop is eager");
            assertEquals("eager", t.name());
            Task<Void> r = plain.createTask(null, () -> { }, true);
            assertTrue(r.isDone());
            assertTrue(Async.createTask("a", () -> 3, true).isDone());
            assertFalse(Async.createTask("b", () -> 4, false).isDone());
            return null;
        });
    }

    // Eager tasks creating eager tasks: their continuations nest while they start, and each is
    // later resumed on its own from the loop.
    @Test
    void eagerTasksNestAndResumeIndependently() {
        EventLoop loop = eagerLoop();
        List<String> log = new ArrayList<>();
        int r = runTask(loop, () -> level(3, log));
        assertEquals(3 + 2 + 1, r);
        assertEquals(List.of("enter 3", "enter 2", "enter 1", "leave 1", "leave 2", "leave 3"),
                log);
    }

    private static int level(int n, List<String> log) {
        log.add("enter " + n);
        int below = n > 1 ? Async.createTask(() -> level(n - 1, log)).await() : 0;
        Async.sleep(Duration.ofMillis(n));
        log.add("leave " + n);
        return n + below;
    }

    @Test
    void aCancelRequestedDuringTheEagerStartIsDelivered() {
        EventLoop loop = eagerLoop();
        runTask(loop, () -> {
            Task<String> t = Async.createTask(() -> {
                Task.current().cancel("self");
                Async.sleep(Duration.ofSeconds(1));
                return "not reached";
            });
            assertFalse(t.isDone());
            CancelledException e = assertThrows(CancelledException.class, t::await);
            assertEquals("self", e.getMessage());
            assertTrue(t.isCancelled());
            Task<String> suspended = Async.createTask(() -> Async.sleep(Duration.ofSeconds(1), "x"));
            assertTrue(suspended.cancel());
            assertThrows(CancelledException.class, suspended::await);
            return null;
        });
    }

    @Test
    void anEagerTaskAwaitingADoneFutureDoesNotSuspend() {
        EventLoop loop = eagerLoop();
        runTask(loop, () -> {
            Future<Integer> f = loop.createFuture();
            f.setResult(5);
            Task<Integer> t = Async.createTask(() -> f.await() + 1);
            assertTrue(t.isDone());
            assertEquals(6, t.result());
            return null;
        });
    }

    @Test
    void anEagerTaskStartsWithACopyOfItsCreatorsTaskLocals() {
        TaskLocal<String> id = TaskLocal.named("id");
        EventLoop loop = eagerLoop();
        runTask(loop, () -> {
            id.set("parent");
            Task<String> t = Async.createTask(() -> {
                String inherited = id.get();
                id.set("child");
                Async.yieldNow();
                return inherited + "/" + id.get();
            });
            assertEquals("parent", id.get(), "the child's set leaked into its creator");
            assertEquals("parent/child", t.await());
            return null;
        });
    }

    // asyncio: a gather of eager tasks that finish at once is itself done at once.
    @Test
    void aGatherOfEagerTasksThatFinishAtOnceIsDoneAtOnce() {
        EventLoop loop = eagerLoop();
        runTask(loop, () -> {
            Future<List<Object>> g = Async.gather(Async.createTask(() -> 1),
                    Async.createTask(() -> 2));
            assertTrue(g.isDone());
            assertEquals(List.of(1, 2), g.result());
            return null;
        });
    }

    // TaskGroup with eager tasks: the done-callback is always scheduled (CPython gh-128550), so a
    // child failing during its eager start fails the group without cancelling the body inside
    // createTask; the body's next await is cancelled.
    @Test
    void aTaskGroupChildFailingEagerlyFailsTheGroup() {
        EventLoop loop = eagerLoop();
        List<String> log = new ArrayList<>();
        runTask(loop, () -> {
            TaskGroupException e = assertThrows(TaskGroupException.class, () -> TaskGroup.run(tg -> {
                Task<Object> bad = tg.createTask(() -> {
                    throw new IllegalStateException("eager failure");
                });
                log.add("created, done=" + bad.isDone());
                Task<String> other = tg.createTask(() -> Async.sleep(Duration.ofSeconds(1), "x"));
                log.add("other pending=" + !other.isDone());
                try {
                    Async.sleep(Duration.ofSeconds(1));
                } catch (CancelledException c) {
                    log.add("body cancelled");
                    throw c;
                }
            }));
            assertEquals(1, e.exceptions().size());
            assertInstanceOf(IllegalStateException.class, e.exceptions().get(0));
            assertEquals(0, Task.current().cancelling());
            return null;
        });
        assertEquals(List.of("created, done=true", "other pending=true", "body cancelled"), log);
    }

    @Test
    void taskGroupTasksCanChooseEagerStartPerTask() {
        EventLoop loop = newVirtualLoop();
        List<String> log = new ArrayList<>();
        runTask(loop, () -> {
            TaskGroup.run(tg -> {
                tg.createTask("eager", () -> log.add("eager ran"), true);
                log.add("after eager");
                tg.createTask("lazy", () -> log.add("lazy ran"), false);
                log.add("after lazy");
            });
            return null;
        });
        assertEquals(List.of("eager ran", "after eager", "after lazy", "lazy ran"), log);
    }

    // On an eager loop the stream server's handler tasks start inside the I/O callback that
    // accepted the connection, and the client's task inside createTask: streams still work.
    @Test
    void streamsWorkOnAnEagerLoop() {
        EventLoop loop = register(EventLoop.builder().poller(newPoller()).eagerTasks(true)
                .exceptionHandler((l, ctx) -> loopErrors.add(ctx)).build());
        String reply = loop.runUntilComplete(loop.createTask(() -> {
            Server server = Net.startServer((reader, writer) -> {
                byte[] line = reader.readLine();
                writer.write(("echo " + new String(line, UTF_8)).getBytes(UTF_8));
                writer.drain();
                writer.close();
            }, "127.0.0.1", 0);
            int port = ((InetSocketAddress) server.sockets().get(0)).getPort();
            StreamConnection c = Net.openConnection("127.0.0.1", port);
            c.writer().write("hi\n".getBytes(UTF_8));
            byte[] back = c.reader().read(100);
            c.writer().close();
            server.close();
            return new String(back, UTF_8);
        }));
        assertEquals("echo hi\n", reply);
        assertTrue(loopErrors.isEmpty(), loopErrors.toString());
    }
}
