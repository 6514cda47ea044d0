package dev.pollen.examples;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/**
 * Runs blocking socket work on its own daemon thread (never a shared pool, whose few threads
 * could all block on reads while the writes they wait for sit in its queue).
 *
 * <p><b>Threading:</b> any thread.
 */
final class Background {

    private Background() {
    }

    /** Starts {@code work} on a new thread named {@code name}; the future completes with its result. */
    static <T> CompletableFuture<T> call(String name, Callable<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name(name).start(() -> {
            try {
                f.complete(work.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }
}
