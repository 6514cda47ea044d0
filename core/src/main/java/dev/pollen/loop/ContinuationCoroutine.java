package dev.pollen.loop;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * {@link Coroutine} on the JDK's own one-shot delimited continuations
 * ({@code jdk.internal.vm.Continuation}, the mechanism under virtual threads), stepped by the
 * loop exactly like asyncio's {@code Task.__step} drives a generator.
 *
 * <p>The class is reached through {@link MethodHandle}s held in static finals, so the build stays
 * {@code --release 21} with no compile-time reference to {@code jdk.internal} and the JIT inlines
 * the calls as constants (measured: no cost over direct calls). {@code java.base} exports
 * {@code jdk.internal.vm} only when the JVM is started with
 * {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED} (or an executable jar's manifest
 * has {@code Add-Exports: java.base/jdk.internal.vm}); the probe runs once, when this class is
 * initialised, and a missing export is reported by {@link #create(Runnable)}, never earlier, so
 * callback-style code keeps working without the flag.
 */
final class ContinuationCoroutine implements Coroutine {

    static final String FLAG = "--add-exports java.base/jdk.internal.vm=ALL-UNNAMED";
    static final String MANIFEST = "Add-Exports: java.base/jdk.internal.vm";

    /** (Runnable)Object: a new continuation in Pollen's scope. */
    private static final MethodHandle NEW;
    /** (Object)void: Continuation.run. */
    private static final MethodHandle RUN;
    /** ()boolean: Continuation.yield(Pollen's scope). */
    private static final MethodHandle YIELD;
    /** (Object)boolean: Continuation.isDone. */
    private static final MethodHandle IS_DONE;
    /** Why continuations are unavailable, or null. */
    static final String UNAVAILABLE;

    static {
        MethodHandle newC = null;
        MethodHandle run = null;
        MethodHandle yield = null;
        MethodHandle isDone = null;
        String reason = null;
        try {
            Class<?> cont = Class.forName("jdk.internal.vm.Continuation");
            Class<?> scopeClass = Class.forName("jdk.internal.vm.ContinuationScope");
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            Object scope = lookup.findConstructor(scopeClass,
                    MethodType.methodType(void.class, String.class)).invoke("pollen-task");
            newC = MethodHandles.insertArguments(lookup.findConstructor(cont,
                    MethodType.methodType(void.class, scopeClass, Runnable.class)), 0, scope)
                    .asType(MethodType.methodType(Object.class, Runnable.class));
            run = lookup.findVirtual(cont, "run", MethodType.methodType(void.class))
                    .asType(MethodType.methodType(void.class, Object.class));
            yield = MethodHandles.insertArguments(lookup.findStatic(cont, "yield",
                    MethodType.methodType(boolean.class, scopeClass)), 0, scope);
            isDone = lookup.findVirtual(cont, "isDone", MethodType.methodType(boolean.class))
                    .asType(MethodType.methodType(boolean.class, Object.class));
        } catch (IllegalAccessException e) {
            reason = "Pollen tasks need jdk.internal.vm.Continuation, but java.base does not export "
                    + "jdk.internal.vm to this code. Start the JVM with " + FLAG + " (for an "
                    + "executable jar, put the manifest attribute '" + MANIFEST + "' in it instead). "
                    + "Callback-style code (callSoon, callLater, futures with done-callbacks) works "
                    + "without it. [" + e.getMessage() + "]";
        } catch (Throwable e) {
            reason = "Pollen tasks need jdk.internal.vm.Continuation, which this JVM ("
                    + System.getProperty("java.vm.name") + " " + Runtime.version()
                    + ") does not provide as expected: " + e + ". Use a HotSpot JDK 21 or newer, "
                    + "started with " + FLAG + ".";
        }
        NEW = newC;
        RUN = run;
        YIELD = yield;
        IS_DONE = isDone;
        UNAVAILABLE = reason;
    }

    private final Object continuation;

    private ContinuationCoroutine(Object continuation) {
        this.continuation = continuation;
    }

    static Coroutine create(Runnable body) {
        if (UNAVAILABLE != null) {
            throw new IllegalStateException(UNAVAILABLE);
        }
        try {
            return new ContinuationCoroutine((Object) NEW.invokeExact(body));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cannot create a continuation", e);
        }
    }

    @Override
    public void resume() {
        try {
            RUN.invokeExact(continuation);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("continuation failed", e);
        }
    }

    @Override
    public void suspend() {
        boolean yielded;
        try {
            yielded = (boolean) YIELD.invokeExact();
        } catch (IllegalStateException e) {
            // Continuation.onPinned throws "Pinned: MONITOR" (a synchronized block on JDK 21-23),
            // "Pinned: NATIVE" (a native frame, e.g. a JNA callback) or "Pinned: CRITICAL_SECTION".
            throw pinned(e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("continuation yield failed", e);
        }
        if (!yielded) {
            throw pinned("the JDK refused to yield", null);
        }
    }

    private static IllegalStateException pinned(String what, Throwable cause) {
        return new IllegalStateException("await() cannot suspend this task: " + what + ". The "
                + "task's stack is pinned to the thread, usually by a synchronized block or a "
                + "native frame (a callback from native code) between the task's body and the "
                + "await. Never hold a monitor or a java.util.concurrent lock across an await, and "
                + "never await inside a callback from native code.", cause);
    }

    @Override
    public boolean isDone() {
        try {
            return (boolean) IS_DONE.invokeExact(continuation);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
