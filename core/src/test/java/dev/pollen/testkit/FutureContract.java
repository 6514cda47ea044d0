package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.loop.CancelledException;
import dev.pollen.loop.EventLoop;
import dev.pollen.loop.ExceptionContext;
import dev.pollen.loop.Future;
import dev.pollen.loop.InvalidStateException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link Future} contract, porting the applicable cases of CPython's {@code test_futures.py}
 * (named on each test).
 *
 * <p><b>Threading:</b> JUnit's test thread runs the loops.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class FutureContract extends BackendFixture {

    /** Runs the loop until every callback scheduled so far (and those they schedule) has run. */
    private static void drain(EventLoop loop) {
        for (int i = 0; i < 3; i++) {
            loop.callSoon(loop::stop);
            loop.runForever();
        }
    }

    // test_futures: test_initial_state
    @Test
    void initialState() {
        Future<String> f = newLoop().createFuture();
        assertFalse(f.isDone());
        assertFalse(f.isCancelled());
        f.cancel();
        assertTrue(f.isCancelled());
        assertTrue(f.isDone());
    }

    // test_futures: test_cancel
    @Test
    void cancel() {
        Future<String> f = newLoop().createFuture();
        assertTrue(f.cancel());
        assertTrue(f.isCancelled());
        assertTrue(f.isDone());
        assertThrows(CancelledException.class, f::result);
        assertThrows(CancelledException.class, f::exception);
        assertThrows(InvalidStateException.class, () -> f.setResult("x"));
        assertThrows(InvalidStateException.class, () -> f.setException(new RuntimeException()));
        assertFalse(f.cancel());
    }

    // test_futures: test_future_cancel_message_getter / test_future_cancel_message_setter
    @Test
    void cancelMessageTravelsInTheException() {
        Future<String> f = newLoop().createFuture();
        f.cancel("shutting down");
        CancelledException e = assertThrows(CancelledException.class, f::result);
        assertEquals("shutting down", e.getMessage());
        assertTrue(e instanceof java.util.concurrent.CancellationException);
    }

    // test_futures: test_result
    @Test
    void result() {
        Future<Integer> f = newLoop().createFuture();
        assertThrows(InvalidStateException.class, f::result);
        f.setResult(42);
        assertFalse(f.isCancelled());
        assertTrue(f.isDone());
        assertEquals(42, f.result());
        assertNull(f.exception());
        assertThrows(InvalidStateException.class, () -> f.setResult(43));
        assertThrows(InvalidStateException.class, () -> f.setException(new RuntimeException()));
        assertFalse(f.cancel());
        assertEquals(42, f.result(), "a failed transition must not change the result");
    }

    @Test
    void nullIsAValidResult() {
        Future<String> f = newLoop().createFuture();
        f.setResult(null);
        assertTrue(f.isDone());
        assertNull(f.result());
    }

    // test_futures: test_exception
    @Test
    void exception() {
        Future<Integer> f = newLoop().createFuture();
        assertThrows(InvalidStateException.class, f::exception);
        IllegalArgumentException exc = new IllegalArgumentException("bad");
        f.setException(exc);
        assertTrue(f.isDone());
        assertSame(exc, assertThrows(IllegalArgumentException.class, f::result));
        assertSame(exc, f.exception());
        assertThrows(InvalidStateException.class, () -> f.setResult(1));
        assertFalse(f.cancel());
    }

    @Test
    void checkedExceptionsAreWrappedInCompletionException() {
        Future<Integer> f = newLoop().createFuture();
        IOException io = new IOException("disk");
        f.setException(io);
        CompletionException e = assertThrows(CompletionException.class, f::result);
        assertSame(io, e.getCause());
        assertSame(io, f.exception());
    }

    @Test
    void setExceptionRejectsNull() {
        Future<Integer> f = newLoop().createFuture();
        assertThrows(NullPointerException.class, () -> f.setException(null));
        assertFalse(f.isDone());
    }

    // test_futures: test_callbacks_invoked_on_set_result
    @Test
    void doneCallbacksRunThroughTheLoopInOrder() {
        EventLoop loop = newLoop();
        Future<String> f = loop.createFuture();
        List<String> calls = new ArrayList<>();
        f.addDoneCallback(x -> calls.add("1:" + x.result()));
        f.addDoneCallback(x -> calls.add("2:" + x.result()));
        f.setResult("r");
        assertTrue(calls.isEmpty(), "done-callbacks must never run inline");
        drain(loop);
        assertEquals(List.of("1:r", "2:r"), calls);
    }

    // test_futures: test_callbacks_invoked_on_set_exception
    @Test
    void doneCallbacksRunOnException() {
        EventLoop loop = newLoop();
        Future<String> f = loop.createFuture();
        List<Throwable> seen = new ArrayList<>();
        f.addDoneCallback(x -> seen.add(x.exception()));
        RuntimeException exc = new RuntimeException("x");
        f.setException(exc);
        drain(loop);
        assertEquals(List.of(exc), seen);
    }

    @Test
    void aCallbackAddedToADoneFutureIsStillScheduledNotInline() {
        EventLoop loop = newLoop();
        Future<String> f = loop.createFuture();
        f.setResult("r");
        List<String> calls = new ArrayList<>();
        f.addDoneCallback(x -> calls.add(x.result()));
        assertTrue(calls.isEmpty());
        drain(loop);
        assertEquals(List.of("r"), calls);
    }

    @Test
    void cancelSchedulesTheCallbacks() {
        EventLoop loop = newLoop();
        Future<String> f = loop.createFuture();
        List<Boolean> seen = new ArrayList<>();
        f.addDoneCallback(x -> seen.add(x.isCancelled()));
        f.cancel();
        drain(loop);
        assertEquals(List.of(true), seen);
    }

    // test_futures: test_remove_done_callback / test_callbacks_remove_first_callback
    @Test
    void removeDoneCallbackReturnsHowManyWereRemoved() {
        EventLoop loop = newLoop();
        Future<String> f = loop.createFuture();
        List<String> calls = new ArrayList<>();
        Consumer<Future<String>> a = x -> calls.add("a");
        Consumer<Future<String>> b = x -> calls.add("b");
        f.addDoneCallback(a);
        f.addDoneCallback(b);
        f.addDoneCallback(a);
        assertEquals(2, f.removeDoneCallback(a));
        assertEquals(0, f.removeDoneCallback(a));
        f.setResult("r");
        drain(loop);
        assertEquals(List.of("b"), calls);
        assertEquals(0, f.removeDoneCallback(b), "callbacks of a done future are already scheduled");
    }

    @Test
    void removingTheOnlyCallback() {
        EventLoop loop = newLoop();
        Future<String> f = loop.createFuture();
        List<String> calls = new ArrayList<>();
        Consumer<Future<String>> a = x -> calls.add("a");
        f.addDoneCallback(a);
        assertEquals(1, f.removeDoneCallback(a));
        f.setResult("r");
        drain(loop);
        assertTrue(calls.isEmpty());
    }

    @Test
    void aThrowingDoneCallbackGoesToTheExceptionHandler() {
        EventLoop loop = newLoop();
        Future<String> f = loop.createFuture();
        List<String> calls = new ArrayList<>();
        f.addDoneCallback(x -> {
            throw new IllegalStateException("callback broke");
        });
        f.addDoneCallback(x -> calls.add("second still runs"));
        f.setResult("r");
        drain(loop);
        assertEquals(List.of("second still runs"), calls);
        assertEquals(1, loopErrors.size());
        assertEquals("callback broke", loopErrors.get(0).exception().getMessage());
    }

    // test_futures: test_future_repr
    @Test
    void toStringShowsTheState() {
        EventLoop loop = newLoop();
        Future<String> f = loop.createFuture();
        assertTrue(f.toString().contains("pending"), f.toString());
        f.setResult("abc");
        assertTrue(f.toString().contains("abc"), f.toString());
        Future<String> c = loop.createFuture();
        c.cancel();
        assertTrue(c.toString().contains("cancelled"), c.toString());
    }

    // test_futures: test_wrap_future
    @Test
    void wrapCompletesOnTheLoopFromAnotherThread() throws Exception {
        EventLoop loop = newLoop();
        CompletableFuture<String> cf = new CompletableFuture<>();
        Future<String> f = Future.wrap(loop, cf);
        Thread t = new Thread(() -> cf.complete("from elsewhere"));
        t.start();
        t.join();
        assertEquals("from elsewhere", loop.runUntilComplete(f));
    }

    @Test
    void wrapUnwrapsCompletionExceptions() {
        EventLoop loop = newLoop();
        CompletableFuture<String> cf = CompletableFuture.supplyAsync(() -> {
            throw new IllegalArgumentException("inner");
        });
        Future<String> f = Future.wrap(loop, cf);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> loop.runUntilComplete(f));
        assertEquals("inner", e.getMessage());
    }

    // test_futures: test_wrap_future_cancel / test_wrap_future_cancel2
    @Test
    void cancellingTheWrapperCancelsTheStage() {
        EventLoop loop = newLoop();
        CompletableFuture<String> cf = new CompletableFuture<>();
        Future<String> f = Future.wrap(loop, cf);
        f.cancel();
        drain(loop);
        assertTrue(cf.isCancelled());
    }

    @Test
    void cancelledStageCancelsTheWrapper() {
        EventLoop loop = newLoop();
        CompletableFuture<String> cf = new CompletableFuture<>();
        Future<String> f = Future.wrap(loop, cf);
        cf.cancel(false);
        drain(loop);
        assertTrue(f.isCancelled());
    }

    @Test
    void toCompletableFutureFollowsTheFuture() throws Exception {
        EventLoop loop = newLoop();
        Future<String> ok = loop.createFuture();
        Future<String> bad = loop.createFuture();
        Future<String> gone = loop.createFuture();
        CompletableFuture<String> cfOk = ok.toCompletableFuture();
        CompletableFuture<String> cfBad = bad.toCompletableFuture();
        CompletableFuture<String> cfGone = gone.toCompletableFuture();
        ok.setResult("fine");
        bad.setException(new IllegalStateException("nope"));
        gone.cancel();
        drain(loop);
        assertEquals("fine", cfOk.get(1, TimeUnit.SECONDS));
        assertTrue(cfBad.isCompletedExceptionally());
        assertTrue(cfGone.isCancelled());
    }

    @Test
    void cancellingTheCompletableFutureCancelsTheFuture() {
        EventLoop loop = newLoop();
        Future<String> f = loop.createFuture();
        CompletableFuture<String> cf = f.toCompletableFuture();
        cf.cancel(true);
        drain(loop);
        assertTrue(f.isCancelled());
    }

    // test_futures: test_tb_logger_exception_unretrieved
    @Test
    void anExceptionNeverRetrievedIsReportedWhenCollected() throws Exception {
        EventLoop loop = newLoop();
        setUnretrieved(loop);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (loopErrors.stream().noneMatch(FutureContract::isUnretrievedReport)
                && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
            drain(loop);
        }
        ExceptionContext ctx = loopErrors.stream().filter(FutureContract::isUnretrievedReport)
                .findFirst().orElseThrow(() -> new AssertionError("never reported"));
        assertEquals("lost", ctx.exception().getMessage());
    }

    // test_futures: test_tb_logger_exception_retrieved
    @Test
    void aRetrievedExceptionIsNotReported() throws Exception {
        EventLoop loop = newLoop();
        retrieveAndDrop(loop);
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(20);
            drain(loop);
        }
        assertTrue(loopErrors.stream().noneMatch(FutureContract::isUnretrievedReport), loopErrors.toString());
    }

    private static boolean isUnretrievedReport(ExceptionContext c) {
        return c.message().contains("never retrieved");
    }

    private static void setUnretrieved(EventLoop loop) {
        Future<String> f = loop.createFuture();
        f.setException(new IllegalStateException("lost"));
    }

    private static void retrieveAndDrop(EventLoop loop) {
        Future<String> f = loop.createFuture();
        f.setException(new IllegalStateException("seen"));
        assertEquals("seen", f.exception().getMessage());
    }
}
