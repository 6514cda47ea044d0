package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pollen.async.Async;
import dev.pollen.async.Barrier;
import dev.pollen.async.BoundedSemaphore;
import dev.pollen.async.Condition;
import dev.pollen.async.Queue;
import dev.pollen.async.Runner;
import dev.pollen.async.Semaphore;
import dev.pollen.async.TaskGroup;
import dev.pollen.group.LoopGroup;
import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.loop.Task;
import dev.pollen.loop.TaskLocal;
import dev.pollen.net.Connection;
import dev.pollen.net.Net;
import dev.pollen.net.NetOptions;
import dev.pollen.net.Server;
import dev.pollen.net.StreamReader;
import dev.pollen.net.Transport;
import dev.pollen.spi.Pollers;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad input to every public API, table-driven: null, negative or zero sizes, closed objects,
 * calls from the wrong thread and poller names that do not exist. Each row is one call that must
 * fail <em>at once</em> (not later, inside the loop, in some unrelated callback) with the
 * expected exception type and a message that names the argument or the rule. A second test checks
 * that a bad value handed to the machinery for later (a protocol factory returning null, a
 * throwing exception handler) is reported where it belongs and never reaches another callback.
 *
 * <p><b>Threading:</b> JUnit's test thread; one loop runs on its own thread for the wrong-thread
 * rows.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class BadInputContract extends NetFixture {

    /** One row: a call, the exception it must throw, and words its message must contain. */
    record Row(String name, Executable call, Class<? extends Throwable> type, String... words) {
    }

    private static Row row(String name, Class<? extends Throwable> type, Executable call,
            String... words) {
        return new Row(name, call, type, words);
    }

    @TestFactory
    Stream<DynamicTest> everyPublicApiRejectsBadInputAtOnceWithAClearMessage() throws Exception {
        EventLoop loop = newLoop();
        Server server = server(loop, Echo::new);
        Connection<Recorder> conn = connect(loop, Recorder::new, port(server));
        Transport t = conn.transport();
        Transport closedTransport = connect(loop, Recorder::new, port(server)).transport();
        closedTransport.close();
        Future<String> pending = loop.createFuture();
        Future<String> done = loop.createFuture();
        done.setResult("x");
        StreamReader reader = new StreamReader(loop, 16);

        EventLoop closed = newLoop();
        Future<String> ofClosed = closed.createFuture();
        closed.close();

        // A loop running on another thread: loop-thread-only calls from here are wrong-thread.
        EventLoop running = newLoop();
        Server runningServer = server(running, Echo::new);
        Transport runningTransport = connect(running, Recorder::new, port(runningServer))
                .transport();
        Future<String> runningFuture = running.createFuture();
        running.startThread();

        LoopGroup group = register(LoopGroup.builder().loops(1).poller(this::newPoller)
                .build());
        LoopGroup shutDownGroup = LoopGroup.builder().loops(1).poller(this::newPoller).build();
        shutDownGroup.close();

        String own; // the backend under test is on the class path: the message must list it
        try (var p = newPoller()) {
            own = p.name();
        }
        List<Row> rows = new ArrayList<>(List.of(
                // ---------------------------------------------------------------- Pollers
                row("Pollers.select(unknown)", IllegalArgumentException.class,
                        () -> Pollers.select("no-such-poller"), "no-such-poller", own),
                row("Pollers.create(unknown)", IllegalArgumentException.class,
                        () -> Pollers.create("no-such-poller"), "no-such-poller", "pollers found"),
                row("Pollers.select(null)", NullPointerException.class,
                        () -> Pollers.select(null), "poller name"),
                row("EventLoop.builder().poller(unknown)", IllegalArgumentException.class,
                        () -> EventLoop.builder().poller("no-such-poller").build(),
                        "no-such-poller"),
                row("EventLoop.builder().poller((String) null)", NullPointerException.class,
                        () -> EventLoop.builder().poller((String) null), "poller"),
                row("EventLoop.builder().name(null)", NullPointerException.class,
                        () -> EventLoop.builder().name(null), "name"),
                row("EventLoop.builder().slowCallbackThreshold(0)",
                        IllegalArgumentException.class,
                        () -> EventLoop.builder().slowCallbackThreshold(Duration.ZERO),
                        "threshold", "positive"),
                // ---------------------------------------------------------------- EventLoop
                row("callSoon(null)", NullPointerException.class, () -> loop.callSoon(null),
                        "callback"),
                row("callSoonThreadsafe(null)", NullPointerException.class,
                        () -> loop.callSoonThreadsafe(null), "callback"),
                row("callLater(null, cb)", NullPointerException.class,
                        () -> loop.callLater(null, () -> { }), "delay"),
                row("callLater(d, null)", NullPointerException.class,
                        () -> loop.callLater(Duration.ZERO, null), "callback"),
                row("callLaterNanos(n, null)", NullPointerException.class,
                        () -> loop.callLaterNanos(1, null), "callback"),
                row("callAt(t, null)", NullPointerException.class,
                        () -> loop.callAt(0, null), "callback"),
                row("createTask((Callable) null)", NullPointerException.class,
                        () -> loop.createTask((java.util.concurrent.Callable<Object>) null),
                        "body"),
                row("createTask((ThrowingRunnable) null)", NullPointerException.class,
                        () -> loop.createTask((dev.pollen.loop.ThrowingRunnable) null), "body"),
                row("runUntilComplete(null)", NullPointerException.class,
                        () -> loop.runUntilComplete(null), "future"),
                row("runUntilComplete(future of another loop)", IllegalArgumentException.class,
                        () -> loop.runUntilComplete(runningFuture), "belongs to loop"),
                row("addReader(null, cb)", NullPointerException.class,
                        () -> loop.addReader(null, () -> { }), "source"),
                row("setDefaultExecutor(null)", NullPointerException.class,
                        () -> loop.setDefaultExecutor(null), "executor"),
                row("setSlowCallbackThreshold(negative)", IllegalArgumentException.class,
                        () -> loop.setSlowCallbackThreshold(Duration.ofMillis(-1)), "positive"),
                row("setSlowCallbackThreshold(null)", NullPointerException.class,
                        () -> loop.setSlowCallbackThreshold(null), "threshold"),
                row("addCloseHook(null)", NullPointerException.class,
                        () -> loop.addCloseHook(null), "hook"),
                // closed loop
                row("closed loop: callSoon", IllegalStateException.class,
                        () -> closed.callSoon(() -> { }), "callSoon", "closed"),
                row("closed loop: callSoonThreadsafe", IllegalStateException.class,
                        () -> closed.callSoonThreadsafe(() -> { }), "closed"),
                row("closed loop: callLater", IllegalStateException.class,
                        () -> closed.callLater(Duration.ZERO, () -> { }), "closed"),
                row("closed loop: createTask", IllegalStateException.class,
                        () -> closed.createTask(() -> { }), "createTask", "closed"),
                row("closed loop: runForever", IllegalStateException.class, closed::runForever,
                        "closed"),
                row("closed loop: startThread", IllegalStateException.class,
                        closed::startThread, "closed"),
                row("closed loop: runUntilComplete", IllegalStateException.class,
                        () -> closed.runUntilComplete(ofClosed), "closed"),
                row("closed loop: addCloseHook", IllegalStateException.class,
                        () -> closed.addCloseHook(() -> { }), "closed"),
                row("closed loop: Net.createConnection", IllegalStateException.class,
                        () -> Net.createConnection(closed, Recorder::new, LOCAL, 80), "closed"),
                // wrong thread
                row("wrong thread: callSoon", IllegalStateException.class,
                        () -> running.callSoon(() -> { }), "callSoon", "thread",
                        "callSoonThreadsafe"),
                row("wrong thread: callLater", IllegalStateException.class,
                        () -> running.callLater(Duration.ZERO, () -> { }), "thread"),
                row("wrong thread: createTask", IllegalStateException.class,
                        () -> running.createTask(() -> { }), "createTask", "thread"),
                row("running elsewhere: runForever", IllegalStateException.class,
                        () -> running.runForever(), "already running"),
                row("wrong thread: Future.setResult", IllegalStateException.class,
                        () -> runningFuture.setResult("x"), "setResult", "thread"),
                row("wrong thread: Future.addDoneCallback", IllegalStateException.class,
                        () -> runningFuture.addDoneCallback(f -> { }), "addDoneCallback",
                        "thread"),
                row("wrong thread: Transport.write", IllegalStateException.class,
                        () -> runningTransport.write(ByteBuffer.allocate(1)), "Transport.write",
                        "thread"),
                row("wrong thread: Transport.close", IllegalStateException.class,
                        runningTransport::close, "Transport.close", "thread"),
                row("wrong thread: Transport.setIdleTimeout", IllegalStateException.class,
                        () -> runningTransport.setIdleTimeout(null), "setIdleTimeout", "thread"),
                row("wrong thread: Server.close", IllegalStateException.class,
                        runningServer::close, "Server.close", "thread"),
                row("wrong thread: Net.createConnection", IllegalStateException.class,
                        () -> Net.createConnection(running, Recorder::new, LOCAL, 80),
                        "thread"),
                // ---------------------------------------------------------------- Future
                row("new Future(null)", NullPointerException.class, () -> new Future<>(null),
                        "loop"),
                row("setException(null)", NullPointerException.class,
                        () -> pending.setException(null), "exception"),
                row("addDoneCallback(null)", NullPointerException.class,
                        () -> pending.addDoneCallback(null), "callback"),
                row("removeDoneCallback(null)", NullPointerException.class,
                        () -> pending.removeDoneCallback(null), "callback"),
                row("setResult on a done future", dev.pollen.loop.InvalidStateException.class,
                        () -> done.setResult("y"), "already done"),
                row("result() of a pending future", dev.pollen.loop.InvalidStateException.class,
                        pending::result, "pending"),
                row("await() outside a task", IllegalStateException.class, pending::await,
                        "only code inside a task can await"),
                row("Future.wrap(null, stage)", NullPointerException.class,
                        () -> Future.wrap(null, CompletableFuture.completedFuture(1)), "loop"),
                row("Future.wrap(loop, null)", NullPointerException.class,
                        () -> Future.wrap(loop, null), "stage"),
                // ---------------------------------------------------------------- Task
                row("Task.yieldNow() outside a task", IllegalStateException.class,
                        Task::yieldNow, "task"),
                row("TaskLocal.named(null)", NullPointerException.class,
                        () -> TaskLocal.named(null), "name"),
                // ---------------------------------------------------------------- Async
                row("Async.sleep outside a task", IllegalStateException.class,
                        () -> Async.sleep(Duration.ZERO), "task"),
                row("Async.sleep(null)", NullPointerException.class, () -> Async.sleep(null),
                        "delay"),
                row("Async.gather((List) null)", NullPointerException.class,
                        () -> Async.gather((List<Future<Object>>) null), "futures"),
                row("Async.shield(null)", NullPointerException.class, () -> Async.shield(null),
                        "future"),
                row("Async.waitFor(null, d)", NullPointerException.class,
                        () -> Async.waitFor(null, Duration.ZERO), "future"),
                row("Async.run(null)", NullPointerException.class,
                        () -> Async.run((java.util.concurrent.Callable<Object>) null), "body"),
                row("Runner.run(null)", NullPointerException.class,
                        () -> Runner.create().run((java.util.concurrent.Callable<Object>) null),
                        "body"),
                row("Runner.builder().loopFactory(null)", NullPointerException.class,
                        () -> Runner.builder().loopFactory(null), "loopFactory"),
                row("createTask(name, null, eager)", NullPointerException.class,
                        () -> loop.createTask("t", (java.util.concurrent.Callable<Object>) null,
                                true), "body"),
                row("Async.runCoroutineThreadsafe(null, body)", NullPointerException.class,
                        () -> Async.runCoroutineThreadsafe(null, () -> 1), "loop"),
                row("Async.runInExecutor outside a loop", IllegalStateException.class,
                        () -> Async.runInExecutor(null, () -> 1), "loop"),
                row("TaskGroup.run(null)", NullPointerException.class,
                        () -> TaskGroup.run(null), "body"),
                row("new Semaphore(-1)", IllegalArgumentException.class,
                        () -> new Semaphore(-1), "-1"),
                row("new BoundedSemaphore(-1)", IllegalArgumentException.class,
                        () -> new BoundedSemaphore(-1), "-1"),
                row("new Barrier(0)", IllegalArgumentException.class, () -> new Barrier(0),
                        "parties"),
                row("new Condition(null)", NullPointerException.class,
                        () -> new Condition(null), "lock"),
                row("Queue.putNowait(null)", NullPointerException.class,
                        () -> new Queue<String>().putNowait(null), "item"),
                // ---------------------------------------------------------------- Net
                row("Net.createConnection(null loop)", NullPointerException.class,
                        () -> Net.createConnection(null, Recorder::new, LOCAL, 80), "loop"),
                row("Net.createConnection(null factory)", NullPointerException.class,
                        () -> Net.createConnection(loop, null, LOCAL, 80), "protocolFactory"),
                row("Net.createConnection(null host)", NullPointerException.class,
                        () -> Net.createConnection(loop, Recorder::new, null, 80), "host"),
                row("Net.createConnection(port 0)", IllegalArgumentException.class,
                        () -> Net.createConnection(loop, Recorder::new, LOCAL, 0), "port"),
                row("Net.createConnection(port -1)", IllegalArgumentException.class,
                        () -> Net.createConnection(loop, Recorder::new, LOCAL, -1), "port",
                        "-1"),
                row("Net.createConnection(null options)", NullPointerException.class,
                        () -> Net.createConnection(loop, Recorder::new, LOCAL, 80, null),
                        "options"),
                row("Net.createServer(port 65536)", IllegalArgumentException.class,
                        () -> Net.createServer(loop, Recorder::new, LOCAL, 65_536), "port",
                        "65536"),
                row("Net.createServer(null factory)", NullPointerException.class,
                        () -> Net.createServer(loop, null, LOCAL, 0), "protocolFactory"),
                row("Net.createUnixServer(null path)", NullPointerException.class,
                        () -> Net.createUnixServer(loop, Recorder::new, null), "path"),
                row("Net.createDatagramEndpoint(no address)", IllegalArgumentException.class,
                        () -> Net.createDatagramEndpoint(loop, () -> null, null, null),
                        "address"),
                row("Net.getAddrInfo(null host)", NullPointerException.class,
                        () -> Net.getAddrInfo(loop, null, 80), "host"),
                row("Net.getAddrInfo(port 65536)", IllegalArgumentException.class,
                        () -> Net.getAddrInfo(loop, LOCAL, 65_536), "port", "65536"),
                row("Net.getAddrInfo(UNIX family)", IllegalArgumentException.class,
                        () -> Net.getAddrInfo(loop, LOCAL, 80,
                                java.net.StandardProtocolFamily.UNIX), "family", "UNIX"),
                row("Net.getNameInfo(null address)", NullPointerException.class,
                        () -> Net.getNameInfo(loop, null), "address"),
                row("NetOptions.happyEyeballsDelay(-1ms)", IllegalArgumentException.class,
                        () -> NetOptions.builder().happyEyeballsDelay(Duration.ofMillis(-1))
                                .build(), "happyEyeballsDelay"),
                row("NetOptions.interleave(-1)", IllegalArgumentException.class,
                        () -> NetOptions.builder().interleave(-1).build(), "interleave", "-1"),
                row("Net.openConnection outside a task", IllegalStateException.class,
                        () -> Net.openConnection(LOCAL, 80), "task"),
                row("Net.startServer outside a task", IllegalStateException.class,
                        () -> Net.startServer((r, w) -> { }, LOCAL, 0), "task"),
                row("Net.pipe(null, b)", NullPointerException.class, () -> Net.pipe(null, t),
                        "a"),
                row("Net.pipe(a, a)", IllegalArgumentException.class, () -> Net.pipe(t, t),
                        "same transport"),
                row("Net.pipe(closed, b)", IllegalArgumentException.class,
                        () -> Net.pipe(closedTransport, t), "closing"),
                row("NetOptions.backlog(0)", IllegalArgumentException.class,
                        () -> NetOptions.builder().backlog(0).build(), "backlog", "0"),
                row("NetOptions.receiveBufferSize(-1)", IllegalArgumentException.class,
                        () -> NetOptions.builder().receiveBufferSize(-1).build(),
                        "receiveBufferSize"),
                row("NetOptions.sendBufferSize(-1)", IllegalArgumentException.class,
                        () -> NetOptions.builder().sendBufferSize(-1).build(), "sendBufferSize"),
                row("NetOptions.connectTimeout(0)", IllegalArgumentException.class,
                        () -> NetOptions.builder().connectTimeout(Duration.ZERO).build(),
                        "connectTimeout"),
                row("NetOptions.idleTimeout(-1s)", IllegalArgumentException.class,
                        () -> NetOptions.builder().idleTimeout(Duration.ofSeconds(-1)).build(),
                        "idleTimeout"),
                row("NetOptions.writeBufferLimits(-1, 0)", IllegalArgumentException.class,
                        () -> NetOptions.builder().writeBufferLimits(-1, 0).build(), "-1"),
                row("NetOptions.streamLimit(0)", IllegalArgumentException.class,
                        () -> NetOptions.builder().streamLimit(0).build(), "streamLimit"),
                // ---------------------------------------------------------------- Transport
                row("Transport.write((ByteBuffer) null)", NullPointerException.class,
                        () -> t.write((ByteBuffer) null), "data"),
                row("Transport.write(buffers with a null)", NullPointerException.class,
                        () -> t.write(ByteBuffer.allocate(1), null), "data[1]"),
                row("Transport.write after close", IllegalStateException.class,
                        () -> closedTransport.write(ByteBuffer.allocate(1)), "close()"),
                row("Transport.setWriteBufferLimits(-1, 0)", IllegalArgumentException.class,
                        () -> t.setWriteBufferLimits(-1, 0), "-1"),
                row("Transport.setWriteBufferLimits(1, 2)", IllegalArgumentException.class,
                        () -> t.setWriteBufferLimits(1, 2), "low"),
                row("Transport.setIdleTimeout(0)", IllegalArgumentException.class,
                        () -> t.setIdleTimeout(Duration.ZERO), "idle timeout", "positive"),
                row("Transport.setProtocol(null)", NullPointerException.class,
                        () -> t.setProtocol(null), "protocol"),
                // ---------------------------------------------------------------- streams
                row("new StreamReader(null)", NullPointerException.class,
                        () -> new StreamReader(null), "loop"),
                row("new StreamReader(loop, 0)", IllegalArgumentException.class,
                        () -> new StreamReader(loop, 0), "limit", "0"),
                row("StreamReader.feedData((ByteBuffer) null)", NullPointerException.class,
                        () -> reader.feedData((ByteBuffer) null), "data"),
                row("StreamReader.feedData((byte[]) null)", NullPointerException.class,
                        () -> reader.feedData((byte[]) null), "data"),
                row("StreamReader.setException(null)", NullPointerException.class,
                        () -> reader.setException(null), "error"),
                row("StreamReader.readExactly(-1)", IllegalArgumentException.class,
                        () -> reader.readExactly(-1), "-1"),
                row("StreamReader.readUntil(null)", NullPointerException.class,
                        () -> reader.readUntil(null), "separator"),
                row("StreamReader.readUntil(empty)", IllegalArgumentException.class,
                        () -> reader.readUntil(new byte[0]), "separator"),
                row("StreamReader.readLine outside a task", IllegalStateException.class,
                        reader::readLine, "task"),
                // ---------------------------------------------------------------- LoopGroup
                row("new LoopGroup(0)", IllegalArgumentException.class, () -> new LoopGroup(0),
                        "0"),
                row("new LoopGroup(-3)", IllegalArgumentException.class,
                        () -> new LoopGroup(-3), "-3"),
                row("LoopGroup.builder().loops(0)", IllegalArgumentException.class,
                        () -> LoopGroup.builder().loops(0), "0"),
                row("LoopGroup.builder().poller(unknown)", IllegalArgumentException.class,
                        () -> LoopGroup.builder().loops(1).poller("no-such-poller").build(),
                        "no-such-poller"),
                row("LoopGroup.submit((Supplier) null)", NullPointerException.class,
                        () -> group.submit((java.util.function.Supplier<Object>) null), "work"),
                row("LoopGroup.execute(null)", NullPointerException.class,
                        () -> group.execute(null), "command"),
                row("LoopGroup.loop(-1)", IndexOutOfBoundsException.class,
                        () -> group.loop(-1), "-1"),
                row("LoopGroup.submit(foreign loop, work)", IllegalArgumentException.class,
                        () -> group.submit(loop, () -> 1), "loop"),
                row("LoopGroup.createServer(null factory)", NullPointerException.class,
                        () -> group.createServer(null, LOCAL, 0), "protocolFactory"),
                row("shut-down LoopGroup.submit", java.util.concurrent.RejectedExecutionException.class,
                        () -> shutDownGroup.submit(() -> 1), "shut")
        ));
        return rows.stream().map(r -> DynamicTest.dynamicTest(r.name(), () -> check(r)));
    }

    private static void check(Row r) {
        Throwable e;
        try {
            r.call().execute();
            fail(r.name() + ": no exception (expected " + r.type().getSimpleName() + ")");
            return;
        } catch (Throwable thrown) {
            e = thrown;
        }
        if (!r.type().isInstance(e)) {
            throw new AssertionError(r.name() + ": expected " + r.type().getSimpleName()
                    + " but got " + e, e);
        }
        String msg = e.getMessage();
        assertNotNull(msg, r.name() + ": " + e.getClass().getSimpleName() + " without a message");
        String lower = msg.toLowerCase(Locale.ROOT);
        for (String w : r.words()) {
            assertTrue(lower.contains(w.toLowerCase(Locale.ROOT)), r.name() + ": the message \""
                    + msg + "\" does not mention \"" + w + "\"");
        }
    }

    @Test
    void badValuesHandedInForLaterAreReportedWhereTheyBelongNotInAnotherCallback() {
        EventLoop loop = newLoop();
        List<String> otherCallbacks = new ArrayList<>();
        // A protocol factory that returns null: the connection is closed and the error reported
        // once, naming the factory; the server and the loop go on.
        Server server = server(loop, () -> null);
        Connection<Recorder> c = connect(loop, Recorder::new, port(server));
        runUntil(loop, () -> c.protocol().lost, "the server to drop the connection");
        assertEquals(1, loopErrors.size(), "" + loopErrors);
        assertTrue(loopErrors.get(0).message().contains("returned null"),
                loopErrors.get(0).message());
        // A connection whose factory returns null fails its own future, nothing else.
        Server echo = server(loop, Echo::new);
        Future<Connection<Recorder>> f = Net.createConnection(loop, () -> null, LOCAL, port(echo));
        loop.callSoon(() -> otherCallbacks.add("ran"));
        Throwable e = runExpectingFailure(loop, f);
        assertInstanceOf(NullPointerException.class, e);
        assertTrue(e.getMessage().contains("protocol factory"), e.getMessage());
        assertEquals(List.of("ran"), otherCallbacks, "an unrelated callback was disturbed");
        // An exception handler that throws is logged and swallowed: the loop carries on.
        loop.setExceptionHandler((l, ctx) -> {
            throw new IllegalStateException("handler bug");
        });
        loop.callSoon(() -> {
            throw new IllegalArgumentException("callback bug");
        });
        loop.callSoon(() -> otherCallbacks.add("after"));
        runUntil(loop, () -> otherCallbacks.contains("after"), "the next callback");
        // A bad address to a datagram endpoint fails its future with the address named.
        loop.setExceptionHandler((l, ctx) -> loopErrors.add(ctx));
        Throwable bind = runExpectingFailure(loop, Net.createDatagramEndpoint(loop, () -> null,
                new InetSocketAddress("127.0.0.1", 1), null));
        assertTrue(bind.getMessage().contains("127.0.0.1:1") || bind.getMessage().contains(
                "protocol factory"), bind.getMessage());
    }
}
