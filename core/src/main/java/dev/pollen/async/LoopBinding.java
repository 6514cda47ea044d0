package dev.pollen.async;

import dev.pollen.loop.EventLoop;

/**
 * Binds a synchronisation primitive to the loop that first uses it (asyncio's
 * {@code _LoopBoundMixin}): such primitives are not thread-safe and must not be shared between
 * loops.
 */
final class LoopBinding {

    private EventLoop loop;

    /** The bound loop, binding it to the running loop on first use. */
    EventLoop loop(Object owner) {
        EventLoop running = EventLoop.currentOrNull();
        if (running == null) {
            throw new IllegalStateException(owner.getClass().getSimpleName() + " used on thread "
                    + Thread.currentThread().getName() + ", which runs no event loop: it is "
                    + "loop-bound and not thread-safe; use it inside a task");
        }
        if (loop == null) {
            loop = running;
        } else if (loop != running) {
            throw new IllegalStateException(owner + " is bound to event loop " + loop.name()
                    + " and cannot be used from loop " + running.name());
        }
        return running;
    }
}
