package dev.pollen.linux.uring;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Keeps Netty's ring usable from whichever thread drives it.
 *
 * <p>Netty's {@code IoUringIoHandler.initialize()} enables the ring and registers its fd with
 * the calling thread ({@code IORING_REGISTER_RING_FDS}); every later {@code io_uring_enter} then
 * passes that thread's registered index ({@code IORING_ENTER_REGISTERED_RING}), which means
 * nothing, or another ring, in any other thread. So the poller initialises the ring lazily, on
 * the thread of its first poll (its loop thread, which keeps the cheaper registered entry), and
 * if another thread must drive it later (a close after the loop thread is gone, a loop that moved),
 * {@link #unpin} makes the submission queue enter by the plain ring fd, which works from any
 * thread. That needs two package-private members of Netty 4.2.18; where they are not reachable
 * the poller refuses the other thread with a clear message instead of entering the wrong ring.
 *
 * <p><b>Threading:</b> the thread that drives the ring at the moment.
 */
final class RingThread {

    /** {@code IORING_ENTER_REGISTERED_RING}. */
    private static final int ENTER_REGISTERED_RING = 16;

    private final io.netty.channel.IoHandler netty;
    private Thread owner;
    private boolean unpinned;

    RingThread(io.netty.channel.IoHandler netty) {
        this.netty = netty;
    }

    /** Whether the ring was enabled. */
    boolean started() {
        return owner != null;
    }

    /**
     * Enables the ring on the calling thread if nobody did yet; otherwise makes sure the calling
     * thread may enter it.
     *
     * @throws IllegalStateException if another thread owns the registered ring fd and it cannot
     *                               be unpinned
     */
    void enter() {
        Thread t = Thread.currentThread();
        if (owner == t || unpinned) {
            return;
        }
        if (owner == null) {
            netty.initialize();
            owner = t;
            return;
        }
        String why = unpin();
        if (why != null) {
            throw new IllegalStateException("io_uring: this poller's ring is bound to thread "
                    + owner.getName() + " (its first poll), and cannot be driven from "
                    + t.getName() + ": " + why);
        }
    }

    /**
     * Keeps Netty's eventfd read buffer (8 bytes) from being freed by {@code destroy()}, for the
     * life of the JVM: the kernel can still write a completed eventfd read into it after Netty
     * has freed it, which corrupted the C heap (see docs/pollers-io_uring.md, Known problem).
     * Costs about 100 bytes per closed poller. Done by swapping Netty's private cleanable for one
     * whose {@code clean()} does nothing; the original is kept here, reachable.
     *
     * @return null on success, else why not
     */
    String retainWakeupBuffer() {
        try {
            Field f = netty.getClass().getDeclaredField("eventfdReadBufCleanable");
            f.setAccessible(true);
            Object original = f.get(netty);
            Class<?> type = f.getType();
            Object keeper = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "clean" -> null;
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        case "toString" -> "retained " + original;
                        default -> method.invoke(original, args);
                    });
            RETAINED.add(original);
            f.set(netty, keeper);
            return null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return String.valueOf(e);
        }
    }

    /** Netty eventfd read buffers kept from being freed ({@link #retainWakeupBuffer}). */
    private static final Queue<Object> RETAINED = new ConcurrentLinkedQueue<>();

    /** Switches Netty's submission queue to the plain ring fd; null on success, else why not. */
    private String unpin() {
        try {
            Field rb = netty.getClass().getDeclaredField("ringBuffer");
            rb.setAccessible(true);
            Object ring = rb.get(netty);
            Method sqm = ring.getClass().getDeclaredMethod("ioUringSubmissionQueue");
            sqm.setAccessible(true);
            Object sq = sqm.invoke(ring);
            Field ringFd = sq.getClass().getDeclaredField("ringFd");
            Field enterRingFd = sq.getClass().getDeclaredField("enterRingFd");
            Field enterFlags = sq.getClass().getDeclaredField("enterFlags");
            ringFd.setAccessible(true);
            enterRingFd.setAccessible(true);
            enterFlags.setAccessible(true);
            enterRingFd.setInt(sq, ringFd.getInt(sq));
            enterFlags.setInt(sq, enterFlags.getInt(sq) & ~ENTER_REGISTERED_RING);
            unpinned = true;
            return null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return "Netty's submission queue could not be switched to the plain ring fd (" + e + ")";
        }
    }
}
