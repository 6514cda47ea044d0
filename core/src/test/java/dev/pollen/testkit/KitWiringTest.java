package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Checks the repository's wiring of the conformance kit, from core's ordinary test run: every
 * module that registers {@link KitBackend}s runs the kit for each of them (a surefire execution
 * setting {@code pollen.kit.backend}), and no module subclasses a kit contract the old way
 * (such a subclass runs on one backend only, and the kit already runs the contract everywhere).
 * {@link KitCheck} covers what happens inside a kit run; this covers a module that has none.
 *
 * <p><b>Threading:</b> JUnit's test thread.
 */
class KitWiringTest {

    private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");
    private static final Pattern KIT_EXECUTION =
            Pattern.compile("<pollen\\.kit\\.backend>([^<]+)</pollen\\.kit\\.backend>");
    private static final Pattern EXTENDS =
            Pattern.compile("\\bextends\\s+(?:[\\w.]+\\.)?(\\w+Contract)\\b");
    private static final String SERVICES =
            "src/test/resources/META-INF/services/" + KitBackend.class.getName();

    private static Path repoRoot() {
        String root = System.getProperty("pollen.repo.root");
        Path p = (root != null ? Path.of(root) : Path.of("..")).toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(p.resolve("pom.xml"))
                && Files.isDirectory(p.resolve("core")),
                () -> "cannot find the repository root at " + p
                        + "; run through Maven, which sets -Dpollen.repo.root");
        return p;
    }

    @Test
    void everyRegisteredBackendRunsTheKitAndNoModuleSubclassesAContract() throws IOException {
        Path root = repoRoot();
        Set<String> contracts = KitCheck.fixtures().stream().filter(KitCheck::isContractName)
                .map(Class::getSimpleName).collect(Collectors.toSet());
        assertTrue(contracts.size() > 10, "found the kit's contracts: " + contracts);
        List<String> problems = new ArrayList<>();
        Matcher modules = MODULE.matcher(Files.readString(root.resolve("pom.xml")));
        int seen = 0;
        while (modules.find()) {
            Path module = root.resolve(modules.group(1).trim());
            seen++;
            String pom = Files.readString(module.resolve("pom.xml"));
            List<String> runs = KIT_EXECUTION.matcher(pom).results().map(r -> r.group(1)).toList();
            Path services = module.resolve(SERVICES);
            if (Files.isRegularFile(services)) {
                List<String> registered = Files.readAllLines(services).stream().map(String::trim)
                        .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
                if (runs.size() < registered.size()) {
                    problems.add(module.getFileName() + " registers " + registered + " but its "
                            + "pom.xml runs the kit only for " + runs + ": add a kit-NAME "
                            + "surefire execution per backend (docs/extending.md)");
                }
            }
            Path tests = module.resolve("src/test/java");
            if (!Files.isDirectory(tests)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(tests)) {
                for (Path f : files.filter(x -> x.toString().endsWith(".java")).toList()) {
                    Matcher m = EXTENDS.matcher(Files.readString(f));
                    while (m.find()) {
                        if (contracts.contains(m.group(1))) {
                            problems.add(root.relativize(f) + " extends " + m.group(1) + ": the "
                                    + "kit runs every contract on every backend; delete the "
                                    + "subclass and put what it overrides in the backend's "
                                    + "KitBackend (docs/extending.md)");
                        }
                    }
                }
            }
        }
        assertTrue(seen > 3, "found the modules of " + root.resolve("pom.xml"));
        assertTrue(problems.isEmpty(), () -> String.join("\n", problems));
    }
}
