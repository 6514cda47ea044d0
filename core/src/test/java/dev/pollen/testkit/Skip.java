package dev.pollen.testkit;

import java.util.Objects;
import java.util.Set;

/**
 * One entry of a backend's skip list ({@link KitBackend#skips()}): a whole contract, one test of
 * it, or every contract but some, and why. {@link KitCheck} fails the run when an entry names a
 * class that is not a kit contract or a test the contract does not have, so the list cannot go
 * stale silently.
 *
 * <p><b>Threading:</b> immutable; any thread.
 *
 * @param contract the contract skipped (or, for {@link #allContractsBut}, null)
 * @param test     the test method's name, or null for every test of the contract
 * @param except   for {@link #allContractsBut}, the contracts that do run; otherwise empty
 * @param reason   why, in a sentence a reader of the test report understands
 */
public record Skip(Class<?> contract, String test, Set<Class<?>> except, String reason) {

    /**
     * Checks the entry.
     */
    public Skip {
        Objects.requireNonNull(reason, "a skip needs its reason");
        except = Set.copyOf(except);
        if (reason.isBlank()) {
            throw new IllegalArgumentException("a skip needs its reason");
        }
        if ((contract == null) == except.isEmpty()) {
            throw new IllegalArgumentException("name a contract, or the contracts that still run");
        }
    }

    /**
     * Skips every test of a contract.
     *
     * @param contract the contract
     * @param reason   why
     * @return the entry
     */
    public static Skip contract(Class<?> contract, String reason) {
        return new Skip(Objects.requireNonNull(contract), null, Set.of(), reason);
    }

    /**
     * Skips one test of a contract (every invocation, for a parameterised or factory test).
     *
     * @param contract the contract
     * @param test     the test method's name
     * @param reason   why
     * @return the entry
     */
    public static Skip test(Class<?> contract, String test, String reason) {
        return new Skip(Objects.requireNonNull(contract), Objects.requireNonNull(test), Set.of(),
                reason);
    }

    /**
     * Skips every contract except the ones named, including contracts added to the kit later:
     * for a backend that only varies what those contracts test (a TLS engine, say).
     *
     * @param reason why
     * @param runs   the contracts that do run
     * @return the entry
     */
    public static Skip allContractsBut(String reason, Class<?>... runs) {
        return new Skip(null, null, Set.of(runs), reason);
    }

    /**
     * Whether this entry skips the given test.
     *
     * @param c    the contract
     * @param name the test method's name, or null to ask about the whole contract
     * @return true if skipped
     */
    boolean skips(Class<?> c, String name) {
        if (contract == null) {
            return !except.contains(c);
        }
        return contract == c && (test == null || test.equals(name));
    }
}
