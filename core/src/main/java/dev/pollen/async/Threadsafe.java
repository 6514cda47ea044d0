package dev.pollen.async;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Task;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * {@link Async#runCoroutineThreadsafe}: hand a body to a loop from any thread, as a task, and
 * get a {@link CompletableFuture} back (asyncio's {@code run_coroutine_threadsafe}).
 */
final class Threadsafe {

    private Threadsafe() {
    }

    static <T> CompletableFuture<T> submit(EventLoop loop, Callable<T> body) {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(body, "body");
        CompletableFuture<T> cf = new CompletableFuture<>();
        loop.callSoonThreadsafe(() -> {
            if (cf.isDone()) {
                return; // cancelled before the loop got to it
            }
            Task<T> task;
            try {
                task = loop.createTask(body);
            } catch (RuntimeException | Error e) {
                cf.completeExceptionally(e);
                return;
            }
            task.addDoneCallback(t -> {
                if (t.isCancelled()) {
                    cf.cancel(false);
                    return;
                }
                Throwable e = t.exception();
                if (e != null) {
                    cf.completeExceptionally(e);
                } else {
                    cf.complete(t.result());
                }
            });
            cf.whenComplete((r, e) -> {
                if (cf.isCancelled() && !task.isDone()) {
                    try {
                        loop.callSoonThreadsafe(() -> task.cancel("cancelled through its "
                                + "CompletableFuture"));
                    } catch (IllegalStateException closed) {
                        // the loop is closed: nothing left to cancel
                    }
                }
            });
        });
        return cf;
    }
}
