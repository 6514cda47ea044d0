package dev.pollen.async;

import dev.pollen.loop.Future;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;

/** Small helpers shared by the toolkit for moving a future's outcome around. */
final class Outcomes {

    private Outcomes() {
    }

    /** Completes {@code to} like {@code from} (which is done); marks an exception retrieved. */
    static <T> void copy(Future<? extends T> from, Future<T> to) {
        if (from.isCancelled()) {
            to.cancel(cancelMessage(from));
            return;
        }
        Throwable e = from.exception();
        if (e != null) {
            to.setException(e);
        } else {
            to.setResult(from.result());
        }
    }

    /** The cancel message of a cancelled future. */
    static String cancelMessage(Future<?> cancelled) {
        try {
            cancelled.result();
            return null;
        } catch (CancellationException e) {
            return e.getMessage();
        }
    }

    /** Marks the exception of a done future retrieved (asyncio's {@code fut.exception()}). */
    static void markRetrieved(Future<?> f) {
        if (f.isDone() && !f.isCancelled()) {
            f.exception();
        }
    }

    /** Rethrows an unchecked throwable as is; wraps a checked one in CompletionException. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        throw new CompletionException(t);
    }
}
