package dev.pollen.async;

import dev.pollen.loop.Future;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * A first-in, first-out queue between tasks (asyncio's {@code Queue}): {@link #get()} suspends
 * the calling task while the queue is empty, {@link #put(Object)} while it is full (when it has a
 * {@code maxsize}). {@link #taskDone()} and {@link #join()} let producers wait until every item
 * was processed; {@link #shutdown()} stops it.
 *
 * <p>{@link PriorityQueue} and {@link LifoQueue} change the order by handing this class another
 * storage.
 *
 * <p><b>Threading:</b> loop thread only and not thread-safe, like asyncio's; bound to the loop
 * that first uses it. Awaiting methods inside a task. From another thread, hand items in through
 * {@code loop.callSoonThreadsafe(() -> queue.putNowait(item))}.
 *
 * @param <E> the item type
 */
public class Queue<E> {

    private final LoopBinding binding = new LoopBinding();
    private final java.util.Queue<E> items;
    private final int maxsize;
    private final ArrayDeque<Future<Void>> getters = new ArrayDeque<>();
    private final ArrayDeque<Future<Void>> putters = new ArrayDeque<>();
    private final Event finished = new Event();
    private int unfinishedTasks;
    private boolean isShutdown;

    /**
     * An unbounded queue.
     *
     * <p><b>Threading:</b> any thread.
     */
    public Queue() {
        this(0);
    }

    /**
     * A queue holding at most {@code maxsize} items; 0 or less means unbounded.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param maxsize the capacity, or 0 or less for none
     */
    public Queue(int maxsize) {
        this(maxsize, new ArrayDeque<>());
    }

    /**
     * A queue over another storage, which decides the order {@link #get()} returns items in.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param maxsize the capacity, or 0 or less for none
     * @param storage an empty collection; its {@code offer} and {@code poll} define the order
     */
    protected Queue(int maxsize, java.util.Queue<E> storage) {
        this.maxsize = maxsize;
        this.items = Objects.requireNonNull(storage, "storage");
        finished.set();
    }

    /**
     * The number of items in the queue.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the size
     */
    public int qsize() {
        return items.size();
    }

    /**
     * The capacity, or 0 or less for an unbounded queue.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return maxsize
     */
    public int maxsize() {
        return maxsize;
    }

    /**
     * Whether the queue is empty.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true if empty
     */
    public boolean isEmpty() {
        return items.isEmpty();
    }

    /**
     * Whether the queue holds {@code maxsize} items (never, for an unbounded queue).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true if full
     */
    public boolean isFull() {
        return maxsize > 0 && items.size() >= maxsize;
    }

    /**
     * Puts an item, suspending the calling task while the queue is full.
     *
     * <p><b>Threading:</b> loop thread only, inside a task (unless there is room).
     *
     * @param item the item, not null
     * @throws QueueShutDownException if the queue is shut down
     */
    public void put(E item) {
        Objects.requireNonNull(item, "item (queues hold no nulls)");
        while (isFull()) {
            if (isShutdown) {
                throw new QueueShutDownException("put() on a queue that is shut down");
            }
            Future<Void> putter = binding.loop(this).createFuture();
            putters.add(putter);
            try {
                putter.await();
            } catch (RuntimeException | Error e) {
                putter.cancel(); // in case it was not done yet
                putters.remove(putter);
                if (!isFull() && !putter.isCancelled()) {
                    // We were woken for a free slot we will not use: pass it on.
                    wakeupNext(putters);
                }
                throw e;
            }
        }
        putNowait(item);
    }

    /**
     * Puts an item without waiting.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param item the item, not null
     * @throws QueueFullException     if the queue is full
     * @throws QueueShutDownException if the queue is shut down
     */
    public void putNowait(E item) {
        Objects.requireNonNull(item, "item (queues hold no nulls)");
        if (isShutdown) {
            throw new QueueShutDownException("putNowait() on a queue that is shut down");
        }
        if (isFull()) {
            throw new QueueFullException("putNowait() on a full queue (maxsize " + maxsize + ")");
        }
        items.add(item);
        unfinishedTasks++;
        finished.clear();
        wakeupNext(getters);
    }

    /**
     * Removes and returns an item, suspending the calling task while the queue is empty.
     *
     * <p><b>Threading:</b> loop thread only, inside a task (unless an item is there).
     *
     * @return the item
     * @throws QueueShutDownException if the queue is shut down and empty
     */
    public E get() {
        while (items.isEmpty()) {
            if (isShutdown) {
                throw new QueueShutDownException("get() on a queue that is shut down and empty");
            }
            Future<Void> getter = binding.loop(this).createFuture();
            getters.add(getter);
            try {
                getter.await();
            } catch (RuntimeException | Error e) {
                getter.cancel();
                getters.remove(getter);
                if (!items.isEmpty() && !getter.isCancelled()) {
                    // We were woken for an item we will not take: pass it on.
                    wakeupNext(getters);
                }
                throw e;
            }
        }
        return getNowait();
    }

    /**
     * Removes and returns an item without waiting.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the item
     * @throws QueueEmptyException    if the queue is empty
     * @throws QueueShutDownException if the queue is shut down and empty
     */
    public E getNowait() {
        if (items.isEmpty()) {
            if (isShutdown) {
                throw new QueueShutDownException("getNowait() on a queue that is shut down and "
                        + "empty");
            }
            throw new QueueEmptyException("getNowait() on an empty queue");
        }
        E item = items.poll();
        wakeupNext(putters);
        return item;
    }

    /**
     * Says that an item taken with {@code get} was processed; when every item put so far was,
     * {@link #join()} returns.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @throws IllegalStateException if called more often than items were put
     */
    public void taskDone() {
        if (unfinishedTasks <= 0) {
            throw new IllegalStateException("taskDone() called too many times");
        }
        unfinishedTasks--;
        if (unfinishedTasks == 0) {
            finished.set();
        }
    }

    /**
     * Suspends the calling task until every item put so far was taken and processed
     * ({@link #taskDone()}).
     *
     * <p><b>Threading:</b> loop thread only, inside a task (unless nothing is unfinished).
     */
    public void join() {
        if (unfinishedTasks > 0) {
            finished.await();
        }
    }

    /**
     * Shuts the queue down gracefully: puts fail with {@link QueueShutDownException} at once;
     * gets keep draining the items, then fail the same way. Waiting producers and consumers are
     * woken.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    public void shutdown() {
        shutdown(false);
    }

    /**
     * Shuts the queue down (asyncio 3.13's {@code shutdown(immediate)}). With {@code immediate},
     * the items are dropped too (counted as done for {@link #join()}), so gets fail at once.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param immediate whether to drop the items
     */
    public void shutdown(boolean immediate) {
        isShutdown = true;
        if (immediate) {
            while (!items.isEmpty()) {
                items.poll();
                if (unfinishedTasks > 0) {
                    unfinishedTasks--;
                }
            }
            if (unfinishedTasks == 0) {
                finished.set();
            }
        }
        // Everybody waiting must look again, and find the queue shut down.
        Future<Void> f;
        while ((f = getters.poll()) != null) {
            if (!f.isDone()) {
                f.setResult(null);
            }
        }
        while ((f = putters.poll()) != null) {
            if (!f.isDone()) {
                f.setResult(null);
            }
        }
    }

    /**
     * Whether {@link #shutdown()} was called.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true once shut down
     */
    public boolean isShutdown() {
        return isShutdown;
    }

    private static void wakeupNext(ArrayDeque<Future<Void>> waiters) {
        Future<Void> w;
        while ((w = waiters.poll()) != null) {
            if (!w.isDone()) {
                w.setResult(null);
                break;
            }
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[maxsize=" + maxsize + ", qsize=" + items.size()
                + (getters.isEmpty() ? "" : ", getters:" + getters.size())
                + (putters.isEmpty() ? "" : ", putters:" + putters.size())
                + (unfinishedTasks > 0 ? ", tasks=" + unfinishedTasks : "")
                + (isShutdown ? ", shut down" : "") + "]";
    }
}
