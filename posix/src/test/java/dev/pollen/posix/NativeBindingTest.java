package dev.pollen.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The binding choice ({@code -Dpollen.native}) and the one list of C functions both bindings
 * follow. This class runs in both surefire executions (default and {@code pollen.native=jna}).
 */
class NativeBindingTest {

    @Test
    void defaultIsFfmOnJdk22AndJnaOnJdk21() {
        assertEquals(new NativeBinding.Choice(NativeBinding.Kind.FFM, false, null),
                NativeBinding.choose(null, 22));
        assertEquals(new NativeBinding.Choice(NativeBinding.Kind.FFM, false, null),
                NativeBinding.choose("  ", 25));
        assertEquals(new NativeBinding.Choice(NativeBinding.Kind.JNA, false, null),
                NativeBinding.choose(null, 21));
    }

    @Test
    void thePropertyIsHonoured() {
        assertEquals(new NativeBinding.Choice(NativeBinding.Kind.JNA, true, null),
                NativeBinding.choose("jna", 25));
        assertEquals(new NativeBinding.Choice(NativeBinding.Kind.JNA, true, null),
                NativeBinding.choose("JNA", 21));
        assertEquals(new NativeBinding.Choice(NativeBinding.Kind.FFM, true, null),
                NativeBinding.choose(" ffm ", 22));
    }

    @Test
    void ffmOnJdk21SaysWhyInOneLine() {
        NativeBinding.Choice c = NativeBinding.choose("ffm", 21);
        assertNull(c.kind());
        assertEquals("-Dpollen.native=ffm needs JDK 22 or newer (java.lang.foreign is final "
                + "there) but this is JDK 21: remove the property or set -Dpollen.native=jna",
                c.problem());
    }

    @Test
    void aBogusValueSaysWhatIsAllowed() {
        NativeBinding.Choice c = NativeBinding.choose("panama", 25);
        assertNull(c.kind());
        assertEquals("-Dpollen.native='panama' is not a native binding: use ffm (JDK 22+) or jna,"
                + " or leave it unset", c.problem());
        assertFalse(c.problem().contains("\n"));
    }

    @Test
    void theBindingInEffectIsTheOneAskedFor() {
        String asked = System.getProperty(NativeBinding.PROPERTY);
        NativeBinding.Kind expected = "jna".equals(asked) || Runtime.version().feature() < 22
                ? NativeBinding.Kind.JNA : NativeBinding.Kind.FFM;
        assertEquals(expected, NativeBinding.kind(), "pollen.native=" + asked);
        assertNull(NativeBinding.fallbackReason());
        assertTrue(LibC.describe().startsWith(expected == NativeBinding.Kind.FFM
                ? "java.lang.foreign (JDK " : "JNA "), LibC.describe());
        assertEquals(8, LibC.pointerSize());
    }

    @Test
    void aDefaultFfmThatFailsFallsBackToJnaAndSaysWhy() {
        String[] reason = new String[1];
        String got = NativeBinding.first(NativeBinding.choose(null, 25),
                () -> {
                    throw new IllegalCallerException("native access denied");
                }, () -> "jna", r -> reason[0] = r);
        assertEquals("jna", got);
        assertEquals("the java.lang.foreign binding failed to load, using JNA: "
                + "java.lang.IllegalCallerException: native access denied", reason[0]);
    }

    @Test
    void anExplicitFfmThatFailsIsAnErrorNotAFallback() {
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalStateException.class, () -> NativeBinding.first(
                        NativeBinding.choose("ffm", 25), () -> {
                            throw new IllegalCallerException("native access denied");
                        }, () -> "jna", r -> {
                        }));
        assertEquals("the java.lang.foreign binding failed to load: "
                + "java.lang.IllegalCallerException: native access denied", e.getMessage());
        IllegalStateException jdk21 = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalStateException.class, () -> NativeBinding.first(
                        NativeBinding.choose("ffm", 21), () -> "ffm", () -> "jna", r -> {
                        }));
        assertTrue(jdk21.getMessage().startsWith("-Dpollen.native=ffm needs JDK 22"),
                jdk21.getMessage());
    }

    /** The C functions of the seam: name to (return, parameter types). */
    private static Map<String, String> signatures(Class<?> c, boolean seam) {
        Map<String, String> m = new TreeMap<>();
        for (Method method : c.getDeclaredMethods()) {
            boolean take = seam
                    ? !method.isAnnotationPresent(PosixCalls.Helper.class)
                            && Modifier.isAbstract(method.getModifiers())
                    : Modifier.isNative(method.getModifiers());
            if (take) {
                m.put(method.getName(), method.getReturnType() + " "
                        + Arrays.toString(method.getParameterTypes()));
            }
        }
        return m;
    }

    @Test
    void theJnaNativesDeclareExactlyTheSeamsFunctions() {
        Map<String, String> seam = signatures(PosixCalls.class, true);
        Map<String, String> jna = new TreeMap<>(signatures(JnaPosixCalls.N.class, false));
        jna.putAll(signatures(JnaPosixCalls.A4.class, false));
        jna.putAll(signatures(JnaPosixCalls.Sp.class, false));
        assertEquals(seam, jna);
        assertTrue(seam.keySet().containsAll(Set.of("read", "write", "accept4", "fcntl")));
    }

    @Test
    void theForeignBindingBindsEverySeamFunction() throws Exception {
        if (Runtime.version().feature() < 22) {
            return; // java.lang.foreign is a preview API on JDK 21: only the JNA binding exists
        }
        Class<?> downcalls = Class.forName("dev.pollen.posix.FfmDowncalls");
        Map<?, ?> handles = (Map<?, ?>) downcalls.getMethod("bind", Class.class)
                .invoke(null, PosixCalls.class);
        assertEquals(signatures(PosixCalls.class, true).keySet(),
                handles.keySet().stream().map(Object::toString).collect(Collectors.toSet()));
        // errno is captured (an extra first argument) except where the seam says it is not read
        assertEquals("(MemorySegment,int,long,long)long", shape(handles.get("read")));
        assertEquals("(long,long)long", shape(handles.get("calloc")));
        assertNotNull(handles.get("fcntl"));
    }

    private static String shape(Object methodHandle) {
        String t = ((java.lang.invoke.MethodHandle) methodHandle).type().toString();
        return t.replace("java.lang.foreign.", "");
    }

    @Test
    void errnoComesFromTheBindingThatMadeTheCall() {
        assertEquals(-1, LibC.close(-1));
        assertEquals("EBADF", OsConstants.current().errno.name(LibC.errno()));
        assertEquals(-1, LibC.fcntl(-1, OsConstants.current().F_GETFD, 0));
        assertEquals("EBADF", OsConstants.current().errno.name(LibC.errno()));
    }
}
