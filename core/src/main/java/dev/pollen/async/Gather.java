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
 * other, in place. Children that are already done are counted at once, so a gather of done
 * futures is done when {@code gather} returns (asyncio 3.12+).
 *
 * <p>Cancelling the gathering future cancels every child that is not done. As in asyncio 3.13,
 * it does not end cancelled: it fails with a {@link CancelledException} (the cancel message of
 * the child that ended it), so {@link #isCancelled()} is false and {@link #exception()} returns
 * that exception; awaiting it throws it, which cancels the awaiting task.
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
        List<Future<? extends T>> done = new ArrayList<>();
        for (Future<? extends T> f : unique) {
            if (f.isDone()) {
                done.add(f);
            } else {
                f.addDoneCallback(outer);
            }
        }
        // The children already done count now, in argument order, so a gather of done futures is
        // done when it is returned (asyncio 3.12+ does the same).
        for (Future<? extends T> f : done) {
            outer.accept(f);
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
            if (child.isCancelled()) {
                // By us or by someone else: asyncio fails the gathering future with the
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
            // Cancelled even though every child ended another way (asyncio, issue 32684): fail
            // with a CancelledException carrying the last child's cancel message.
            setException(new CancelledException(child.isCancelled()
                    ? Outcomes.cancelMessage(child) : null));
        } else {
            @SuppressWarnings("unchecked")
            List<T> typed = (List<T>) (List<?>) results;
            setResult(typed);
        }
    }

    /**
     * Cancels every child that is not done; once they are, the gathering future fails with a
     * {@link CancelledException} (it is not {@linkplain #isCancelled() cancelled}, as in asyncio).
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
