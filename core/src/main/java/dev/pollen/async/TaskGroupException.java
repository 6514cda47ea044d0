package dev.pollen.async;

import java.util.List;

/**
 * One or more tasks of a {@link TaskGroup} (or its body) failed (asyncio's
 * {@code ExceptionGroup("unhandled errors in a TaskGroup", ...)}). Every failure is in
 * {@link #exceptions()}, in the order they happened, and also attached as a suppressed
 * exception so stack traces show them all.
 *
 * <p><b>Threading:</b> an ordinary exception; any thread.
 */
public final class TaskGroupException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The failures. */
    private final List<Throwable> exceptions;

    /**
     * Creates the exception.
     *
     * @param exceptions the failures, at least one
     */
    public TaskGroupException(List<Throwable> exceptions) {
        super("unhandled errors in a TaskGroup (" + exceptions.size() + " sub-exception"
                + (exceptions.size() == 1 ? "" : "s") + "): " + summary(exceptions),
                exceptions.isEmpty() ? null : exceptions.get(0));
        this.exceptions = List.copyOf(exceptions);
        for (int i = 1; i < this.exceptions.size(); i++) {
            addSuppressed(this.exceptions.get(i));
        }
    }

    /**
     * Every failure, in order (the first is also the {@linkplain #getCause() cause}).
     *
     * @return an unmodifiable list
     */
    public List<Throwable> exceptions() {
        return exceptions;
    }

    private static String summary(List<Throwable> list) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t : list) {
            if (sb.length() > 0) {
                sb.append("; ");
            }
            sb.append(t);
        }
        return sb.toString();
    }
}
