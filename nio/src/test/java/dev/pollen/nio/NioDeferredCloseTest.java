package dev.pollen.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.Poller;
import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Closing registered sockets ({@link NioPoller#afterRegisteredClose(boolean)}): the JDK finishes
 * such a close only in a select, and a select returns every ready key, so a wave of closes must
 * not run one select per close. A socket's close is finished by the next poll (the peer reads
 * end-of-stream at once all the same), or by one select per {@link NioPoller#CLOSE_BATCH}
 * closes; a listener's at once (its port: {@code NioPollerBehaviourTest}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NioDeferredCloseTest extends NioFixture {

    @Test
    void thePeerOfAClosedRegisteredSocketReadsEndOfStreamBeforeTheNextPoll() throws Exception {
        StreamSocket[] p = pair(listen());
        poller.register(p[1], Poller.READ, ops -> { });
        poller.poll(0);
        p[1].close();
        assertEquals(1, poller.closesDeferred(), "the close waits for the next select");
        assertEquals(-1, readWithin(p[0], ByteBuffer.allocate(8)),
                "the JDK shuts the output of a registered channel down when it is closed");
    }

    @Test
    void anAbortiveCloseIsFinishedByTheNextPoll() throws Exception {
        // Linger 0: no shutdown, the reset leaves with the real close(2), which the JDK does in
        // the select that deregisters the key.
        StreamSocket[] p = pair(listen());
        poller.register(p[1], Poller.READ, ops -> { });
        poller.poll(0);
        p[1].setOption(StandardSocketOptions.SO_LINGER, 0);
        p[1].close();
        assertEquals(0, p[0].read(ByteBuffer.allocate(8)), "not closed before a select ran");
        poller.poll(0);
        assertEquals(0, poller.closesDeferred());
        assertThrows(IOException.class, () -> readWithin(p[0], ByteBuffer.allocate(8)),
                "the peer must see the reset once the poll has run");
    }

    @Test
    void aWaveOfClosesRunsOneSelectPerBatchNotOnePerClose() throws Exception {
        int n = NioPoller.CLOSE_BATCH + 2;
        StreamSocket[] accepted = new StreamSocket[n];
        var l = listen();
        for (int i = 0; i < n; i++) {
            StreamSocket[] p = pair(l);
            accepted[i] = p[1];
            poller.register(p[1], Poller.READ, ops -> { });
        }
        poller.poll(0);
        for (int i = 0; i < n; i++) {
            accepted[i].close();
            int expected = (i + 1) % NioPoller.CLOSE_BATCH;
            assertEquals(expected, poller.closesDeferred(),
                    "after close number " + (i + 1) + ": one select per " + NioPoller.CLOSE_BATCH);
        }
        poller.poll(0);
        assertEquals(0, poller.closesDeferred(), "a poll finishes the deferred closes");
    }

    /** Reads from a non-blocking socket until it returns something other than 0 (5 s at most). */
    private static int readWithin(StreamSocket s, ByteBuffer dst) throws IOException,
            InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int n;
        while ((n = s.read(dst)) == 0) {
            assertTrue(System.nanoTime() < deadline, "nothing arrived in 5 s");
            Thread.sleep(1);
        }
        return n;
    }
}
