package dev.pollen.loop;

import java.util.function.Consumer;

/**
 * The one helper object each {@link Task} allocates: it is the handle the loop runs to step the
 * task, the done-callback registered on the future the task awaits (the loop puts it straight
 * on its ready queue, see {@link EventLoop#scheduleDoneCallback}, so an await allocates
 * nothing), the body the coroutine runs, and the task's {@link Suspender}. Keeping these out of
 * {@code Task} keeps them out of its public API.
 */
final class Step extends Handle implements Consumer<Future<?>>, Runnable, Suspender {

    final Task<?> task;

    Step(Task<?> task) {
        super(null);
        this.task = task;
    }

    /** Run by the loop from its ready queue. */
    @Override
    void invoke() {
        task.step();
    }

    /** The coroutine's body. */
    @Override
    public void run() {
        task.runBody();
    }

    /** Reached only if something calls the callback directly: schedule the step. */
    @Override
    public void accept(Future<?> done) {
        task.loop.enqueue(this);
    }

    @Override
    public <T> T suspendUntilDone(Future<T> future) {
        return task.suspendUntilDone(future);
    }

    @Override
    Object describe() {
        return "step of " + task;
    }

    @Override
    public String toString() {
        return "Step[" + task + "]";
    }
}
