package dev.pollen.loop;

import java.util.Objects;

/**
 * A value that follows a task across its suspensions (asyncio's {@code contextvars.ContextVar}).
 *
 * <p>Every task has its own context of task-local values. A new task starts with a copy of the
 * context of the code that created it (a task created inside a task sees the creator's values at
 * that moment); after that, {@link #set} in one task is invisible to every other task. Code
 * outside any task (plain callbacks) shares one context per loop. This is what
 * {@link ThreadLocal} cannot do here: all tasks of a loop run on the loop thread, so a
 * {@code ThreadLocal} (or a {@code ScopedValue}) is shared by every task of that loop.
 *
 * <pre>{@code
 * static final TaskLocal<String> REQUEST_ID = TaskLocal.named("request-id");
 * ...
 * REQUEST_ID.set(id);       // inside a task
 * helper();                 // anything called later in this task, even after awaits, sees it
 * }</pre>
 *
 * <p>Lookups scan the task's small immutable array of values (identity comparison); {@code set}
 * copies it. Meant for a handful of locals per task, like {@code contextvars}.
 *
 * <p><b>Threading:</b> {@link #get()} and {@link #set} act on the context of the calling code,
 * which must be on a loop thread (inside a task or a callback); {@code get()} on a thread that
 * runs no loop returns the default value.
 *
 * @param <T> the value type
 */
public final class TaskLocal<T> {

    private static final Object MISSING = new Object();

    private final String name;
    private final T defaultValue;

    private TaskLocal(String name, T defaultValue) {
        this.name = Objects.requireNonNull(name, "name");
        this.defaultValue = defaultValue;
    }

    /**
     * A task-local with no default (its default value is null).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param name for messages and {@link #toString()}
     * @param <T>  the value type
     * @return the new task-local
     */
    public static <T> TaskLocal<T> named(String name) {
        return new TaskLocal<>(name, null);
    }

    /**
     * A task-local with a default value, returned by {@link #get()} where it was never set.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param name         for messages and {@link #toString()}
     * @param defaultValue the default
     * @param <T>          the value type
     * @return the new task-local
     */
    public static <T> TaskLocal<T> named(String name, T defaultValue) {
        return new TaskLocal<>(name, defaultValue);
    }

    /**
     * The name given at creation.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The value in the calling code's context, or the default.
     *
     * <p><b>Threading:</b> a loop thread (inside a task or a callback); elsewhere returns the
     * default.
     *
     * @return the value
     */
    public T get() {
        Object v = lookup(currentLocals());
        @SuppressWarnings("unchecked")
        T t = v == MISSING ? defaultValue : (T) v;
        return t;
    }

    /**
     * Whether the calling code's context has a value for this task-local.
     *
     * <p><b>Threading:</b> as {@link #get()}.
     *
     * @return true if set (possibly to null)
     */
    public boolean isSet() {
        return lookup(currentLocals()) != MISSING;
    }

    /**
     * Sets the value in the calling code's context (the running task's, or the loop's for code
     * outside tasks).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param value the new value (may be null)
     * @return a token that {@link #reset(Token)} uses to restore the previous value
     * @throws IllegalStateException if no loop runs on the calling thread
     */
    public Token<T> set(T value) {
        Object owner = owner("set");
        Object[] locals = localsOf(owner);
        Object old = lookup(locals);
        store(owner, with(locals, value));
        return new Token<>(this, owner, old);
    }

    /**
     * Restores the value this task-local had before the {@link #set} that returned
     * {@code token} (asyncio's {@code ContextVar.reset}).
     *
     * <p><b>Threading:</b> loop thread only, in the same task (or outside tasks, on the same
     * loop) that called {@code set}.
     *
     * @param token from {@link #set}
     * @throws IllegalArgumentException if the token is of another task-local or another context
     * @throws IllegalStateException    if the token was already used
     */
    public void reset(Token<T> token) {
        Objects.requireNonNull(token, "token");
        if (token.local != this) {
            throw new IllegalArgumentException("reset: the token was created by " + token.local
                    + ", not by " + this);
        }
        Object owner = owner("reset");
        if (token.owner != owner) {
            throw new IllegalArgumentException("reset: the token was created in another context ("
                    + describeOwner(token.owner) + "), not in " + describeOwner(owner));
        }
        if (token.used) {
            throw new IllegalStateException("reset: the token of " + this
                    + " has already been used once");
        }
        token.used = true;
        Object[] locals = localsOf(owner);
        store(owner, token.previous == MISSING ? without(locals) : with(locals, token.previous));
    }

    private Object lookup(Object[] locals) {
        for (int i = 0; i < locals.length; i += 2) {
            if (locals[i] == this) {
                return locals[i + 1];
            }
        }
        return MISSING;
    }

    private Object[] with(Object[] locals, Object value) {
        for (int i = 0; i < locals.length; i += 2) {
            if (locals[i] == this) {
                Object[] copy = locals.clone();
                copy[i + 1] = value;
                return copy;
            }
        }
        Object[] copy = java.util.Arrays.copyOf(locals, locals.length + 2);
        copy[locals.length] = this;
        copy[locals.length + 1] = value;
        return copy;
    }

    private Object[] without(Object[] locals) {
        for (int i = 0; i < locals.length; i += 2) {
            if (locals[i] == this) {
                Object[] copy = new Object[locals.length - 2];
                System.arraycopy(locals, 0, copy, 0, i);
                System.arraycopy(locals, i + 2, copy, i, locals.length - i - 2);
                return copy;
            }
        }
        return locals;
    }

    /** The locals of the calling code: its task's, its loop's, or none. */
    static Object[] currentLocals() {
        EventLoop l = EventLoop.currentOrNull();
        if (l == null) {
            return TaskRegistry.NO_LOCALS;
        }
        return l.suspender instanceof Step s ? s.task.locals : l.tasks.rootLocals;
    }

    private Object owner(String method) {
        EventLoop l = EventLoop.currentOrNull();
        if (l == null) {
            throw new IllegalStateException("TaskLocal." + method + " on " + this + " called on "
                    + "thread " + Thread.currentThread().getName() + ", which runs no event loop: "
                    + "task-locals live in tasks and loop callbacks");
        }
        return l.suspender instanceof Step s ? s.task : l;
    }

    private static Object[] localsOf(Object owner) {
        return owner instanceof Task<?> t ? t.locals : ((EventLoop) owner).tasks.rootLocals;
    }

    private static void store(Object owner, Object[] locals) {
        if (owner instanceof Task<?> t) {
            t.locals = locals;
        } else {
            ((EventLoop) owner).tasks.rootLocals = locals;
        }
    }

    private static String describeOwner(Object owner) {
        return owner instanceof Task<?> t ? "task " + t.name()
                : "callbacks of loop " + ((EventLoop) owner).name();
    }

    @Override
    public String toString() {
        return "TaskLocal[" + name + "]";
    }

    /**
     * What {@link TaskLocal#set} returns, to undo it with {@link TaskLocal#reset(Token)}.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param <T> the value type
     */
    public static final class Token<T> {
        private final TaskLocal<T> local;
        private final Object owner;
        private final Object previous;
        private boolean used;

        private Token(TaskLocal<T> local, Object owner, Object previous) {
            this.local = local;
            this.owner = owner;
            this.previous = previous;
        }

        /**
         * The task-local this token belongs to.
         *
         * @return the task-local
         */
        public TaskLocal<T> local() {
            return local;
        }
    }
}
