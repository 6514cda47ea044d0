package dev.pollen.async;

import java.util.Comparator;

/**
 * A {@link Queue} that returns the smallest item first (asyncio's {@code PriorityQueue}), by
 * natural order or a comparator; items of equal priority come out in no particular order.
 *
 * <p><b>Threading:</b> loop thread only and not thread-safe, like asyncio's.
 *
 * @param <E> the item type
 */
public final class PriorityQueue<E> extends Queue<E> {

    /**
     * An unbounded priority queue in natural order.
     *
     * <p><b>Threading:</b> any thread.
     */
    public PriorityQueue() {
        this(0, null);
    }

    /**
     * A priority queue.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param maxsize    the capacity, or 0 or less for none
     * @param comparator the order, or null for the items' natural order
     */
    public PriorityQueue(int maxsize, Comparator<? super E> comparator) {
        super(maxsize, new java.util.PriorityQueue<>(comparator));
    }
}
