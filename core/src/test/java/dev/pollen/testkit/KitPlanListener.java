package dev.pollen.testkit;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Remembers which test classes the launcher was given, so that {@link KitCheck} can tell a
 * contract that surefire never selected from one that ran. Registered through
 * {@code META-INF/services/org.junit.platform.launcher.TestExecutionListener}; it only records.
 *
 * <p><b>Threading:</b> the launcher's thread; the set is read from the test thread.
 */
public final class KitPlanListener implements TestExecutionListener {

    private static final Set<String> PLANNED = ConcurrentHashMap.newKeySet();

    /** Made by the JUnit launcher. */
    public KitPlanListener() {
    }

    @Override
    public void testPlanExecutionStarted(TestPlan plan) {
        for (TestIdentifier root : plan.getRoots()) {
            for (TestIdentifier t : plan.getDescendants(root)) {
                t.getSource().filter(ClassSource.class::isInstance)
                        .map(s -> ((ClassSource) s).getClassName())
                        .ifPresent(PLANNED::add);
            }
        }
    }

    /**
     * The names of the test classes in every test plan of this JVM so far.
     *
     * @return class names
     */
    static Set<String> planned() {
        return Set.copyOf(PLANNED);
    }
}
