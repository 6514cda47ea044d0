package dev.pollen.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds {@code java.lang.foreign} downcalls from a seam interface ({@link PosixCalls}, the epoll
 * calls), and holds the per-thread errno capture they share. Compiled for JDK 22+ only (it is in
 * the build output but loaded only when {@link NativeBinding} chose {@code ffm}); public because
 * backends in other packages bind their own seams with it. Not an API for applications.
 *
 * <p>For each abstract method not marked {@link PosixCalls.Helper}: the method name is the C
 * symbol (looked up in the C library the linker knows); {@code int}/{@code long}/{@code void}
 * become {@code JAVA_INT}/{@code JAVA_LONG}/no return (addresses are {@code long}, see
 * {@link PosixCalls}); {@link PosixCalls.Variadic} adds {@code firstVariadicArg}; every function
 * not marked {@link PosixCalls.NoErrno} captures errno, so its handle takes the capture segment
 * ({@link #state()}) as an extra first argument. No call is marked {@code critical}: the
 * blocking ones (epoll_wait, connect on a blocking fd, ...) must let safepoints proceed, and
 * the measurement of the short ones did not justify the rule (docs/pollers-native.md).
 *
 * <p><b>Threading:</b> any thread; {@link #state()} is per thread.
 */
public final class FfmDowncalls {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(
            MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> STATE = ThreadLocal.withInitial(
            () -> Arena.ofAuto().allocate(CAPTURE));

    private FfmDowncalls() {
    }

    /**
     * The calling thread's capture segment: pass it as the first argument of every handle that
     * captures errno.
     *
     * <p><b>Threading:</b> per thread.
     *
     * @return the segment
     */
    public static MemorySegment state() {
        return STATE.get();
    }

    /**
     * The errno the calling thread's last capturing call saved.
     *
     * <p><b>Threading:</b> per thread.
     *
     * @return errno
     */
    public static int errno() {
        return (int) ERRNO.get(STATE.get(), 0L);
    }

    /**
     * Binds every C function of a seam interface.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param seam the interface
     * @return handle by function name; a function the C library lacks (accept4 on macOS) is
     *         absent
     */
    public static Map<String, MethodHandle> bind(Class<?> seam) {
        SymbolLookup libc = LINKER.defaultLookup();
        Map<String, MethodHandle> handles = new HashMap<>();
        for (Method m : seam.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.isDefault()
                    || m.isAnnotationPresent(PosixCalls.Helper.class)) {
                continue;
            }
            var symbol = libc.find(m.getName());
            if (symbol.isEmpty()) {
                continue;
            }
            handles.put(m.getName(), LINKER.downcallHandle(symbol.get(), descriptor(m),
                    options(m)));
        }
        return handles;
    }

    /**
     * The descriptor for a seam method.
     *
     * @param m the method
     * @return its C signature
     */
    static FunctionDescriptor descriptor(Method m) {
        Class<?>[] params = m.getParameterTypes();
        MemoryLayout[] args = new MemoryLayout[params.length];
        for (int i = 0; i < params.length; i++) {
            args[i] = layout(params[i], m);
        }
        return m.getReturnType() == void.class
                ? FunctionDescriptor.ofVoid(args)
                : FunctionDescriptor.of(layout(m.getReturnType(), m), args);
    }

    private static Linker.Option[] options(Method m) {
        List<Linker.Option> options = new ArrayList<>();
        PosixCalls.Variadic v = m.getAnnotation(PosixCalls.Variadic.class);
        if (v != null) {
            options.add(Linker.Option.firstVariadicArg(v.firstVariadicArg()));
        }
        if (!m.isAnnotationPresent(PosixCalls.NoErrno.class)) {
            options.add(Linker.Option.captureCallState("errno"));
        }
        return options.toArray(new Linker.Option[0]);
    }

    private static ValueLayout layout(Class<?> type, Method m) {
        if (type == int.class) {
            return ValueLayout.JAVA_INT;
        }
        if (type == long.class) {
            return ValueLayout.JAVA_LONG;
        }
        throw new IllegalArgumentException(m + ": seam functions take and return int or long, not "
                + type);
    }

    /**
     * The handle of a function, or an error naming it.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param handles from {@link #bind}
     * @param name    the function
     * @return the handle
     * @throws IllegalStateException if the C library lacks it
     */
    public static MethodHandle require(Map<String, MethodHandle> handles, String name) {
        MethodHandle h = handles.get(name);
        if (h == null) {
            throw new IllegalStateException("the C library has no " + name);
        }
        return h;
    }

    /**
     * Rethrows what a downcall's {@code invokeExact} threw: unchecked throwables as they are,
     * anything else wrapped in an {@link IllegalStateException}. Declared to return so callers
     * can write {@code throw FfmDowncalls.rethrow(t)}.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param t what the call threw
     * @return never returns normally
     */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(t);
    }
}
