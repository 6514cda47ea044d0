package dev.pollen.async;

import dev.pollen.loop.Future;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * {@link Async#shield}: an outer future that follows an inner one, whose cancellation does not
 * reach the inner one (asyncio's {@code shield}).
 */
final class Shield {

    private Shield() {
    }

    static <T> Future<T> shield(Future<T> inner) {
        Objects.requireNonNull(inner, "future");
        if (inner.isDone()) {
            return inner;
        }
        Future<T> outer = inner.loop().createFuture();
        Consumer<Future<T>> innerDone = f -> {
            if (outer.isCancelled()) {
                Outcomes.markRetrieved(f); // nobody will look at it through the outer future
                return;
            }
            Outcomes.copy(f, outer);
        };
        inner.addDoneCallback(innerDone);
        outer.addDoneCallback(o -> {
            if (!inner.isDone()) {
                inner.removeDoneCallback(innerDone);
            }
        });
        return outer;
    }
}
