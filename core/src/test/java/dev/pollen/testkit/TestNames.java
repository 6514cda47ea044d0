package dev.pollen.testkit;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The tests' own names: a {@link InetAddressResolverProvider} (the JDK's resolver hook, installed
 * for the test JVMs by {@code META-INF/services} in core's test jar) that answers for the host
 * names tests {@linkplain #register register} — all under {@value #SUFFIX}, with the addresses
 * and the order the test chose (say a blackholed address first and 127.0.0.1 second) — and hands
 * every other name to the JDK's built-in resolver. Pollen's resolver code runs unchanged over it
 * ({@code InetAddress.getAllByName} on the loop's executor), and no look-up of a test name leaves
 * the machine.
 *
 * <p>Names are unique per registration because the JDK caches successful look-ups.
 *
 * <p><b>Threading:</b> thread-safe; look-ups come from any thread (the loops' executors).
 */
public final class TestNames extends InetAddressResolverProvider {

    /** The domain of registered names (".test" is reserved for testing, RFC 6761). */
    public static final String SUFFIX = ".pollen.test";

    private static final AtomicLong IDS = new AtomicLong();
    private static final Map<String, List<InetAddress>> NAMES = new ConcurrentHashMap<>();
    private static final Map<InetAddress, String> REVERSE = new ConcurrentHashMap<>();
    private static final Set<InetAddress> NAMELESS = ConcurrentHashMap.newKeySet();
    /** The threads that looked registered names up, most recent last. */
    private static final List<String> LOOKUP_THREADS = new CopyOnWriteArrayList<>();

    /**
     * Registers a new name that resolves to {@code addresses}, in that order.
     *
     * @param label     a readable part of the name
     * @param addresses its addresses (literals, looked up by nobody)
     * @return the name, e.g. {@code he-3.pollen.test}
     */
    public static String register(String label, InetAddress... addresses) {
        String name = label + "-" + IDS.incrementAndGet() + SUFFIX;
        NAMES.put(name, List.of(addresses));
        return name;
    }

    /**
     * Registers {@code address}'s reverse name (and the name's forward look-up, which the JDK
     * checks before it trusts a reverse answer).
     *
     * @param label   a readable part of the name
     * @param address the address
     * @return the name
     */
    public static String registerReverse(String label, InetAddress address) {
        String name = register(label, address);
        REVERSE.put(address, name);
        return name;
    }

    /**
     * Makes reverse look-ups of {@code address} find no name (without asking anyone).
     *
     * @param address the address
     */
    public static void registerNameless(InetAddress address) {
        NAMELESS.add(address);
    }

    /**
     * The threads that looked up registered names so far.
     *
     * @return a snapshot
     */
    public static List<String> lookupThreads() {
        return List.copyOf(LOOKUP_THREADS);
    }

    /**
     * An address from its literal.
     *
     * @param literal an IPv4 or IPv6 literal
     * @return the address
     */
    public static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    /** Called by the JDK through {@code ServiceLoader}. */
    public TestNames() {
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy)
                    throws UnknownHostException {
                List<InetAddress> mine = NAMES.get(host);
                if (mine == null) {
                    if (host.endsWith(SUFFIX)) {
                        throw new UnknownHostException(host + ": not a registered test name");
                    }
                    return builtin.lookupByName(host, policy);
                }
                LOOKUP_THREADS.add(Thread.currentThread().getName());
                int c = policy.characteristics();
                boolean v4 = (c & LookupPolicy.IPV4) != 0;
                boolean v6 = (c & LookupPolicy.IPV6) != 0;
                List<InetAddress> kept = mine.stream()
                        .filter(a -> a instanceof Inet4Address ? v4 : a instanceof Inet6Address && v6)
                        .toList();
                if (kept.isEmpty()) {
                    throw new UnknownHostException(host + ": no address of the family asked for");
                }
                return kept.stream();
            }

            @Override
            public String lookupByAddress(byte[] addr) throws UnknownHostException {
                InetAddress a = InetAddress.getByAddress(addr);
                String name = REVERSE.get(a);
                if (name != null) {
                    LOOKUP_THREADS.add(Thread.currentThread().getName());
                    return name;
                }
                if (NAMELESS.contains(a)) {
                    LOOKUP_THREADS.add(Thread.currentThread().getName());
                    throw new UnknownHostException(a.getHostAddress() + " has no name");
                }
                return builtin.lookupByAddress(addr);
            }
        };
    }

    @Override
    public String name() {
        return "pollen-test-names";
    }
}
