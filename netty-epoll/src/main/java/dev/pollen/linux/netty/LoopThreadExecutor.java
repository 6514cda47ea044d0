package dev.pollen.linux.netty;

import io.netty.util.concurrent.ThreadAwareExecutor;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The {@link ThreadAwareExecutor} Netty's {@code EpollIoHandler} is given: it tells Netty which
 * thread is the loop thread, and queues the few tasks Netty hands over when it is called from
 * another one.
 *
 * <p>{@code EpollIoHandler} asks {@link #isExecutorThread(Thread)} in two places: in
 * {@code wakeup()}, which only writes its eventfd when called from <em>another</em> thread, and in
 * {@code IoRegistration.cancel()}, which removes the registration at once on the loop thread and
 * otherwise {@link #execute(Runnable) executes} the removal later. A {@link dev.pollen.spi.Poller}
 * is confined to one thread but may be created on another (an event loop is often built on the
 * main thread and run on its own), so the owner is whichever thread last entered a loop-thread
 * method ({@link #claim()}).
 *
 * <p><b>Threading:</b> {@link #claim()} and {@link #runPending()} on the loop thread;
 * {@link #isExecutorThread(Thread)} and {@link #execute(Runnable)} any thread.
 */
final class LoopThreadExecutor implements ThreadAwareExecutor {

    private volatile Thread owner;
    private final Queue<Runnable> pending = new ConcurrentLinkedQueue<>();

    LoopThreadExecutor() {
        owner = Thread.currentThread();
    }

    /**
     * Makes the calling thread the loop thread. Cheap when it already is.
     *
     * <p><b>Threading:</b> the loop thread.
     */
    void claim() {
        Thread t = Thread.currentThread();
        if (owner != t) {
            owner = t;
        }
    }

    /**
     * Runs the tasks Netty queued from other threads.
     *
     * <p><b>Threading:</b> the loop thread.
     */
    void runPending() {
        Runnable r;
        while ((r = pending.poll()) != null) {
            r.run();
        }
    }

    /**
     * Drops queued tasks (the poller is closed; their targets are gone).
     *
     * <p><b>Threading:</b> the loop thread.
     */
    void discardPending() {
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
    @Override
    public boolean isExecutorThread(Thread thread) {
        return owner == thread;
    }

    /**
     * Queues a task to run on the loop thread at the start of the next poll.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param command the task
     */
    @Override
    public void execute(Runnable command) {
        pending.add(command);
    }
}
