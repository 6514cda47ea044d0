package dev.pollen.net;

/**
 * Reaches package-private state of the networking layer for the conformance kit (it lives in the
 * test jar, in this package).
 *
 * <p><b>Threading:</b> loop thread only.
 */
public final class NetTestHooks {

    private NetTestHooks() {
    }

    /**
     * Makes the next {@code n} accepts of the server's first listener fail as if the process were
     * out of file descriptors (EMFILE).
     *
     * @param server the server
     * @param n      how many accepts fail
     */
    public static void injectAcceptFailures(Server server, int n) {
        server.listeners().get(0).injectedFailures = n;
    }

    /**
     * How many times the server's first listener backed off.
     *
     * @param server the server
     * @return the back-off count
     */
    public static int acceptBackoffs(Server server) {
        return server.listeners().get(0).backoffs;
    }

    /**
     * The write-buffer chunks ever allocated by the loop of {@code transport}.
     *
     * @param transport a transport
     * @return the count
     */
    public static long chunksAllocated(Transport transport) {
        return NetLoopState.of(transport.loop()).pool.allocated();
    }
}
