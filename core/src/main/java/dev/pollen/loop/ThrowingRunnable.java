package dev.pollen.loop;

import java.util.concurrent.Callable;

/**
 * A body without a result that may throw checked exceptions: what every Pollen method taking a
 * task body, a block ({@code withLock}, {@code timeout}) or blocking work accepts beside a
 * {@link Callable}.
 *
 * <p>Java picks between the two overloads by the lambda's shape: a lambda that returns a value
 * ({@code () -> 42}, {@code () -> reader.readLine()}) goes to the {@code Callable} one, a
 * statement block without a value ({@code () -> { Net.startServer(...); }}) to this one, and both
 * may throw checked exceptions, so neither needs a cast or a {@code return null}. It replaces
 * {@link Runnable} there because a {@code Runnable} overload cannot throw and an overload pair of
 * {@code Runnable} and this type would be ambiguous for every void lambda. A {@code Runnable}
 * variable is passed as {@code r::run}.
 *
 * <p><b>Threading:</b> runs where the method it is given to says.
 */
@FunctionalInterface
public interface ThrowingRunnable {

    /**
     * Runs the body.
     *
     * @throws Exception anything; the method it was given to says what becomes of it (a task
     *                   fails with it)
     */
    void run() throws Exception;

    /**
     * This body as a {@link Callable} returning null.
     *
     * @param body the body
     * @return a callable running it
     */
    static Callable<Void> callable(ThrowingRunnable body) {
        java.util.Objects.requireNonNull(body, "body");
        return () -> {
            body.run();
            return null;
        };
    }
}
