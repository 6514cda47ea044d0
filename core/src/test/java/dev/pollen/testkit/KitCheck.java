package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.platform.commons.annotation.Testable;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * The kit's own check, run with the contracts on every backend: every contract in
 * {@code dev.pollen.testkit} was selected for this run or is in the backend's skip list, and every
 * skip-list entry names a contract and a test that exist. A contract that a backend silently does
 * not run fails here, in CI, naming the contract and the backend.
 *
 * <p><b>Threading:</b> JUnit's test thread.
 */
class KitCheck {

    private static final String PACKAGE = KitCheck.class.getPackageName();

    /**
     * Whether a class is a kit contract: a {@link BackendFixture} in this package whose name
     * ends in "Contract".
     *
     * @param c a class
     * @return true for a contract
     */
    static boolean isContractName(Class<?> c) {
        return c.getPackageName().equals(PACKAGE) && c.getEnclosingClass() == null
                && c.getSimpleName().endsWith("Contract")
                && BackendFixture.class.isAssignableFrom(c);
    }

    /**
     * The kit's contracts, and classes that look like contracts but cannot run.
     *
     * @return every {@link BackendFixture} of this package, by name
     */
    static List<Class<?>> fixtures() {
        return ReflectionSupport.findAllClassesInPackage(PACKAGE,
                c -> BackendFixture.class.isAssignableFrom(c) && c.getEnclosingClass() == null,
                n -> true).stream().sorted(Comparator.comparing(Class::getName)).toList();
    }

    @Test
    void everyContractRunsOrIsListedAsSkippedOnThisBackend() {
        String backend = Kit.backendName();
        assumeTrue(backend != null, "KitCheck checks a kit run (-D" + Kit.PROPERTY
                + "=NAME, set by the kit's surefire executions; docs/extending.md)");
        Set<String> planned = KitPlanListener.planned();
        assertTrue(planned.contains(KitCheck.class.getName()),
                "the launcher listener did not record the test plan: " + planned);
        List<String> problems = new ArrayList<>();
        TreeMap<String, String> skipped = new TreeMap<>();
        int contracts = 0;
        int ran = 0;
        for (Class<?> c : fixtures()) {
            boolean isAbstract = Modifier.isAbstract(c.getModifiers());
            if (!isContractName(c)) {
                if (!isAbstract) {
                    problems.add(c.getSimpleName() + " is a concrete BackendFixture whose name does"
                            + " not end in \"Contract\": the kit does not run it; rename it");
                }
                continue;
            }
            contracts++;
            if (isAbstract) {
                problems.add(c.getSimpleName() + " is abstract, so the kit cannot run it: remove "
                        + "`abstract`, delete its per-backend subclasses, and list in each "
                        + "backend's KitBackend.skips() what that backend cannot run");
                continue;
            }
            Skip whole = Kit.skipOf(c, null);
            if (whole != null) {
                skipped.put(c.getSimpleName(), whole.reason());
            } else if (planned.contains(c.getName())) {
                ran++;
            } else {
                problems.add(c.getSimpleName() + " was not run on backend " + backend + " and is "
                        + "not in its skip list: the surefire execution must include "
                        + "dev/pollen/testkit/*Contract.java, or the backend must list it in "
                        + "skips() with the reason");
            }
        }
        List<Skip> skips = Kit.skips();
        for (Skip s : skips) {
            problems.addAll(stale(s));
        }
        long singleTests = skips.stream().filter(s -> s.test() != null).count();
        System.out.println("[kit] " + backend + ": " + contracts + " contracts, " + ran
                + " selected, " + skipped.size() + " skipped by its list"
                + (skipped.isEmpty() ? "" : " " + skipped.keySet())
                + ", " + singleTests + " single tests skipped");
        assertTrue(problems.isEmpty(), () -> "conformance kit on " + backend + ":\n  "
                + String.join("\n  ", problems));
    }

    private static List<String> stale(Skip s) {
        List<String> out = new ArrayList<>();
        Set<Class<?>> named = s.contract() == null ? s.except() : Set.of(s.contract());
        for (Class<?> c : named) {
            if (!isContractName(c)) {
                out.add("skip list names " + c.getName() + ", which is not a kit contract");
            }
        }
        if (s.test() != null && isContractName(s.contract())) {
            List<Method> tests = ReflectionSupport.findMethods(s.contract(),
                    m -> AnnotationSupport.isAnnotated(m, Testable.class),
                    org.junit.platform.commons.support.HierarchyTraversalMode.TOP_DOWN);
            if (tests.stream().noneMatch(m -> m.getName().equals(s.test()))) {
                out.add("skip list names " + s.contract().getSimpleName() + "#" + s.test()
                        + ", which is not one of its tests: "
                        + tests.stream().map(Method::getName).sorted()
                                .collect(Collectors.joining(", ")));
            }
        }
        return out;
    }
}
