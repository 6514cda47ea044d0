package dev.pollen.spi;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;

/**
 * The executor a backend gives a library that wants "its event loop's executor" (Netty's
 * {@code IoHandler}s take a {@code ThreadAwareExecutor}): it names the loop thread, and queues the
 * few tasks the library hands over from other threads until the poller's next wait runs them.
 *
 * <p>Netty asks {@link #isExecutorThread(Thread)} before it acts at once (a registration's cancel
 * on the loop thread) or hands work over ({@link #execute(Runnable)}), and in {@code wakeup()},
 * which writes its eventfd only from <em>another</em> thread. A {@link Poller} is confined to one
 * thread but may be built on another (an event loop is often made on the main thread and run on
 * its own), so the owner is whichever thread last entered a loop-thread method of the poller
 * ({@link #claim()}).
 *
 * <p>The Netty backends use it through a subclass that adds {@code implements ThreadAwareExecutor}
 * (whose two methods are this class's), so this class depends on no library.
 *
 * <p><b>Threading:</b> {@link #claim()}, {@link #runPending()} and {@link #discardPending()} on
 * the loop thread; {@link #isExecutorThread(Thread)} and {@link #execute(Runnable)} on any thread.
 */
public class LoopThreadExecutor implements Executor {

    private volatile Thread owner = Thread.currentThread();
    private final Queue<Runnable> pending = new ConcurrentLinkedQueue<>();

    /**
     * Makes an executor owned by the calling thread until another one {@link #claim()}s it.
     *
     * <p><b>Threading:</b> any thread.
     */
    public LoopThreadExecutor() {
    }

    /**
     * Makes the calling thread the loop thread. Cheap when it already is.
     *
     * <p><b>Threading:</b> the loop thread.
     */
    public final void claim() {
        Thread t = Thread.currentThread();
        if (owner != t) {
            owner = t;
        }
    }

    /**
     * Runs the tasks queued from other threads, in the order they came.
     *
     * <p><b>Threading:</b> the loop thread.
     */
    public final void runPending() {
        Runnable r;
        while ((r = pending.poll()) != null) {
            r.run();
        }
    }

    /**
     * Drops the queued tasks (the poller is closed; what they would act on is gone).
     *
     * <p><b>Threading:</b> the loop thread.
     */
    public final void discardPending() {
        pending.clear();
    }

    /**
     * Whether {@code thread} is the loop thread.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param thread a thread
     * @return true if it is the current owner
     */
    public final boolean isExecutorThread(Thread thread) {
        return owner == thread;
    }

    /**
     * Queues a task for the loop thread, run at the start of the poller's next wait
     * ({@link #runPending()}).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param command the task
     */
    @Override
    public final void execute(Runnable command) {
        pending.add(command);
    }
}
