package dev.pollen.loop;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A value per {@link EventLoop}, stored in the loop itself: what {@link ThreadLocal} is to a
 * thread, for the layers above the loop (the networking layer keeps its shared read buffer and
 * write-chunk pool in one). Replaces maps keyed by loop: no global lock, no hashing, and the
 * value goes away with its loop.
 *
 * <pre>{@code
 * private static final LoopLocal<State> STATE = LoopLocal.withInitial(State::new);
 * ...
 * State s = STATE.get(loop);   // made on first use, then one array read
 * }</pre>
 *
 * <p>Each {@code LoopLocal} takes a slot in every loop's small array, so make them
 * {@code static final}, a handful per program, not per object.
 *
 * <p><b>Threading:</b> {@link #get} on any thread: the first call for a loop makes the value under
 * that loop's own lock (the initial function runs once per loop); later calls read it without
 * locking. The value itself is as thread-safe as its type: a loop's state is normally used on that
 * loop's thread only.
 *
 * @param <T> the value type
 */
public final class LoopLocal<T> {

    private static final AtomicInteger NEXT_INDEX = new AtomicInteger();

    final int index = NEXT_INDEX.getAndIncrement();
    private final Function<? super EventLoop, ? extends T> initial;

    private LoopLocal(Function<? super EventLoop, ? extends T> initial) {
        this.initial = Objects.requireNonNull(initial, "initial");
    }

    /**
     * A loop-local whose value for a loop is made, on first use, by {@code initial} (which gets
     * the loop, e.g. to add a close hook, and must not return null).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param initial makes the value for one loop
     * @param <T>     the value type
     * @return the loop-local
     */
    public static <T> LoopLocal<T> withInitial(Function<? super EventLoop, ? extends T> initial) {
        return new LoopLocal<>(initial);
    }

    /**
     * This loop's value, made by the initial function on the first call for that loop.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param loop the loop
     * @return its value
     * @throws NullPointerException if the initial function returned null
     */
    @SuppressWarnings("unchecked")
    public T get(EventLoop loop) {
        Object[] values = loop.locals;
        Object v = index < values.length ? values[index] : null;
        return v != null ? (T) v : (T) loop.initLocal(this);
    }

    /** Runs the initial function (under the loop's lock, from {@link EventLoop#initLocal}). */
    T initialValue(EventLoop loop) {
        return Objects.requireNonNull(initial.apply(loop), "a LoopLocal's initial value is null");
    }
}
