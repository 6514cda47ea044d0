package dev.pollen.async;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.loop.TimerHandle;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The futures' outcomes in the order they complete (asyncio's {@code as_completed}): each
 * {@link #next()} returns a future that completes like the next input to finish, so
 *
 * <pre>{@code
 * for (Future<String> next : Async.asCompleted(fetches, Duration.ofSeconds(5))) {
 *     String page = next.await();   // earliest first; TimeoutException past the deadline
 * }
 * }</pre>
 *
 * <p>There are exactly as many futures as distinct inputs. With a timeout, the futures of inputs
 * that have not finished by the deadline fail with {@link TimeoutException}; the inputs
 * themselves are not cancelled.
 *
 * <p>{@link #nextDone()} is asyncio 3.13's {@code async for f in as_completed(...)}: it suspends
 * until the next input is done and returns that input itself (the same task or future object),
 * so the caller can tell which one finished:
 *
 * <pre>{@code
 * AsCompleted<String> it = Async.asCompleted(fetches);
 * while (it.hasNext()) {
 *     Future<? extends String> first = it.nextDone();   // one of fetches, done
 * }
 * }</pre>
 * The two ways can be mixed; each call takes the next input to finish.
 *
 * <p>Iterate once: {@link #iterator()} returns this object.
 *
 * <p><b>Threading:</b> loop thread only.
 *
 * @param <T> the result type
 */
public final class AsCompleted<T> implements Iterable<Future<T>>, Iterator<Future<T>> {

    private final EventLoop loop;
    private final Set<Future<? extends T>> todo;
    private final ArrayDeque<Future<? extends T>> done = new ArrayDeque<>();
    /** Callers waiting for the next input: a {@code Future<T>} from next(), or the Future of a
     *  Future from nextDone() (see {@link Waiting}). */
    private final ArrayDeque<Waiting<T>> waiting = new ArrayDeque<>();
    private final Consumer<Future<? extends T>> onDone = this::onDone;
    private int left;
    private TimerHandle timer;
    private boolean timedOut;

    AsCompleted(Collection<? extends Future<? extends T>> futures, Duration timeout) {
        Objects.requireNonNull(futures, "futures");
        todo = new LinkedHashSet<>(futures);
        if (todo.contains(null)) {
            throw new NullPointerException("asCompleted: futures contains null");
        }
        left = todo.size();
        loop = todo.isEmpty() ? EventLoop.current() : todo.iterator().next().loop();
        for (Future<? extends T> f : todo) {
            if (f.loop() != loop) {
                throw new IllegalArgumentException("asCompleted: futures belong to different loops ("
                        + loop.name() + " and " + f.loop().name() + ")");
            }
        }
        for (Future<? extends T> f : todo) {
            f.addDoneCallback(onDone);
        }
        if (timeout != null && !todo.isEmpty()) {
            timer = loop.callLater(timeout, this::onTimeout);
        }
    }

    /**
     * This object (iterate once).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return this
     */
    @Override
    public Iterator<Future<T>> iterator() {
        return this;
    }

    /**
     * Whether another future remains.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true while fewer futures than inputs were returned
     */
    @Override
    public boolean hasNext() {
        return left > 0;
    }

    /**
     * The future of the next input to complete (it may be done already).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return a future of this loop
     * @throws NoSuchElementException if every input's future was returned
     */
    @Override
    public Future<T> next() {
        if (left == 0) {
            throw new NoSuchElementException("asCompleted: every future was already returned");
        }
        left--;
        Future<T> next = loop.createFuture();
        Future<? extends T> f = done.poll();
        if (f != null) {
            Outcomes.copy(f, next);
        } else if (timedOut) {
            next.setException(timeoutException());
        } else {
            waiting.add(new Waiting<>(next, null));
        }
        return next;
    }

    /**
     * Suspends the calling task until the next input is done and returns that input itself
     * (asyncio 3.13's asynchronous iteration over {@code as_completed}); returns at once if one
     * is done already.
     *
     * <p><b>Threading:</b> loop thread only, inside a task.
     *
     * @return the next input to finish, done
     * @throws NoSuchElementException if every input was already returned
     * @throws TimeoutException       if the timeout expired before another input finished
     * @throws dev.pollen.loop.CancelledException if the calling task is cancelled meanwhile
     */
    public Future<? extends T> nextDone() {
        if (left == 0) {
            throw new NoSuchElementException("asCompleted: every future was already returned");
        }
        left--;
        Future<? extends T> f = done.poll();
        if (f != null) {
            return f;
        }
        if (timedOut) {
            throw timeoutException();
        }
        Future<Future<? extends T>> next = loop.createFuture();
        waiting.add(new Waiting<>(null, next));
        return next.await();
    }

    private static TimeoutException timeoutException() {
        return new TimeoutException("asCompleted: the timeout expired");
    }

    private void onDone(Future<? extends T> f) {
        if (!todo.remove(f)) {
            return;
        }
        Waiting<T> w = waiting.poll();
        while (w != null && w.future().isDone()) {
            // Cancelled (its awaiting task was cancelled): the input goes to the next caller, as
            // asyncio's queue keeps it for the next get().
            w = waiting.poll();
        }
        if (w == null) {
            done.add(f);
        } else if (w.outcome != null) {
            Outcomes.copy(f, w.outcome);
        } else {
            w.original.setResult(f);
        }
        if (todo.isEmpty() && timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    private void onTimeout() {
        timer = null;
        timedOut = true;
        for (Future<? extends T> f : todo) {
            f.removeDoneCallback(onDone);
        }
        todo.clear();
        Waiting<T> w;
        while ((w = waiting.poll()) != null) {
            if (!w.future().isDone()) {
                w.future().setException(timeoutException());
            }
        }
    }

    /** One waiting caller: next() gets a copy of the outcome, nextDone() the input itself. */
    private record Waiting<T>(Future<T> outcome, Future<Future<? extends T>> original) {
        Future<?> future() {
            return outcome != null ? outcome : original;
        }
    }
}
