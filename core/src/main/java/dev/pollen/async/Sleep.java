package dev.pollen.async;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.loop.Task;
import dev.pollen.loop.TimerHandle;
import java.time.Duration;
import java.util.Objects;

/** {@link Async#sleep}: a future completed by a timer, awaited by the calling task. */
final class Sleep {

    private Sleep() {
    }

    static <T> T sleep(Duration delay, T result) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isZero() || delay.isNegative()) {
            Task.yieldNow(); // asyncio: sleep(0) yields one loop step
            return result;
        }
        Task<?> task = Task.current();
        if (task == null) {
            throw new IllegalStateException("sleep() called outside a task: only code running "
                    + "inside a task (loop.createTask, Async.run) can sleep; from a callback use "
                    + "loop.callLater");
        }
        EventLoop loop = task.loop();
        Wakeup<T> wakeup = new Wakeup<>(loop, result);
        TimerHandle timer = loop.callLater(delay, wakeup);
        try {
            return wakeup.await();
        } finally {
            timer.cancel(); // cancelled sleep: drop the timer at once
        }
    }

    /** The future a sleep awaits, and the timer callback that completes it (one object). */
    private static final class Wakeup<T> extends Future<T> implements Runnable {
        private final T result;

        Wakeup(EventLoop loop, T result) {
            super(loop);
            this.result = result;
        }

        @Override
        public void run() {
            if (!isDone()) {
                setResult(result);
            }
        }
    }
}
