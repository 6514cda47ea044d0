package dev.pollen.spi;

/**
 * The registration half of {@link AbstractPoller}: the bookkeeping every {@link Registration}
 * shares (source, handler, interest set, cancelled flag) with one wording of each error. The
 * kernel work of an interest change or a cancel is its poller's ({@link AbstractPoller}'s
 * {@code addInterest}, {@code modifyInterest}, {@code removeInterest}); a backend's subclass
 * only adds what the kernel hands back to identify it (a slot, an id, a selection key).
 *
 * <p><b>Threading:</b> loop thread only, except {@link #source()} and {@link #handler()}
 * (immutable, any thread). No method synchronizes: the poller's loop thread owns the state.
 *
 * @param <S> the backend's source type
 */
public abstract class AbstractRegistration<S extends AbstractSource> implements Registration {

    private static final int ALL = Poller.READ | Poller.WRITE;

    private final AbstractPoller<S, ?> poller;
    private final S source;
    private final IoHandler handler;
    private int interest;
    private boolean cancelled;
    /** Readiness collected for the dispatch in progress; non-zero while on the ready list. */
    int readyOps;

    /**
     * Makes a registration with interest 0.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param poller  the poller that made it
     * @param source  the registered source
     * @param handler the handler the poller calls
     */
    protected AbstractRegistration(AbstractPoller<S, ?> poller, S source, IoHandler handler) {
        this.poller = poller;
        this.source = source;
        this.handler = handler;
    }

    /**
     * Throws unless {@code ops} is a subset of READ | WRITE, with the one wording of that error.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param ops the ops to check
     * @throws IllegalArgumentException if {@code ops} has other bits
     */
    public static void checkOps(int ops) {
        if ((ops & ~ALL) != 0) {
            throw new IllegalArgumentException("interest ops must be a subset of READ (1) | WRITE (2),"
                    + " got " + ops);
        }
    }

    /**
     * The source.
     *
     * <p><b>Threading:</b> any thread (immutable).
     *
     * @return the registered source
     */
    @Override
    public final S source() {
        return source;
    }

    /**
     * The handler the poller calls with ready ops.
     *
     * <p><b>Threading:</b> any thread (immutable).
     *
     * @return the handler
     */
    public final IoHandler handler() {
        return handler;
    }

    /**
     * The interest set.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return a subset of READ | WRITE
     */
    @Override
    public final int interest() {
        return interest;
    }

    /**
     * Changes the interest set (see {@link Registration#interest(int)}): checks the ops, that the
     * poller is open and that the registration is not cancelled; setting the current mask again
     * is free (no system call); otherwise the poller does the kernel work and, if it returns
     * normally, the new mask is stored.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param ops a subset of READ | WRITE
     */
    @Override
    public final void interest(int ops) {
        checkOps(ops);
        poller.checkOpen("Registration.interest");
        if (cancelled) {
            throw new IllegalStateException("registration of " + source
                    + " was cancelled (or its source closed)");
        }
        if (ops == interest) {
            return; // the current mask again: free, no system call
        }
        poller.changeInterest(this, interest, ops);
        interest = ops;
    }

    /**
     * Cancels: marks the registration and has the poller take the source out of the kernel's
     * set. Idempotent. The handler is never called again.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public final void cancel() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        poller.cancelled(this);
    }

    /**
     * Whether events can still be delivered.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return false once cancelled, the source closed or the poller closed
     */
    @Override
    public final boolean isValid() {
        return !cancelled && !poller.isClosed() && source.isOpen();
    }

    /**
     * Whether {@link #cancel} ran or the poller forgot the registration.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true once cancelled
     */
    public final boolean isCancelled() {
        return cancelled;
    }

    /** Stores the interest the poller applied at registration. */
    final void storeInterest(int ops) {
        interest = ops;
    }

    /** Marks the registration cancelled without kernel work (see {@link AbstractPoller#forget}). */
    final void markCancelled() {
        cancelled = true;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + source + ", interest " + interest
                + (cancelled ? ", cancelled" : "") + "]";
    }
}
