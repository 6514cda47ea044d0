package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.async.Async;
import dev.pollen.loop.CancelledException;
import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.loop.Task;
import dev.pollen.net.Net;
import dev.pollen.net.Server;
import dev.pollen.net.StreamConnection;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * How a server program runs until told to stop: {@link EventLoop#addSignalHandler} /
 * {@link EventLoop#removeSignalHandler} (asyncio's {@code add_signal_handler} /
 * {@code remove_signal_handler}) and {@link Server#serveForever()} (asyncio's
 * {@code Server.serve_forever}). Signals are real: the test raises them in its own process
 * ({@code sun.misc.Signal.raise}, a {@code kill} of this JVM). It uses WINCH, whose default
 * disposition is to be ignored, and puts a probe handler in place first, so a test that goes
 * wrong never ends the JVM and the restoring of the previous handling can be observed.
 * ({@code SignalIT} in the examples sends TERM and INT to a running jar.)
 *
 * <p><b>Threading:</b> JUnit's test thread runs the loops; the JVM's signal thread delivers.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class ShutdownContract extends NetFixture {

    private static final String SIG = "WINCH";
    /** Counts the signals that reached the handling in place before the test's loops. */
    private final AtomicInteger probeHits = new AtomicInteger();
    private final SignalHandler probe = s -> probeHits.incrementAndGet();
    private SignalHandler original;

    @BeforeEach
    void installProbe() {
        original = Signal.handle(new Signal(SIG), probe);
    }

    @AfterEach
    void restoreOriginal() {
        Signal.handle(new Signal(SIG), original);
    }

    private static void raise() {
        Signal.raise(new Signal(SIG));
    }

    /** Raises the signal from another thread after a moment, while the loop blocks in poll. */
    private static void raiseSoon() {
        Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
            raise();
        });
    }

    // ------------------------------------------------------------------ signals

    @Test
    void aSignalRunsTheHandlerOnTheLoopThreadAndWakesABlockedLoop() {
        EventLoop loop = newLoop();
        Future<Thread> ran = loop.createFuture();
        loop.addSignalHandler(SIG, () -> ran.setResult(Thread.currentThread()));
        raiseSoon();
        Thread t = run(loop, ran); // no timer is due: only the signal's wake-up ends the poll
        assertSame(Thread.currentThread(), t, "the handler runs on the loop's thread");
        assertEquals(0, probeHits.get(), "the previous handling is off while a loop handles it");
        assertNoLoopErrors();
    }

    @Test
    void addingAgainReplacesTheHandlerAndEveryNameFormIsTheSameSignal() {
        EventLoop loop = newLoop();
        List<String> calls = new ArrayList<>();
        Future<Void> second = loop.createFuture();
        loop.addSignalHandler("SIG" + SIG, () -> calls.add("first"));
        loop.addSignalHandler(SIG.toLowerCase(), () -> {
            calls.add("second");
            second.setResult(null);
        });
        raiseSoon();
        run(loop, second);
        runFor(loop, Duration.ofMillis(50));
        assertEquals(List.of("second"), calls);
        assertTrue(loop.removeSignalHandler(SIG));
        assertFalse(loop.removeSignalHandler("SIG" + SIG), "one handler, removed once");
    }

    @Test
    void removingRestoresThePreviousHandling() {
        EventLoop loop = newLoop();
        assertFalse(loop.removeSignalHandler(SIG), "nothing to remove yet");
        AtomicInteger loopHits = new AtomicInteger();
        loop.addSignalHandler(SIG, loopHits::incrementAndGet);
        assertTrue(loop.removeSignalHandler(SIG));
        assertSame(probe, Signal.handle(new Signal(SIG), probe),
                "the handler in place before the loop's is back");
        raise();
        runUntil(loop, () -> probeHits.get() == 1, "the signal reaching the restored handler");
        runFor(loop, Duration.ofMillis(50));
        assertEquals(0, loopHits.get(), "a removed handler runs no more");
    }

    @Test
    void closingTheLoopRemovesItsHandlers() {
        EventLoop loop = newLoop();
        AtomicInteger loopHits = new AtomicInteger();
        loop.addSignalHandler(SIG, loopHits::incrementAndGet);
        loop.close();
        assertSame(probe, Signal.handle(new Signal(SIG), probe));
        raise();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (probeHits.get() == 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(1, probeHits.get());
        assertEquals(0, loopHits.get());
        assertThrows(IllegalStateException.class, () -> loop.addSignalHandler(SIG, () -> { }));
    }

    @Test
    void everyLoopHandlingASignalRunsItsOwnHandler() {
        EventLoop a = newLoop();
        EventLoop b = newLoop();
        Future<String> fa = a.createFuture();
        Future<String> fb = b.createFuture();
        a.addSignalHandler(SIG, () -> fa.setResult("a"));
        b.addSignalHandler(SIG, () -> fb.setResult("b"));
        raise();
        assertEquals("a", run(a, fa));
        assertEquals("b", run(b, fb));
        assertTrue(a.removeSignalHandler(SIG));
        assertTrue(b.removeSignalHandler(SIG));
        assertSame(probe, Signal.handle(new Signal(SIG), probe), "restored after the last one");
    }

    @Test
    void aFailingHandlerIsReportedAndTheLoopGoesOn() {
        EventLoop loop = newLoop();
        loop.addSignalHandler(SIG, () -> {
            throw new IllegalStateException("handler failed");
        });
        raise();
        runUntil(loop, () -> !loopErrors.isEmpty(), "the handler's failure to be reported");
        assertEquals("handler failed", loopErrors.get(0).exception().getMessage());
        Future<String> after = loop.createFuture();
        loop.callSoon(() -> after.setResult("still running"));
        assertEquals("still running", run(loop, after));
    }

    @Test
    void signalsThatCannotBeHandledAreRefusedWithTheReason() {
        EventLoop loop = newLoop();
        for (String uncatchable : List.of("KILL", "SIGSTOP")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> loop.addSignalHandler(uncatchable, () -> { }));
            assertTrue(e.getMessage().contains("KILL and STOP can never be caught"), e.getMessage());
        }
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> loop.addSignalHandler("BOGUS", () -> { }));
        assertEquals("unknown signal SIGBOGUS on this system; use a name such as INT, TERM, HUP, "
                + "USR1 (with or without SIG)", unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> loop.addSignalHandler(" ", () -> { }));
        assertThrows(NullPointerException.class, () -> loop.addSignalHandler(SIG, null));
        assertFalse(loop.removeSignalHandler("KILL"), "a refused handler was never recorded");
    }

    // ------------------------------------------------------------------ serveForever

    private static Server echoServer() throws Exception {
        return Net.startServer((reader, writer) -> {
            byte[] line;
            while ((line = reader.readLine()).length > 0) {
                writer.write(line);
                writer.drain();
            }
            writer.close();
        }, LOCAL, 0);
    }

    private static String roundTrip(int port, String text) throws Exception {
        StreamConnection c = Net.openConnection(LOCAL, port);
        c.writer().write((text + "\n").getBytes(StandardCharsets.US_ASCII));
        String echoed = new String(c.reader().readLine(), StandardCharsets.US_ASCII);
        c.writer().close();
        c.writer().waitClosed();
        return echoed;
    }

    @Test
    void cancellingServeForeverClosesTheServerAndPropagates() {
        EventLoop loop = newLoop();
        List<String> log = new ArrayList<>();
        runTask(loop, () -> {
            Server server = echoServer();
            Task<Void> serving = Async.createTask(server::serveForever);
            log.add(roundTrip(server.port(), "one"));
            serving.cancel();
            Throwable t = assertThrows(CancelledException.class, serving::await);
            assertInstanceOf(CancelledException.class, t);
            assertFalse(server.isServing(), "cancelling serveForever closes the server");
            assertEquals(0, server.connectionCount());
            assertThrows(ConnectException.class, () -> Net.openConnection(LOCAL, server.port()));
            return null;
        });
        assertEquals(List.of("one\n"), log);
    }

    @Test
    void closingTheServerEndsServeForeverOnceItsConnectionsAreGone() {
        EventLoop loop = newLoop();
        List<String> order = new ArrayList<>();
        runTask(loop, () -> {
            Server server = echoServer();
            Task<Void> serving = Async.createTask(() -> {
                server.serveForever();
                order.add("serveForever returned");
            });
            StreamConnection c = Net.openConnection(LOCAL, server.port());
            c.writer().write("x\n".getBytes(StandardCharsets.US_ASCII));
            c.reader().readLine(); // the connection is served
            server.close();
            Async.sleep(Duration.ofMillis(20));
            assertFalse(serving.isDone(), "serveForever waits for the open connection");
            order.add("client closes");
            c.writer().close();
            serving.await();
            assertFalse(serving.isCancelled(), "close() ends it normally, not as a cancellation");
            return null;
        });
        assertEquals(List.of("client closes", "serveForever returned"), order);
    }

    @Test
    void serveForeverTwiceOrOnAClosedServerIsRefused() {
        EventLoop loop = newLoop();
        runTask(loop, () -> {
            Server server = echoServer();
            Task<Void> first = Async.createTask(server::serveForever);
            Async.yieldNow();
            IllegalStateException twice = assertThrows(IllegalStateException.class,
                    server::serveForever);
            assertTrue(twice.getMessage().contains("already in serveForever"), twice.getMessage());
            server.close();
            first.await();
            IllegalStateException closed = assertThrows(IllegalStateException.class,
                    server::serveForever);
            assertTrue(closed.getMessage().contains("is closed"), closed.getMessage());
            return null;
        });
    }

    @Test
    void aSignalHandlerCancellingTheMainTaskStopsAServerProgram() {
        EventLoop loop = newLoop();
        Server[] server = new Server[1];
        Task<Void> main = loop.createTask(() -> {
            Task<?> self = Task.current();
            EventLoop.current().addSignalHandler(SIG, self::cancel);
            server[0] = echoServer();
            raiseSoon();
            server[0].serveForever(); // the usual last line of a server program
        });
        assertThrows(CancelledException.class, () -> run(loop, main));
        assertTrue(main.isCancelled(), "the signal's handler cancelled the main task");
        assertFalse(server[0].isServing());
        assertTrue(loop.removeSignalHandler(SIG));
        assertNoLoopErrors();
    }
}
