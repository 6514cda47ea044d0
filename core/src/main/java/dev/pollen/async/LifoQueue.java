package dev.pollen.async;

import java.util.ArrayDeque;
import java.util.Collections;

/**
 * A {@link Queue} that returns the most recently added item first (asyncio's
 * {@code LifoQueue}).
 *
 * <p><b>Threading:</b> loop thread only and not thread-safe, like asyncio's.
 *
 * @param <E> the item type
 */
public final class LifoQueue<E> extends Queue<E> {

    /**
     * An unbounded stack.
     *
     * <p><b>Threading:</b> any thread.
     */
    public LifoQueue() {
        this(0);
    }

    /**
     * A stack holding at most {@code maxsize} items.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param maxsize the capacity, or 0 or less for none
     */
    public LifoQueue(int maxsize) {
        super(maxsize, Collections.asLifoQueue(new ArrayDeque<>()));
    }
}
