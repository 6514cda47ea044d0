package dev.pollen.linux.uring;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.Poller;
import dev.pollen.testkit.EchoAllocation;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The loop thread allocates nothing per echoed message once warm.
 *
 * <p>On the {@code ffm} engine (Pollen's own ring): nothing at all, with the default one-shot
 * polls and with multishot READ polls alike (a request is written into the mapped submission
 * queue, a completion read from the mapped completion queue, nothing is wrapped).
 *
 * <p>On the {@code netty} engine only with multishot READ polls
 * ({@code -Dpollen.io_uring.multishot=true}): each one-shot poll of the default costs a Netty
 * {@code IoUringIoOps}. What is left with multishot polls is Netty's:
 * {@code IoUringIoHandler.run} makes a new method reference ({@code this::handle}, 16 bytes) for
 * each call, one per wait, which in this one-message ping-pong is at least one per message; the
 * test counts the runs and subtracts them.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IoUringAllocationTest {

    /** Bytes Netty 4.2.18's {@code IoUringIoHandler.run} allocates per call (its completion callback). */
    private static final long NETTY_PER_RUN = 16;

    @Test
    void anEchoOfSmallMessagesAllocatesNothingPerMessageOnTheLoopThread() throws Exception {
        echo(IoUringMultishotTest.pollerWithMultishot("true"), 1.0, "none");
    }

    /**
     * With receives ahead of the reader ({@code -Dpollen.io_uring.recv=ahead}) each message costs
     * one receive. On the ffm engine it is written into the mapped submission queue: nothing is
     * allocated. On the netty engine it is a new Netty {@code IoUringIoOps} (80 bytes on a 64-bit
     * JVM with compressed pointers), which the JIT usually removes (Netty copies it into the
     * submission at once: 0.01-0.03 bytes per message were measured), so the bound there is one
     * such object; nothing else of Pollen's may allocate per message.
     */
    @Test
    void withReceivesAheadNothingOfPollensIsAllocatedPerMessage() throws Exception {
        Poller poller = IoUringTesting.newPoller(IoUringPoller.RECV_PROPERTY, "ahead");
        if ("ffm".equals(((IoUringPoller) poller).engine())) {
            echo(poller, 1.0, "none");
        } else {
            echo(poller, 88.0, "at most one IoUringIoOps (80 bytes) per receive");
        }
    }

    @Test
    void theFfmEngineAllocatesNothingPerMessageWithOneShotPollsToo() throws Exception {
        Poller poller = IoUringMultishotTest.pollerWithMultishot("false");
        if (!"ffm".equals(((IoUringPoller) poller).engine())) {
            poller.close();
            org.junit.jupiter.api.Assumptions.assumeTrue(false,
                    "the netty engine allocates a Netty IoUringIoOps per one-shot poll (docs/pollers-io_uring.md)");
        }
        echo(poller, 1.0, "none");
    }

    /**
     * With sends through the ring ({@code -Dpollen.io_uring.send=ring}, ffm engine only) each
     * message is copied into the socket's native send buffer and sent by an
     * {@code IORING_OP_SEND} written into the mapped submission queue: nothing is allocated.
     */
    @Test
    void withSendsThroughTheRingNothingIsAllocatedPerMessage() throws Exception {
        Poller poller = IoUringTesting.newPoller(IoUringPoller.SEND_PROPERTY, "ring");
        if (!"ffm".equals(((IoUringPoller) poller).engine())) {
            poller.close();
            org.junit.jupiter.api.Assumptions.assumeTrue(false,
                    "sends through the ring are the ffm engine's only (the netty engine falls back to send(2))");
        }
        echo(poller, 1.0, "none");
    }

    /** Echoes small messages through {@code poller} (closed afterwards): fewer than {@code limit} bytes per message. */
    private static void echo(Poller poller, double limit, String expected) throws Exception {
        IoUringPoller uring = (IoUringPoller) poller;
        long nettyPerRun = "netty".equals(uring.engine()) ? NETTY_PER_RUN : 0;
        try {
            // what Netty allocates per run is Netty's; what is left is Pollen's
            EchoAllocation.Result r = EchoAllocation.bestPerMessage(poller, () -> nettyPerRun * uring.runs);
            assertTrue(r.perMessage() < limit, r.detail() + " on the " + uring.engine() + " engine, besides"
                    + " Netty's " + nettyPerRun + " per run; expected " + expected);
        } finally {
            poller.close();
        }
    }
}
