package dev.pollen.testkit;

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

/**
 * The asyncio side of the side-by-side parity checks: finds CPython 3.13 and runs a script of
 * cases on it. A script prints {@code == name} before each case's trace (see
 * {@code parity/asyncio_cases.py}). Used by core's {@code AsyncioParityTest} (the loop and the
 * toolkit, on virtual time) and by {@link RawSocketContract} (sockets, on every backend).
 *
 * <p>CPython 3.13 is looked up as {@code -Dpollen.python313=/path}, {@code POLLEN_PYTHON313},
 * {@code python3.13} on the {@code PATH}, then pyenv's {@code ~/.pyenv/versions/3.13.*}.
 *
 * <p><b>Threading:</b> stateless; any thread.
 */
public final class Python313 {

    /** Why a check skips where there is no interpreter. */
    public static final String MISSING = "CPython 3.13 not found (tried -Dpollen.python313, "
            + "POLLEN_PYTHON313, python3.13 on the PATH, ~/.pyenv/versions/3.13.*): the "
            + "asyncio side of the parity check cannot run";

    private Python313() {
    }

    /**
     * Runs a script of cases from the test class path and splits its output by case.
     *
     * @param python   the interpreter
     * @param resource the script, e.g. {@code /parity/asyncio_cases.py}
     * @param args     arguments for the script
     * @return each case's trace lines, in the order printed
     * @throws IOException if the process cannot be run
     */
    public static Map<String, List<String>> runCases(String python, String resource,
            String... args) throws IOException {
        URL script = Python313.class.getResource(resource);
        assertTrue(script != null, resource + " is not on the test class path");
        List<String> command = new ArrayList<>();
        command.add(python);
        try {
            command.add(Path.of(script.toURI()).toString());
        } catch (URISyntaxException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            // inside a jar: copy it out
            Path copy = Files.createTempFile("pollen-parity", ".py");
            copy.toFile().deleteOnExit();
            try (var in = script.openStream()) {
                Files.write(copy, in.readAllBytes());
            }
            command.add(copy.toString());
        }
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the Python side did not end in 60 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for the Python side", e);
        }
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

    /**
     * The path of a CPython 3.13 interpreter.
     *
     * @return the path, or null where there is none
     */
    public static String find() {
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
