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
 * calls back, so a readiness event goes from Netty's dispatch loop to the Pollen handler with no
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

    /** The ops error text of {@link #interest(int)}. */
    private static final String OPS_RULE = "interest must be a subset of READ | WRITE (3)";

    private final NettyEpollPoller poller;
    /** Netty's registration while the fd is in the epoll set; null for a zero mask. */
    private IoRegistration kernel;
    /** The poller's run number when {@link #kernel} was made (see {@link #handle}). */
    private long kernelRun = -1;

    NettyRegistration(NettyEpollPoller poller, NettySource source, IoHandler handler) {
        super(source, handler, OPS_RULE);
        this.poller = poller;
    }

    @Override
    protected String cancelledMessage() {
        return "the registration was cancelled";
    }

    @Override
    protected void checkPollerOpen() {
        poller.ensureOpen();
    }

    @Override
    protected boolean isPollerClosed() {
        return poller.isClosed();
    }

    /**
     * A change is one {@code epoll_ctl}, two when the fd re-enters the set.
     *
     * @param oldOps the current interest
     * @param ops    the new interest
     */
    @Override
    protected void applyInterest(int oldOps, int ops) {
        if (ops == 0) {
            removeFromKernel();
        } else if (kernel == null) {
            addToKernel(ops);
        } else {
            submit(ops);
        }
    }

    private void addToKernel(int ops) {
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

    private void submit(int ops) {
        try {
            kernel.submit(OPS[ops]);
        } catch (UncheckedIOException e) {
            throw new UncheckedIOException(poller.epollCtlFailure("MOD", source(), e.getCause()));
        }
    }

    private void removeFromKernel() {
        IoRegistration r = kernel;
        if (r != null) {
            kernel = null;
            if (!poller.isClosed()) {
                // On the loop thread this is EPOLL_CTL_DEL at once (see LoopThreadExecutor).
                poller.claim();
                r.cancel();
            }
        }
    }

    /** Removes the source for good (called once by {@link #cancel()}). */
    @Override
    protected void doCancel() {
        removeFromKernel();
        if (source().registration == this) {
            source().registration = null;
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
     * Netty's dispatch of one epoll event. Never throws: Netty answers an exception from here by
     * logging it and sleeping a full second, so a handler's failure is parked in the poller and
     * rethrown from {@code poll} once Netty's run returns.
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
            // read then returns EOF or the write throws
            ready = interest();
        } else {
            ready = ((ev & EPOLLIN) != 0 ? Poller.READ : 0) | ((ev & EPOLLOUT) != 0 ? Poller.WRITE : 0);
            ready &= interest();
        }
        if (ready == 0) {
            return;
        }
        if (!poller.dispatching()) {
            // a handler failed earlier in this run: keep the event for the start of the next poll
            poller.defer(this, ready);
            return;
        }
        dispatch(ready);
    }

    /**
     * Delivers an event {@link #handle} deferred, if the registration still wants it.
     *
     * @param ready the readiness collected then
     */
    void redeliver(int ready) {
        if (!isValid()) {
            return;
        }
        ready &= interest();
        if (ready != 0) {
            dispatch(ready);
        }
    }

    private void dispatch(int ready) {
        poller.countDispatch();
        try {
            handler().onReady(ready);
        } catch (Throwable t) {
            poller.handlerFailed(t);
        }
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

    @Override
    public String toString() {
        return "NettyRegistration[" + source() + ", interest=" + interest()
                + (isCancelled() ? ", cancelled" : "") + "]";
    }
}
