package dev.pollen.linux.netty;

import dev.pollen.spi.Poller;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A netty-epoll poller for each test (skipped with the reason where Netty's epoll cannot load),
 * and the sockets the test keeps, closed after it in reverse order, then the poller.
 */
abstract class NettyLiveSockets {

    Poller poller;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void openPoller() {
        poller = NettyEpollTesting.newPoller();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        poller.close();
    }

    /** Closes {@code t} after the test; returns it. */
    <T extends AutoCloseable> T keep(T t) {
        open.add(t);
        return t;
    }
}
