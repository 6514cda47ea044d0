package dev.pollen.linux.epoll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.posix.NativeBinding;
import dev.pollen.spi.ListenSocket;
import dev.pollen.spi.Poller;
import dev.pollen.spi.Pollers;
import dev.pollen.spi.SocketOptions;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A fresh JVM with Pollen's documented flags that binds the C library (with this run's
 * {@code pollen.native}: both bindings are checked, one per surefire execution), makes an epoll
 * poller, listens and polls prints nothing on stderr. The same JVM without
 * {@code --enable-native-access} must print the JDK's native-access warning (JDK 22+), which
 * shows the check can see one. A {@code pollen.native} value this JVM cannot honour makes epoll
 * unavailable with a one-line reason.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EpollNoWarningTest {

    /** The child JVM's program. */
    public static final class Child {
        private Child() {
        }

        /**
         * Makes an epoll poller, listens, polls, closes.
         *
         * @param args unused
         * @throws Exception on failure (non-zero exit)
         */
        public static void main(String[] args) throws Exception {
            try (Poller p = Pollers.create("epoll");
                    ListenSocket l = p.sockets().listen(
                            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8,
                            SocketOptions.none())) {
                p.poll(1_000_000);
                System.out.println("ok " + l.localAddress());
            }
        }
    }

    private static String[] runChild(boolean nativeAccess) throws Exception {
        String binding = System.getProperty(NativeBinding.PROPERTY);
        return runChild(nativeAccess, binding == null ? List.of()
                : List.of("-D" + NativeBinding.PROPERTY + "=" + binding), 0);
    }

    private static String[] runChild(boolean nativeAccess, List<String> props, int exit)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-exports", "java.base/jdk.internal.vm=ALL-UNNAMED"));
        if (nativeAccess) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
        }
        cmd.addAll(props);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Child.class.getName()));
        Process p = new ProcessBuilder(cmd).start();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            try {
                p.getErrorStream().transferTo(b);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return b.toByteArray();
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the child JVM did not finish");
        String stderr = new String(err.get(30, TimeUnit.SECONDS), StandardCharsets.UTF_8);
        assertEquals(exit, p.exitValue(), "child exit: " + stderr);
        if (exit == 0) {
            assertTrue(out.startsWith("ok "), out);
        }
        return new String[] {out, stderr};
    }

    @Test
    void aJvmWithPollensFlagsPrintsNoWarning() throws Exception {
        EpollTesting.requireEpoll();
        assertEquals("", runChild(true)[1], "the child JVM printed on stderr");
        if (Runtime.version().feature() >= 22) {
            String stderr = runChild(false)[1];
            assertTrue(stderr.contains("restricted method"),
                    "without the flag the JDK should warn, so the check above means something: "
                            + stderr);
        }
    }

    @Test
    void aBindingThisJvmCannotUseMakesEpollUnavailableAndSaysWhy() throws Exception {
        EpollTesting.requireEpoll();
        String stderr = runChild(true, List.of("-D" + NativeBinding.PROPERTY + "=panama"), 1)[1];
        assertTrue(stderr.contains("-Dpollen.native='panama' is not a native binding: use ffm "
                + "(JDK 22+) or jna, or leave it unset"), stderr);
    }
}
