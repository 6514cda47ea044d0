package dev.pollen.group;

import dev.pollen.loop.ExceptionContext;
import dev.pollen.testkit.ParkingPoller;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Groups on the socket-less {@link ParkingPoller}, with daemon threads (a failed test never keeps
 * the JVM alive) and the loops' errors collected instead of logged.
 *
 * <p><b>Threading:</b> any thread.
 */
final class ParkingGroups {

    final List<ExceptionContext> errors = new CopyOnWriteArrayList<>();

    LoopGroup.Builder builder(int loops) {
        return LoopGroup.builder().loops(loops).poller(ParkingPoller::new).daemon(true)
                .exceptionHandler((loop, ctx) -> errors.add(ctx));
    }

    LoopGroup group(int loops) {
        return builder(loops).build();
    }
}
