package dev.pollen.linux.netty;

import dev.pollen.spi.AbstractRegistration;
import dev.pollen.spi.IoHandler;
import dev.pollen.spi.Poller;
import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import java.io.UncheckedIOException;

/**
 * One source registered with a netty-epoll poller. It is also the {@link EpollIoHandle} Netty
 * calls back, so a readiness event goes from Netty's dispatch loop to the ready list with no
 * lookup and no allocation.
 *
 * <p><b>Lazy kernel registration.</b> Netty's {@code register} adds the fd to epoll at once (with
 * {@code EPOLLERR}), and epoll always reports {@code EPOLLHUP}/{@code EPOLLERR} whatever the mask:
 * an fd in the set with "no interest" can still wake every poll. So Pollen's zero mask is "not in
 * Netty at all": the Netty registration is created when the interest first becomes non-zero and
 * cancelled (which is {@code EPOLL_CTL_DEL}) when it drops to zero.
 *
 * <p><b>Threading:</b> loop thread only; {@link #handle} is called by Netty on the loop thread
 * from inside {@code EpollIoHandler.run}.
 */
final class NettyRegistration extends AbstractRegistration<NettySource> implements EpollIoHandle {

    // EpollIoOps.valueOf allocates for combinations Netty does not cache (IN|OUT is one of them).
    private static final EpollIoOps[] OPS = {
        null,
        EpollIoOps.EPOLLIN,
        EpollIoOps.EPOLLOUT,
        EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLOUT),
    };
    private static final int EPOLLIN = EpollIoOps.EPOLLIN.value();
    private static final int EPOLLOUT = EpollIoOps.EPOLLOUT.value();
    // EPOLLHUP (0x10) has no EpollIoOps constant; it is the same on every Linux architecture.
    private static final int EPOLLERR_OR_HUP = EpollIoOps.EPOLLERR.value() | 0x10;

    private final NettyEpollPoller poller;
    /** Netty's registration while the fd is in the epoll set; null for a zero mask. */
    private IoRegistration kernel;
    /** The poller's run number when {@link #kernel} was made (see {@link #handle}). */
    private long kernelRun = -1;

    NettyRegistration(NettyEpollPoller poller, NettySource source, IoHandler handler) {
        super(poller, source, handler);
        this.poller = poller;
    }

    /** Puts the fd into Netty's epoll set with {@code ops} (two {@code epoll_ctl}s). */
    void addToKernel(int ops) {
        IoRegistration r = poller.registerWithNetty(this);
        kernel = r;
        kernelRun = poller.runNumber();
        try {
            submit(ops);
        } catch (RuntimeException e) {
            removeFromKernel();
            throw e;
        }
    }

    /** Changes the mask of an fd in the set (one {@code epoll_ctl}). */
    void submit(int ops) {
        try {
            kernel.submit(OPS[ops]);
        } catch (UncheckedIOException e) {
            throw new UncheckedIOException(poller.epollCtlFailure("MOD", source(), e.getCause()));
        }
    }

    /** Takes the fd out of the set: Netty's cancel, which is {@code EPOLL_CTL_DEL}. */
    void removeFromKernel() {
        IoRegistration r = kernel;
        if (r != null) {
            kernel = null;
            if (!poller.isClosed()) {
                // On the loop thread this is EPOLL_CTL_DEL at once (see spi.LoopThreadExecutor).
                poller.claim();
                r.cancel();
            }
        }
    }

    // ---- EpollIoHandle: called by Netty ------------------------------------------------------

    /**
     * The fd Netty registers.
     *
     * <p><b>Threading:</b> loop thread (called by Netty).
     *
     * @return the source's descriptor
     */
    @Override
    public FileDescriptor fd() {
        return source().socket;
    }

    /**
     * Netty's dispatch of one epoll event: puts this registration on the poller's ready list.
     * No Pollen handler runs inside Netty's run (Netty answers an exception from here by logging
     * it and sleeping a full second); the base dispatches once the run has returned.
     *
     * <p><b>Threading:</b> loop thread (called by Netty from inside {@code run}).
     *
     * @param registration Netty's registration the event belongs to
     * @param event        the epoll event
     */
    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        // Events for a registration made during this very run were collected before it existed:
        // they belong to an earlier owner of the same fd number (closed and reused in this
        // dispatch) or to a removed interest. Level-triggering reports real ones again.
        if (registration != kernel || kernelRun == poller.runNumber()) {
            return;
        }
        int ev = ((EpollIoEvent) event).ops().value();
        int ready;
        if ((ev & EPOLLERR_OR_HUP) != 0) {
            // hang-up and errors are readiness of whatever is registered (select's rule): the
            // read then returns EOF or the write throws; dispatch masks with the interest
            ready = Poller.READ | Poller.WRITE;
        } else {
            ready = ((ev & EPOLLIN) != 0 ? Poller.READ : 0) | ((ev & EPOLLOUT) != 0 ? Poller.WRITE : 0);
        }
        poller.collected(this, ready);
    }

    /**
     * Called by Netty when it forgets the handle; nothing to do.
     *
     * <p><b>Threading:</b> loop thread (called by Netty).
     */
    @Override
    public void unregistered() {
        // Pollen's state already changed before Netty's cancel was called.
    }

    /**
     * Called by Netty's {@code prepareToDestroy} when the poller closes. The source is not closed:
     * its owner closes it (Poller contract).
     *
     * <p><b>Threading:</b> loop thread (called by Netty).
     */
    @Override
    public void close() {
        kernel = null;
    }
}
