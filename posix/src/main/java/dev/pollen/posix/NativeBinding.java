package dev.pollen.posix;

import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Chooses, once per process, how the native backends call the C library: through
 * {@code java.lang.foreign} downcalls ({@code ffm}, JDK 22+, where the API is final) or through
 * JNA direct mapping ({@code jna}, any supported JDK). Set with {@code -Dpollen.native=ffm|jna};
 * the default is {@code ffm} on JDK 22+ and {@code jna} on JDK 21. Both need
 * {@code --enable-native-access=ALL-UNNAMED} to run without the JDK's native-access warning.
 *
 * <p>The choice covers every seam ({@link PosixCalls} here, the epoll calls in
 * {@code pollen-epoll}), so errno always comes from the binding that made the call. If the
 * default {@code ffm} cannot be set up, everything falls back to JNA and {@link #fallbackReason}
 * says why; an explicit {@code -Dpollen.native=ffm} that cannot be honoured (JDK 21, or the
 * binding failed) is an error instead, whose one-line message the native pollers report as their
 * reason for being unavailable.
 *
 * <p><b>Threading:</b> any thread; the choice is made on first use and never changes.
 */
public final class NativeBinding {

    /** The system property: {@code ffm} or {@code jna}. */
    public static final String PROPERTY = "pollen.native";

    /** The two bindings. */
    public enum Kind {
        /** {@code java.lang.foreign} downcalls (JDK 22+). */
        FFM,
        /** JNA direct mapping. */
        JNA
    }

    /**
     * What the property and the runtime ask for: a kind, or a problem (then {@code kind} is
     * null). {@code explicit} says the user named the kind (so no silent fallback).
     *
     * <p><b>Threading:</b> immutable.
     *
     * @param kind     the binding to use, or null
     * @param explicit whether the property named it
     * @param problem  one line saying what is wrong and what to do, or null
     */
    public record Choice(Kind kind, boolean explicit, String problem) {
    }

    private NativeBinding() {
    }

    /**
     * Decides from a property value and a runtime feature version (the JDK's major version).
     *
     * <p><b>Threading:</b> any thread (pure).
     *
     * @param value   the {@code pollen.native} value, or null when unset
     * @param feature {@code Runtime.version().feature()}
     * @return the choice
     */
    public static Choice choose(String value, int feature) {
        if (value == null || value.isBlank()) {
            return new Choice(feature >= 22 ? Kind.FFM : Kind.JNA, false, null);
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("jna")) {
            return new Choice(Kind.JNA, true, null);
        }
        if (v.equals("ffm")) {
            if (feature < 22) {
                return new Choice(null, true, "-D" + PROPERTY + "=ffm needs JDK 22 or newer "
                        + "(java.lang.foreign is final there) but this is JDK " + feature
                        + ": remove the property or set -D" + PROPERTY + "=jna");
            }
            return new Choice(Kind.FFM, true, null);
        }
        return new Choice(null, true, "-D" + PROPERTY + "='" + value + "' is not a native "
                + "binding: use ffm (JDK 22+) or jna, or leave it unset");
    }

    /**
     * The choice for this process (from the system property and the running JDK).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the choice, made on first use
     */
    public static Choice requested() {
        return Requested.CHOICE;
    }

    /**
     * The binding in effect: {@link #requested()}'s kind, or {@link Kind#JNA} after a default
     * {@code ffm} could not be set up. Loads the C library binding.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return the kind
     * @throws IllegalStateException with {@link Choice#problem()} as message if the property
     *                               asks for something this JVM cannot do
     */
    public static Kind kind() {
        return LibC.CALLS instanceof JnaPosixCalls ? Kind.JNA : Kind.FFM;
    }

    /**
     * Why the default {@code ffm} binding was not used, or null if it was (or was not asked for).
     *
     * <p><b>Threading:</b> any thread.
     *
     * @return one line, or null
     */
    public static String fallbackReason() {
        kind();
        return fallback;
    }

    private static volatile String fallback;

    /**
     * Makes the process's {@link PosixCalls}; called once, by {@link LibC}'s initializer.
     *
     * @return the binding
     */
    static PosixCalls posixCalls() {
        return first(requested(), () -> (PosixCalls) Class.forName("dev.pollen.posix.FfmPosixCalls")
                .getDeclaredConstructor().newInstance(), JnaPosixCalls::new,
                reason -> fallback = reason);
    }

    /**
     * Makes one seam's implementation for the binding in effect. Backends call this for their
     * own calls (after the C library binding has been chosen), passing a factory that loads their
     * {@code java.lang.foreign} class reflectively: it exists only in the JDK 22 build output.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param <T> the seam
     * @param ffm the {@code java.lang.foreign} implementation's factory
     * @param jna the JNA implementation's factory
     * @return the implementation matching {@link #kind()}
     * @throws IllegalStateException if the property asks for something this JVM cannot do, or
     *                               the foreign implementation fails to load
     */
    public static <T> T load(Callable<T> ffm, Callable<T> jna) {
        Choice c = requested();
        if (c.problem() != null) {
            throw new IllegalStateException(c.problem());
        }
        // Follow the C library binding (which may have fallen back), never fall back alone:
        // errno must come from the binding that made the call.
        return first(new Choice(kind(), true, null), ffm, jna, reason -> {
        });
    }

    /**
     * The first binding decision: the kind the choice names, falling back from a default
     * {@code ffm} that fails to JNA (telling {@code onFallback} why), failing on an explicit one.
     *
     * @param <T>        the seam
     * @param c          the choice
     * @param ffm        the foreign factory
     * @param jna        the JNA factory
     * @param onFallback receives the one-line reason when a default ffm fell back
     * @return the implementation
     * @throws IllegalStateException with the choice's problem, or when an explicit kind fails
     */
    static <T> T first(Choice c, Callable<T> ffm, Callable<T> jna,
                       java.util.function.Consumer<String> onFallback) {
        if (c.problem() != null) {
            throw new IllegalStateException(c.problem());
        }
        if (c.kind() == Kind.FFM) {
            try {
                return ffm.call();
            } catch (Throwable t) {
                if (c.explicit()) {
                    throw new IllegalStateException("the java.lang.foreign binding failed to load: "
                            + t, t);
                }
                onFallback.accept("the java.lang.foreign binding failed to load, using JNA: " + t);
            }
        }
        try {
            return jna.call();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("the JNA binding failed to load: " + e, e);
        }
    }

    /** Holds the choice (computed on first use). */
    private static final class Requested {
        static final Choice CHOICE = choose(System.getProperty(PROPERTY),
                Runtime.version().feature());
    }
}
