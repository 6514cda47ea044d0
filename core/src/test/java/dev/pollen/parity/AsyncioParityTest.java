package dev.pollen.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pollen.testkit.Python313;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    private static Map<String, List<String>> runPython(String python) throws IOException {
        return Python313.runCases(python, "/parity/asyncio_cases.py");
    }

    /** The path of a CPython 3.13 interpreter, or null. */
    static String findPython313() {
        return Python313.find();
    }
}
