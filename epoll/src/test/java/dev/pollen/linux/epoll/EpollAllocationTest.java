package dev.pollen.linux.epoll;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.posix.NativeBinding;
import dev.pollen.testkit.EchoAllocation;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The loop thread allocates nothing per echoed message once warm, in either native binding: the
 * event array, the buffers and the errno capture are reused, and every downcall takes addresses
 * as {@code long}s. This module's tests run twice (ffm by default on JDK 22+, JNA in
 * {@code test-jna}), so both bindings are held to it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EpollAllocationTest {

    @Test
    void anEchoOfSmallMessagesAllocatesNothingPerMessageOnTheLoopThread() throws Exception {
        try (EpollPoller poller = EpollTesting.newPoller()) {
            EchoAllocation.Result r = EchoAllocation.bestPerMessage(poller, () -> 0);
            System.out.println(r.detail() + " (" + NativeBinding.kind() + ")");
            assertTrue(r.perMessage() < 1.0, r.detail() + " with the " + NativeBinding.kind()
                    + " binding; expected none");
        }
    }
}
