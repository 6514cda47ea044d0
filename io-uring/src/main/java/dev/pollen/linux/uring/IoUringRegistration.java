package dev.pollen.linux.uring;

import dev.pollen.posix.FdSource;
import dev.pollen.spi.AbstractRegistration;
import dev.pollen.spi.IoHandler;
import dev.pollen.spi.Poller;
import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringIoOps;

/**
 * One source registered with an {@link IoUringPoller}, and the {@link IoUringIoHandle} Netty
 * hands its completions to.
 *
 * <p><b>Level-triggered readiness from one-shot polls.</b> While the interest is non-zero, one
 * {@code IORING_OP_POLL_ADD} for it is armed in the kernel. Its completion is the readiness; the
 * poll is then spent, and the poller arms it again just before its next wait, after the handler
 * ran. An fd that is still ready completes the new poll at once, so readiness the handler left
 * is reported again, as epoll's level-triggered mode does. (A multishot poll stays armed but
 * posts a completion only on a new wake-up of the socket, which is edge-triggered: data a
 * handler left unread would never be reported again.)
 *
 * <p><b>Changes are lazy.</b> An interest change only marks the registration; before the next
 * wait the poller brings the kernel in line ({@link #sync}): a poll armed for other bits is
 * removed ({@code IORING_OP_POLL_REMOVE}) and one for the new bits armed, all in the same
 * {@code io_uring_enter} as the wait. A handler that turns WRITE on and off again within one
 * dispatch costs nothing.
 *
 * <p>Each poll carries a tag (the 16-bit data field of its user data); a completion whose tag is
 * not that of the armed poll belongs to a removed one and is dropped.
 *
 * <p><b>Threading:</b> loop thread only; {@link #handle} and {@link #close()} are called by Netty
 * on the loop thread.
 */
final class IoUringRegistration extends AbstractRegistration<FdSource> implements IoUringIoHandle {

    /** {@code IORING_OP_POLL_ADD} and {@code IORING_OP_POLL_REMOVE} (include/uapi/linux/io_uring.h). */
    static final byte OP_POLL_ADD = 6;
    static final byte OP_POLL_REMOVE = 7;
    // poll(2) bits, the same on every Linux architecture
    private static final int POLLIN = 0x1;
    private static final int POLLOUT = 0x4;
    private static final int POLLERR = 0x8;
    private static final int POLLHUP = 0x10;
    private static final int READ_BITS = POLLIN | POLLERR | POLLHUP;
    private static final int WRITE_BITS = POLLOUT | POLLERR | POLLHUP;

    private final IoUringPoller poller;
    /** Index in the poller's table of live registrations. */
    int slot;
    /** Netty's registration, made when the first poll is armed; null before. */
    private IoRegistration netty;
    /** User data of the armed poll (0: none armed). */
    private long armed;
    /** Pollen ops of the armed poll. */
    private int armedOps;
    /** Tag of the armed poll; the next poll gets the next tag. */
    private short tag;
    /** On the poller's list of registrations to {@link #sync} before the next wait. */
    boolean dirty;
    /** Readiness collected by {@link #handle} and not yet reported. */
    int collectedOps;

    IoUringRegistration(IoUringPoller poller, FdSource source, IoHandler handler) {
        super(poller, source, handler);
        this.poller = poller;
    }

    /**
     * Brings the kernel in line with the interest (or with the end of the registration): removes
     * a poll armed for other bits, arms one for the current bits, and once the registration ended
     * and no poll is armed, gives Netty's registration back.
     *
     * @return whether it queued a submission
     */
    boolean sync() {
        int want = isCancelled() ? 0 : interest();
        boolean queued = false;
        if (armed != 0 && armedOps != want) {
            netty.submit(new IoUringIoOps(OP_POLL_REMOVE, (byte) 0, (short) 0, -1, 0L, armed, 0, 0,
                    (short) 0, (short) 0, (short) 0, 0, 0L));
            armed = 0;
            armedOps = 0;
            queued = true;
        }
        if (armed == 0 && want != 0) {
            if (netty == null) {
                netty = poller.registerWithNetty(this);
            }
            int mask = ((want & Poller.READ) != 0 ? POLLIN : 0) | ((want & Poller.WRITE) != 0 ? POLLOUT : 0);
            tag++;
            long udata = netty.submit(new IoUringIoOps(OP_POLL_ADD, (byte) 0, (short) 0, source().fd(),
                    0L, 0L, 0, mask, tag, (short) 0, (short) 0, 0, 0L));
            if (udata == 0) {
                throw new IllegalStateException("io_uring: Netty refused a poll for " + source());
            }
            armed = udata;
            armedOps = want;
            queued = true;
        }
        if (isCancelled() && netty != null) {
            // Netty forgets the registration once the completions of what was submitted arrived.
            netty.cancel();
            netty = null;
        }
        return queued;
    }

    /** Whether a poll is armed (or queued to be) in the kernel. */
    boolean isArmed() {
        return armed != 0;
    }

    // ---- IoUringIoHandle: called by Netty ------------------------------------------------------

    /**
     * A completion of one of this registration's requests: the armed poll's result becomes
     * readiness (collected, reported once Netty's run has returned); the completions of removed
     * polls and of the removals themselves are dropped.
     *
     * <p><b>Threading:</b> loop thread (called by Netty from inside {@code run}).
     *
     * @param registration Netty's registration
     * @param event        the completion
     */
    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        IoUringIoEvent e = (IoUringIoEvent) event;
        if (e.opcode() != OP_POLL_ADD || armed == 0 || e.data() != tag || isCancelled()) {
            return;
        }
        armed = 0; // a one-shot poll is spent
        armedOps = 0;
        int res = e.res();
        int ops;
        if (res < 0) {
            // The kernel could not poll the fd: let the handler meet the error on its next call.
            ops = Poller.READ | Poller.WRITE;
        } else {
            // hang-up and errors are readiness of whatever is registered (dispatch masks them)
            ops = ((res & READ_BITS) != 0 ? Poller.READ : 0) | ((res & WRITE_BITS) != 0 ? Poller.WRITE : 0);
        }
        poller.collected(this, ops);
    }

    /**
     * Called by Netty's {@code prepareToDestroy} as the poller closes: removes the armed poll so
     * the ring can drain. The source stays open (its owner closes it).
     *
     * <p><b>Threading:</b> loop thread (called by Netty).
     */
    @Override
    public void close() {
        if (armed != 0 && netty != null) {
            netty.submit(new IoUringIoOps(OP_POLL_REMOVE, (byte) 0, (short) 0, -1, 0L, armed, 0, 0,
                    (short) 0, (short) 0, (short) 0, 0, 0L));
            armed = 0;
        }
    }
}
