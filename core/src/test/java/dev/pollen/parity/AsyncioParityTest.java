package dev.pollen.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Side by side with asyncio 3.13: runs the asyncio programs of
 * {@code src/test/resources/parity/asyncio_cases.py} with CPython 3.13 and their Java twins
 * ({@link ParityCases}) with Pollen, and compares the printed traces case by case. A case that
 * differs is a bug, unless it is a deliberate deviation, which belongs in the table of
 * {@code docs/asyncio.md} and then not in these cases.
 *
 * <p>CPython 3.13 is looked up as {@code -Dpollen.python313=/path}, {@code POLLEN_PYTHON313},
 * {@code python3.13} on the {@code PATH}, then pyenv's {@code ~/.pyenv/versions/3.13.*}; without
 * it the cases are skipped with that reason.
 *
 * <p><b>Threading:</b> JUnit's test thread runs the Python process and the loops.
 */
class AsyncioParityTest {

    @TestFactory
    Stream<DynamicTest> everyCaseTracesAsAsyncio313Does() throws Exception {
        String python = findPython313();
        Assumptions.assumeTrue(python != null, "CPython 3.13 not found (tried -Dpollen.python313, "
                + "POLLEN_PYTHON313, python3.13 on the PATH, ~/.pyenv/versions/3.13.*): the "
                + "asyncio side of the parity check cannot run");
        Map<String, List<String>> expected = runPython(python);
        ParityCases java = new ParityCases();
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(java.cases().keySet()),
                "the two sides must have the same cases in the same order");
        return expected.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () ->
                assertEquals(String.join("\n", e.getValue()),
                        String.join("\n", java.run(e.getKey())),
                        "trace of case " + e.getKey() + " (expected: CPython 3.13's)")));
    }

    private static Map<String, List<String>> runPython(String python)
            throws IOException, InterruptedException, URISyntaxException {
        URL script = AsyncioParityTest.class.getResource("/parity/asyncio_cases.py");
        assertTrue(script != null, "parity/asyncio_cases.py is not on the test class path");
        Process p = new ProcessBuilder(python, Path.of(script.toURI()).toString())
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the Python side did not end in 60 s");
        assertEquals(0, p.exitValue(), "the Python side failed:\n" + output);
        Map<String, List<String>> cases = new LinkedHashMap<>();
        List<String> current = null;
        for (String line : output.split("\n", -1)) {
            if (line.startsWith("== ")) {
                current = new ArrayList<>();
                cases.put(line.substring(3), current);
            } else if (current != null && !line.isEmpty()) {
                current.add(line);
            }
        }
        assertTrue(!cases.isEmpty(), "the Python side printed no case:\n" + output);
        return cases;
    }

    /** The path of a CPython 3.13 interpreter, or null. */
    static String findPython313() {
        List<String> candidates = new ArrayList<>();
        String prop = System.getProperty("pollen.python313");
        if (prop != null && !prop.isBlank()) {
            candidates.add(prop);
        }
        String env = System.getenv("POLLEN_PYTHON313");
        if (env != null && !env.isBlank()) {
            candidates.add(env);
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                candidates.add(Path.of(dir, "python3.13").toString());
            }
        }
        Path pyenv = Path.of(System.getProperty("user.home"), ".pyenv", "versions");
        if (Files.isDirectory(pyenv)) {
            try (Stream<Path> versions = Files.list(pyenv)) {
                versions.filter(v -> v.getFileName().toString().startsWith("3.13"))
                        .sorted().forEach(v -> candidates.add(v.resolve("bin/python3").toString()));
            } catch (IOException e) {
                // no pyenv versions to offer
            }
        }
        for (String c : candidates) {
            if (Files.isExecutable(Path.of(c)) && isPython313(c)) {
                return c;
            }
        }
        return null;
    }

    private static boolean isPython313(String python) {
        try {
            Process p = new ProcessBuilder(python, "-c",
                    "import sys; print(sys.version_info[:2] == (3, 13))")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0
                    && out.strip().equals("True");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
