package dev.pollen.async;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.loop.TimerHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@link Async#wait}: suspends the calling task until the futures satisfy a {@link ReturnWhen}
 * or a timeout passes; never cancels them, never throws their exceptions (asyncio's
 * {@code asyncio.wait}).
 */
final class Wait<T> implements Consumer<Future<?>>, Runnable {

    private final Future<Void> waiter;
    private final ReturnWhen returnWhen;
    private int counter;
    private TimerHandle timer;

    private Wait(EventLoop loop, int count, ReturnWhen returnWhen) {
        this.waiter = loop.createFuture();
        this.counter = count;
        this.returnWhen = returnWhen;
    }

    static <T> WaitResult<T> await(java.util.Collection<? extends Future<? extends T>> futures,
                                   Duration timeout, ReturnWhen returnWhen) {
        Objects.requireNonNull(futures, "futures");
        Objects.requireNonNull(returnWhen, "returnWhen");
        Set<Future<? extends T>> fs = new LinkedHashSet<>(futures);
        if (fs.isEmpty()) {
            throw new IllegalArgumentException("wait: the collection of futures is empty");
        }
        if (fs.contains(null)) {
            throw new NullPointerException("wait: futures contains null");
        }
        EventLoop loop = fs.iterator().next().loop();
        Wait<T> w = new Wait<>(loop, fs.size(), returnWhen);
        if (timeout != null) {
            w.timer = loop.callLater(timeout, w);
        }
        for (Future<? extends T> f : fs) {
            f.addDoneCallback(w);
        }
        try {
            w.waiter.await();
        } finally {
            if (w.timer != null) {
                w.timer.cancel();
            }
            for (Future<? extends T> f : fs) {
                f.removeDoneCallback(w);
            }
        }
        List<Future<? extends T>> done = new ArrayList<>();
        List<Future<? extends T>> pending = new ArrayList<>();
        for (Future<? extends T> f : fs) {
            (f.isDone() ? done : pending).add(f);
        }
        return new WaitResult<>(new LinkedHashSet<>(done), new LinkedHashSet<>(pending));
    }

    /** One future is done. */
    @Override
    public void accept(Future<?> f) {
        counter--;
        if (counter <= 0 || returnWhen == ReturnWhen.FIRST_COMPLETED
                || (returnWhen == ReturnWhen.FIRST_EXCEPTION && !f.isCancelled()
                    && f.exception() != null)) {
            release();
        }
    }

    /** The timeout. */
    @Override
    public void run() {
        timer = null;
        release();
    }

    private void release() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        if (!waiter.isDone()) {
            waiter.setResult(null);
        }
    }
}
