package dev.pollen.spi;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Finds {@link PollerProvider}s with {@link ServiceLoader} and chooses one.
 *
 * <p>Selection: the name given to {@link #create(String)}, else the programmatic default set
 * with {@link #setDefault(String)}, else the system property {@value #PROPERTY}, else
 * {@code auto}. {@code auto} picks the available provider with the highest
 * {@link PollerProvider#priority()}. An unknown or unavailable name fails with a short message
 * that names every provider found and whether it is available (and, for an unavailable name, why).
 *
 * <p><b>Threading:</b> all methods are thread-safe.
 */
public final class Pollers {

    /** The system property that selects a poller: {@code auto} or a provider name. */
    public static final String PROPERTY = "pollen.poller";

    /** The name that means "the best available provider". */
    public static final String AUTO = "auto";

    private static volatile String programmaticDefault;
    private static volatile List<PollerProvider> cached;

    private Pollers() {
    }

    /**
     * Every provider found on the class path, sorted by descending priority, then name.
     *
     * @return the providers (an unmodifiable list)
     */
    public static List<PollerProvider> providers() {
        List<PollerProvider> list = cached;
        if (list == null) {
            synchronized (Pollers.class) {
                list = cached;
                if (list == null) {
                    list = load();
                    cached = list;
                }
            }
        }
        return list;
    }

    private static List<PollerProvider> load() {
        List<PollerProvider> found = new ArrayList<>();
        ClassLoader cl = Pollers.class.getClassLoader();
        ServiceLoader<PollerProvider> loader = ServiceLoader.load(PollerProvider.class, cl);
        var it = loader.iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                found.add(it.next());
            } catch (ServiceConfigurationError e) {
                // A broken provider must not hide the others; it is simply absent from the list.
                System.getLogger(Pollers.class.getName()).log(System.Logger.Level.WARNING,
                        "skipping a poller provider that failed to load: " + e.getMessage());
            }
        }
        found.sort(Comparator.comparingInt(PollerProvider::priority).reversed()
                .thenComparing(PollerProvider::name));
        return List.copyOf(found);
    }

    /**
     * Every provider with its availability and reason, in {@link #providers()} order.
     *
     * @return one entry per provider
     */
    public static List<PollerInfo> list() {
        List<PollerInfo> out = new ArrayList<>();
        for (PollerProvider p : providers()) {
            Availability a = safeAvailability(p);
            out.add(new PollerInfo(p.name(), a.available(), a.reason(), p.priority()));
        }
        return List.copyOf(out);
    }

    /**
     * Sets the name used when none is passed explicitly, overriding the system property.
     *
     * @param name a provider name, {@code auto}, or null to fall back to the system property
     */
    public static void setDefault(String name) {
        programmaticDefault = name;
    }

    /**
     * The name that {@link #create()} would use: the programmatic default, else the system
     * property, else {@code auto}.
     *
     * @return the configured name (possibly {@code auto})
     */
    public static String configuredName() {
        String n = programmaticDefault;
        if (n == null) {
            n = System.getProperty(PROPERTY, AUTO);
        }
        n = n.trim();
        return n.isEmpty() ? AUTO : n;
    }

    /**
     * Resolves a name to an available provider.
     *
     * @param name a provider name or {@code auto}
     * @return the provider
     * @throws IllegalArgumentException if the name is unknown or the provider unavailable; the
     *                                  message names every provider and whether it is available,
     *                                  and why the named one is not
     */
    public static PollerProvider select(String name) {
        Objects.requireNonNull(name, "poller name");
        String wanted = name.trim();
        List<PollerProvider> all = providers();
        if (wanted.isEmpty() || wanted.equalsIgnoreCase(AUTO)) {
            for (PollerProvider p : all) {
                if (safeAvailability(p).available()) {
                    return p;
                }
            }
            throw new IllegalArgumentException("no poller is available for '" + AUTO + "'. "
                    + describe());
        }
        for (PollerProvider p : all) {
            if (p.name().equalsIgnoreCase(wanted)) {
                Availability a = safeAvailability(p);
                if (a.available()) {
                    return p;
                }
                throw new IllegalArgumentException("poller '" + wanted + "' is not available here: "
                        + a.reason() + ". " + describe());
            }
        }
        throw new IllegalArgumentException("unknown poller '" + wanted + "' (from -D" + PROPERTY
                + ", Pollers.setDefault or the loop builder). " + describe());
    }

    /**
     * The provider {@link #create()} would use.
     *
     * @return the selected provider
     * @throws IllegalArgumentException as {@link #select(String)}
     */
    public static PollerProvider selectDefault() {
        return select(configuredName());
    }

    /**
     * Creates a poller from the configured provider.
     *
     * @return a new poller
     * @throws IllegalArgumentException as {@link #select(String)}
     */
    public static Poller create() {
        return selectDefault().create();
    }

    /**
     * Creates a poller from the named provider.
     *
     * @param name a provider name or {@code auto}
     * @return a new poller
     * @throws IllegalArgumentException as {@link #select(String)}
     */
    public static Poller create(String name) {
        return select(name).create();
    }

    private static Availability safeAvailability(PollerProvider p) {
        try {
            Availability a = p.availability();
            return a != null ? a : Availability.unavailable("provider returned no availability");
        } catch (RuntimeException | LinkageError e) {
            return Availability.unavailable("availability probe failed: " + e);
        }
    }

    /**
     * The providers found, in one short line: those available here first, in
     * {@link #providers()} order, then the others, e.g.
     * {@code netty-epoll, epoll, nio (available); kqueue (not available)} — for error messages
     * that must stay readable; {@link #list()} has each one's reason.
     *
     * @return the line, or {@code "none"} when no provider is on the class path
     */
    public static String summary() {
        List<String> yes = new ArrayList<>();
        List<String> no = new ArrayList<>();
        for (PollerInfo p : list()) {
            (p.available() ? yes : no).add(p.name());
        }
        if (yes.isEmpty() && no.isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        if (!yes.isEmpty()) {
            sb.append(String.join(", ", yes)).append(" (available)");
        }
        if (!no.isEmpty()) {
            sb.append(yes.isEmpty() ? "" : "; ").append(String.join(", ", no))
                    .append(" (not available)");
        }
        return sb.toString();
    }

    private static String describe() {
        if (providers().isEmpty()) {
            return "No poller provider was found on the class path: add pollen-nio "
                    + "(portable) or a native backend (pollen-epoll, pollen-netty-epoll, pollen-kqueue).";
        }
        return "Pollers found: " + summary() + ". Choose one with -D" + PROPERTY + "=NAME, or "
                + AUTO + " for the best available; Pollers.list() says why one is not available.";
    }
}
