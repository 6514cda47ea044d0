package dev.pollen.async;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * {@link Async#runInExecutor} and {@link Async#toThread}: blocking work on other threads, its
 * outcome delivered back on the loop thread (asyncio's {@code run_in_executor} and
 * {@code to_thread}).
 */
final class Blocking {

    private Blocking() {
    }

    static <T> Future<T> runInExecutor(Executor executor, Callable<T> fn) {
        Objects.requireNonNull(fn, "fn");
        EventLoop loop = EventLoop.current();
        Executor ex = executor != null ? executor : loop.defaultExecutor();
        CompletableFuture<T> cf = CompletableFuture.supplyAsync(() -> {
            try {
                return fn.call();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, ex);
        return Future.wrap(loop, cf);
    }
}
