package dev.pollen.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Without {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED} the JVM does not let Pollen
 * reach {@code Continuation}: callbacks must keep working and {@code createTask} must fail with a
 * message naming the flag and the manifest attribute. Checked in a child JVM started with the
 * same {@code java} binary and class path, without the flag.
 */
class ContinuationFlagTest {

    @Test
    void withoutTheFlagCallbacksWorkAndCreateTaskNamesTheFix() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                "-Djava.util.logging.config.file="
                        + System.getProperty("java.util.logging.config.file", ""),
                NoFlagMain.class.getName()))
                .redirectErrorStream(true)
                .start();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        p.getInputStream().transferTo(buf);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("callbacks work"), out);
        assertTrue(out.contains("createTask failed"), out);
        assertTrue(out.contains("--add-exports java.base/jdk.internal.vm=ALL-UNNAMED"), out);
        assertTrue(out.contains("Add-Exports: java.base/jdk.internal.vm"), out);
    }

    @Test
    void thisJvmHasTheFlag() {
        assertEquals(null, Coroutine.unavailableReason(),
                "the test JVM runs with the flag (surefire's argLine)");
    }
}
