package dev.pollen.linux.uring;

import io.netty.util.concurrent.ThreadAwareExecutor;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The {@link ThreadAwareExecutor} Netty's {@code IoUringIoHandler} is given: it names the loop
 * thread (Netty's {@code wakeup()} only writes its eventfd from <em>another</em> thread; its
 * registrations submit and cancel at once on the loop thread) and queues what Netty hands over
 * from other threads. The owner is whichever thread last entered a loop-thread method
 * ({@link #claim()}): a poller may be built on one thread and run on another.
 *
 * <p>The same class as netty-epoll's (package-private there); when both modules share a Netty
 * base module it belongs there once.
 *
 * <p><b>Threading:</b> {@link #claim()}, {@link #runPending()} and {@link #discardPending()} on
 * the loop thread; {@link #isExecutorThread(Thread)} and {@link #execute(Runnable)} any thread.
 */
final class LoopThreadExecutor implements ThreadAwareExecutor {

    private volatile Thread owner = Thread.currentThread();
    private final Queue<Runnable> pending = new ConcurrentLinkedQueue<>();

    /** Makes the calling thread the loop thread; cheap when it already is. */
    void claim() {
        Thread t = Thread.currentThread();
        if (owner != t) {
            owner = t;
        }
    }

    /** Runs the tasks Netty queued from other threads. */
    void runPending() {
        Runnable r;
        while ((r = pending.poll()) != null) {
            r.run();
        }
    }

    /** Drops queued tasks (the poller closed; their targets are gone). */
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
     * Queues a task for the loop thread, run at the start of the next poll.
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
