package dev.pollen.testkit;

import dev.pollen.spi.Poller;
import java.util.List;

/**
 * Core's own backend for the kit: the socket-less {@link ParkingPoller}. It runs the contracts
 * about loops, futures, tasks and the async toolkit; everything that needs sockets is skipped
 * (the networking contracts run on every real poller).
 *
 * <p><b>Threading:</b> JUnit's test thread.
 */
public final class ParkingKit implements KitBackend {

    private static final String NO_SOCKETS = "the parking poller has no sockets";

    /** Made by the kit, once per test. */
    public ParkingKit() {
    }

    @Override
    public String name() {
        return "parking";
    }

    @Override
    public Poller newPoller() {
        return new ParkingPoller();
    }

    @Override
    public List<Skip> skips() {
        return List.of(
                Skip.contract(BadInputContract.class, NO_SOCKETS),
                Skip.contract(ConnectContract.class, NO_SOCKETS),
                Skip.contract(DatagramContract.class, NO_SOCKETS),
                Skip.contract(FaultsContract.class, NO_SOCKETS),
                Skip.contract(LimitsContract.class, NO_SOCKETS),
                Skip.contract(LoopGroupContract.class, NO_SOCKETS
                        + " (core's LoopGroupTest covers the group on it)"),
                Skip.contract(PipeContract.class, NO_SOCKETS),
                Skip.contract(PollerContract.class, NO_SOCKETS),
                Skip.contract(RawSocketContract.class, NO_SOCKETS),
                Skip.contract(ProxyContract.class, NO_SOCKETS),
                Skip.contract(SendfileContract.class, NO_SOCKETS),
                Skip.contract(SpliceContract.class, NO_SOCKETS),
                Skip.contract(StreamContract.class, NO_SOCKETS),
                SubprocessContract.skipOnTheJdkFallback(),
                Skip.contract(TlsContract.class, NO_SOCKETS),
                Skip.contract(TransportContract.class, NO_SOCKETS),
                Skip.test(EagerTaskContract.class, "streamsWorkOnAnEagerLoop", NO_SOCKETS),
                Skip.test(LoopContract.class, "addReaderAndAddWriterWatchASource", NO_SOCKETS),
                Skip.test(ShutdownContract.class,
                        "cancellingServeForeverClosesTheServerAndPropagates", NO_SOCKETS),
                Skip.test(ShutdownContract.class,
                        "closingTheServerEndsServeForeverOnceItsConnectionsAreGone", NO_SOCKETS),
                Skip.test(ShutdownContract.class,
                        "serveForeverTwiceOrOnAClosedServerIsRefused", NO_SOCKETS),
                Skip.test(ShutdownContract.class,
                        "aSignalHandlerCancellingTheMainTaskStopsAServerProgram", NO_SOCKETS));
    }
}
