package dev.pollen.async;

import dev.pollen.loop.CancelledException;
import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * {@link Async#gather}: one future for the results of many, in the order given (asyncio's
 * {@code _GatheringFuture}).
 *
 * <p>Without {@code returnExceptions}, the first child that fails (or is cancelled) fails the
 * gathering future at once with that exception (a cancelled child: a {@link CancelledException});
 * the other children keep running. With it, exceptions and cancellations are results like any
 * other, in place. Cancelling the gathering future cancels every child that is not done; it then
 * ends cancelled when they are.
 */
final class Gather<T> extends Future<List<T>> implements Consumer<Future<?>> {

    private final List<Future<? extends T>> children;
    private final boolean returnExceptions;
    private int distinct;
    private int finished;
    private boolean cancelRequested;

    private Gather(EventLoop loop, List<Future<? extends T>> children, boolean returnExceptions) {
        super(loop);
        this.children = children;
        this.returnExceptions = returnExceptions;
    }

    static <T> Future<List<T>> gather(List<? extends Future<? extends T>> futures,
                                      boolean returnExceptions) {
        Objects.requireNonNull(futures, "futures");
        if (futures.isEmpty()) {
            Future<List<T>> done = EventLoop.current().createFuture();
            done.setResult(new ArrayList<>());
            return done;
        }
        List<Future<? extends T>> kids = new ArrayList<>(futures.size());
        EventLoop loop = null;
        for (Future<? extends T> f : futures) {
            Objects.requireNonNull(f, "futures contains null");
            if (loop == null) {
                loop = f.loop();
            } else if (f.loop() != loop) {
                throw new IllegalArgumentException("gather: futures belong to different loops ("
                        + loop.name() + " and " + f.loop().name() + ")");
            }
            kids.add(f);
        }
        Gather<T> outer = new Gather<>(loop, kids, returnExceptions);
        // A future passed twice is one child: asyncio registers each distinct future once.
        java.util.Set<Future<? extends T>> unique = new java.util.LinkedHashSet<>(kids);
        outer.distinct = unique.size();
        for (Future<? extends T> f : unique) {
            f.addDoneCallback(outer);
        }
        return outer;
    }

    /** A child is done. */
    @Override
    public void accept(Future<?> child) {
        finished++;
        if (isDone()) {
            Outcomes.markRetrieved(child);
            return;
        }
        if (!returnExceptions) {
            if (child.isCancelled() && cancelRequested) {
                super.cancel(Outcomes.cancelMessage(child)); // we cancelled it: end cancelled
                return;
            }
            if (child.isCancelled()) {
                // Cancelled by someone else: asyncio fails the gathering future with the
                // CancelledError instead of cancelling it.
                setException(new CancelledException(Outcomes.cancelMessage(child)));
                return;
            }
            Throwable e = child.exception();
            if (e != null) {
                setException(e);
                return;
            }
        }
        if (finished < distinct) {
            return;
        }
        List<Object> results = new ArrayList<>(children.size());
        for (Future<? extends T> f : children) {
            if (f.isCancelled()) {
                results.add(new CancelledException(Outcomes.cancelMessage(f)));
            } else {
                Throwable e = f.exception();
                results.add(e != null ? e : f.result());
            }
        }
        if (cancelRequested) {
            super.cancel(null);
        } else {
            @SuppressWarnings("unchecked")
            List<T> typed = (List<T>) (List<?>) results;
            setResult(typed);
        }
    }

    /**
     * Cancels every child that is not done; the gathering future ends cancelled once they are.
     *
     * @param message passed to each child's cancel
     * @return true if a child was cancelled
     */
    @Override
    public boolean cancel(String message) {
        if (isDone()) {
            return false;
        }
        boolean any = false;
        for (Future<? extends T> f : children) {
            if (f.cancel(message)) {
                any = true;
            }
        }
        if (any) {
            cancelRequested = true;
        }
        return any;
    }
}
