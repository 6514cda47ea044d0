package dev.pollen.testkit;

import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the backend the kit runs on: {@code -Dpollen.kit.backend=NAME} names a {@link KitBackend}
 * registered with {@link ServiceLoader} on the test class path.
 *
 * <p><b>Threading:</b> any thread.
 */
public final class Kit {

    /** The system property naming the backend. */
    public static final String PROPERTY = "pollen.kit.backend";

    private static final Map<String, ServiceLoader.Provider<KitBackend>> PROVIDERS =
            new ConcurrentHashMap<>();
    private static final Map<String, List<Skip>> SKIPS = new ConcurrentHashMap<>();

    private Kit() {
    }

    /**
     * The selected backend's name.
     *
     * @return the value of {@value #PROPERTY}, or null when the kit is not running
     */
    public static String backendName() {
        String n = System.getProperty(PROPERTY);
        return n == null || n.isBlank() ? null : n.trim();
    }

    /**
     * A new instance of the selected backend.
     *
     * @return the backend, or null when {@value #PROPERTY} is not set
     * @throws IllegalStateException when no registered backend has that name
     */
    public static KitBackend newBackend() {
        String name = backendName();
        return name == null ? null : PROVIDERS.computeIfAbsent(name, Kit::find).get();
    }

    /**
     * The selected backend's skip list (read once per run).
     *
     * @return the skips, empty when the kit is not running
     */
    static List<Skip> skips() {
        String name = backendName();
        return name == null ? List.of() : SKIPS.computeIfAbsent(name, n -> newBackend().skips());
    }

    /**
     * The entry that skips a test or contract on the selected backend.
     *
     * @param contract the contract
     * @param test     the test method's name, or null for the contract as a whole
     * @return the first matching entry, or null if it runs
     */
    static Skip skipOf(Class<?> contract, String test) {
        for (Skip s : skips()) {
            if (s.skips(contract, test) && (test != null || s.test() == null)) {
                return s;
            }
        }
        return null;
    }

    private static ServiceLoader.Provider<KitBackend> find(String name) {
        List<ServiceLoader.Provider<KitBackend>> all =
                ServiceLoader.load(KitBackend.class).stream().toList();
        for (ServiceLoader.Provider<KitBackend> p : all) {
            if (p.get().name().equals(name)) {
                return p;
            }
        }
        throw new IllegalStateException("-D" + PROPERTY + "=" + name + ": no such backend on the "
                + "test class path; registered: " + all.stream().map(p -> p.get().name()).toList()
                + ". A backend module lists its KitBackend class in src/test/resources/"
                + "META-INF/services/dev.pollen.testkit.KitBackend (docs/extending.md).");
    }
}
