package dev.pollen.async;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.ExceptionContext;
import dev.pollen.loop.Future;
import dev.pollen.loop.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@link Async#run}: the program's entry point, like {@code asyncio.run}: a new loop runs the
 * body as its main task; when the body is done, the tasks still pending are cancelled and waited
 * for, and the loop is closed (which shuts its default executor down).
 */
final class Runner {

    private Runner() {
    }

    static <T> T run(EventLoop.Builder builder, Callable<T> body) {
        Objects.requireNonNull(builder, "builder");
        Objects.requireNonNull(body, "body");
        if (EventLoop.currentOrNull() != null) {
            throw new IllegalStateException("Async.run() cannot be called from a running event "
                    + "loop (thread " + Thread.currentThread().getName() + "); inside a task, "
                    + "await the work instead");
        }
        EventLoop loop = builder.build();
        try {
            Task<T> main = loop.createTask("main", body);
            try {
                return loop.runUntilComplete(main);
            } finally {
                cancelAllTasks(loop);
            }
        } finally {
            loop.close();
        }
    }

    /** asyncio's {@code _cancel_all_tasks}. */
    private static void cancelAllTasks(EventLoop loop) {
        if (loop.isClosed()) {
            return;
        }
        Set<Task<?>> left = loop.allTasks();
        if (left.isEmpty()) {
            return;
        }
        List<Task<?>> list = new ArrayList<>(left);
        for (Task<?> t : list) {
            t.cancel();
        }
        Future<List<Object>> all = Gather.gather(list, true);
        loop.runUntilComplete(all);
        for (Task<?> t : list) {
            if (t.isCancelled()) {
                continue;
            }
            Throwable e = t.exception();
            if (e != null) {
                loop.callExceptionHandler(new ExceptionContext("unhandled exception during "
                        + "Async.run() shutdown in " + t, e, t));
            }
        }
    }
}
