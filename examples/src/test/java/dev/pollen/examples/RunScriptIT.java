package dev.pollen.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./run tour}, the README's first command, as a user meets it: it says at once that it is
 * building (the build is otherwise ~30 s of silence), keeps Maven's stray colour resets out of
 * the output, and shows the build's output (colours removed) only when the build fails. Maven
 * itself is replaced by a stand-in on the PATH that behaves as {@code mvn -q} does here (prints
 * bare {@code ESC[0m} resets; on failure, coloured error lines), so the test builds nothing and
 * touches no jar; the real examples jar then runs {@code tour --help}.
 */
class RunScriptIT {

    private static final String ESC = "\u001b";

    static Path repoRoot() {
        String root = System.getProperty("pollen.repo.root");
        Path p = root != null ? Path.of(root) : Path.of("..");
        return p.toAbsolutePath().normalize();
    }

    private record Ran(int status, String stdout, String stderr) {
        String describe() {
            return "exit " + status + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr;
        }
    }

    private static Ran runTour(Path stubDir, String mvnScript) throws Exception {
        Path mvn = stubDir.resolve("mvn");
        Files.writeString(mvn, mvnScript, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
        ProcessBuilder pb = new ProcessBuilder(repoRoot().resolve("run").toString(), "tour", "--help");
        Map<String, String> env = pb.environment();
        env.put("PATH", stubDir + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.remove("JAVA_TOOL_OPTIONS");
        env.remove("JDK_JAVA_OPTIONS");
        Path out = stubDir.resolve("out");
        Path err = stubDir.resolve("err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("./run tour --help did not finish in 60 s");
        }
        return new Ran(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void tourSaysItIsBuildingAndPrintsNoColourCodes(@TempDir Path stubs) throws Exception {
        Ran r = runTour(stubs, "#!/bin/sh\nprintf '\\033[0m\\033[0m'\nexit 0\n");
        assertEquals(0, r.status(), r.describe());
        List<String> err = r.stderr().lines().toList();
        assertEquals(List.of("run: building the examples jar (mvn package -pl examples -am; about 30 s "
                + "the first time)..."), err, r.describe());
        assertTrue(r.stdout().contains("Usage: pollen-examples tour"), "then the jar runs\n" + r.describe());
        assertFalse(r.stdout().contains(ESC) || r.stderr().contains(ESC), "no colour codes\n" + r.describe());
    }

    @Test
    void aFailedBuildShowsMavensOutputWithoutColoursAndExits1(@TempDir Path stubs) throws Exception {
        Ran r = runTour(stubs, "#!/bin/sh\nprintf '\\033[1;31m[ERROR]\\033[m COMPILATION ERROR\\n'\nexit 1\n");
        assertEquals(1, r.status(), r.describe());
        assertTrue(r.stderr().contains("[ERROR] COMPILATION ERROR\n"), r.describe());
        assertTrue(r.stderr().contains("run: the build failed (above)"), r.describe());
        assertFalse(r.stderr().contains(ESC), "colours removed\n" + r.describe());
        assertEquals("", r.stdout(), "the tour did not start\n" + r.describe());
    }
}
