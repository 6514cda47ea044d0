package dev.pollen.async;

import dev.pollen.loop.Future;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;

/**
 * {@link Async#waitFor}: await a future with a timeout; on timeout the future is cancelled (and,
 * for a task, waited for until it has really finished) and {@link TimeoutException} is thrown
 * (asyncio 3.13's {@code wait_for}, built on {@link Timeout} since 3.12).
 */
final class WaitFor {

    private WaitFor() {
    }

    static <T> T waitFor(Future<T> future, Duration timeout) {
        Objects.requireNonNull(future, "future");
        if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
            if (future.isDone()) {
                return future.result();
            }
            cancelAndWait(future);
            try {
                return future.result();
            } catch (CancellationException e) {
                throw new TimeoutException("waitFor: timed out (timeout " + timeout + ")", e);
            }
        }
        return Timeout.after(timeout).call(future::await);
    }

    /** Cancels {@code f} and waits until it is really done (a task may take a while). */
    private static void cancelAndWait(Future<?> f) {
        Future<Void> waiter = f.loop().createFuture();
        Consumer<Future<?>> release = done -> {
            if (!waiter.isDone()) {
                waiter.setResult(null);
            }
        };
        f.addDoneCallback(release);
        try {
            f.cancel();
            waiter.await();
        } finally {
            f.removeDoneCallback(release);
        }
    }
}
