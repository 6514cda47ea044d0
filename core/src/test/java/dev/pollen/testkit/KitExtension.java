package dev.pollen.testkit;

import java.lang.reflect.Method;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Disables the tests the selected backend lists in {@link KitBackend#skips()}, each with
 * "skipped on NAME: REASON" in the report. Tests are disabled one by one, not their class, so a
 * skipped contract shows as its N skipped tests rather than as nothing.
 *
 * <p><b>Threading:</b> JUnit's test thread.
 */
public final class KitExtension implements ExecutionCondition {

    /** Made by JUnit ({@code @ExtendWith} on {@link BackendFixture}). */
    public KitExtension() {
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getTestMethod().isEmpty() || context.getTestClass().isEmpty()) {
            return ConditionEvaluationResult.enabled("not a test method");
        }
        Class<?> contract = contractOf(context.getTestClass().get());
        String backend = Kit.backendName();
        if (backend == null) {
            // Selected by name (-Dtest=StreamContract) in a module's default test run: the kit's
            // own executions run it, on their backends.
            return contract == context.getTestClass().get()
                    ? ConditionEvaluationResult.disabled("a kit contract runs on a backend: -D"
                            + Kit.PROPERTY + "=NAME, as the kit's surefire executions set it")
                    : ConditionEvaluationResult.enabled("a subclass with its own poller");
        }
        Method m = context.getTestMethod().get();
        Skip s = contract == null ? null : Kit.skipOf(contract, m.getName());
        return s == null ? ConditionEvaluationResult.enabled("runs on " + backend)
                : ConditionEvaluationResult.disabled("skipped on " + backend + ": " + s.reason());
    }

    /**
     * The kit contract a test class is or extends.
     *
     * @param c a test class
     * @return the contract, or null
     */
    static Class<?> contractOf(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            if (KitCheck.isContractName(k)) {
                return k;
            }
        }
        return null;
    }
}
