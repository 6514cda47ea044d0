package dev.pollen.spi;

/**
 * Support for backend authors: the bookkeeping every {@link Registration} shares (source, handler,
 * interest set, cancelled flag) and the order of the checks in {@link #interest(int)}: ops bits,
 * cancelled, poller open, then "the current mask again is free". A backend supplies only the
 * kernel work through the hooks {@link #applyInterest}, {@link #doCancel},
 * {@link #checkPollerOpen} and {@link #isPollerClosed}.
 *
 * <p>The backend's poller, which lives in another package, reaches the protected state changers
 * ({@link #storeInterest}, {@link #markCancelled}) through package-private methods of the
 * subclass; users only ever see the {@link Registration} interface.
 *
 * <p><b>Threading:</b> loop thread only, except {@link #source()} and {@link #handler()}
 * (immutable, any thread). No method synchronizes: the poller's loop thread owns the state.
 *
 * @param <S> the backend's source type
 */
public abstract class AbstractRegistration<S extends IoSource> implements Registration {

    private static final int ALL = Poller.READ | Poller.WRITE;

    private final S source;
    private final IoHandler handler;
    private final String opsRule;
    private int interest;
    private boolean cancelled;

    /**
     * Makes a registration with interest 0.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param source  the registered source
     * @param handler the handler the poller calls
     * @param opsRule the text of the {@code IllegalArgumentException} for bad ops, before
     *                {@code ", got <ops>"} (each backend keeps its own wording)
     */
    protected AbstractRegistration(S source, IoHandler handler, String opsRule) {
        this.source = source;
        this.handler = handler;
        this.opsRule = opsRule;
    }

    /**
     * Throws unless {@code ops} is a subset of READ | WRITE; shared by registrations and by the
     * pollers' {@code register} methods.
     *
     * <p><b>Threading:</b> any thread.
     *
     * @param ops  the ops to check
     * @param rule the message before {@code ", got <ops>"}
     * @throws IllegalArgumentException if {@code ops} has other bits
     */
    public static void checkOps(int ops, String rule) {
        if ((ops & ~ALL) != 0) {
            throw new IllegalArgumentException(rule + ", got " + ops);
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
     * registration is not cancelled and that the poller is open; setting the current mask again
     * is free (no system call); otherwise {@link #applyInterest} does the kernel work and, if it
     * returns normally, the new mask is stored.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param ops a subset of READ | WRITE
     */
    @Override
    public final void interest(int ops) {
        checkOps(ops, opsRule);
        if (cancelled) {
            throw new IllegalStateException(cancelledMessage());
        }
        checkPollerOpen();
        if (ops == interest) {
            return; // the current mask again: free, no system call
        }
        applyInterest(interest, ops);
        interest = ops;
    }

    /**
     * Cancels: marks the registration and calls {@link #doCancel} once. Idempotent.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    @Override
    public final void cancel() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        doCancel();
    }

    /**
     * Whether events can still be delivered.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return false once cancelled, the source closed or the poller closed
     */
    @Override
    public boolean isValid() {
        return !cancelled && source.isOpen() && !isPollerClosed();
    }

    /**
     * Whether {@link #cancel} ran or the backend called {@link #markCancelled}.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true once cancelled
     */
    public final boolean isCancelled() {
        return cancelled;
    }

    /**
     * Stores the interest without any check or kernel work, for a poller that applied it itself
     * (e.g. in {@code register}).
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param ops the mask now in effect
     */
    protected final void storeInterest(int ops) {
        interest = ops;
    }

    /**
     * Marks the registration cancelled without calling {@link #doCancel}, for a poller that
     * already dropped it (poller closed, source closed).
     *
     * <p><b>Threading:</b> loop thread only.
     */
    protected final void markCancelled() {
        cancelled = true;
    }

    /**
     * The message of the {@code IllegalStateException} {@link #interest(int)} throws once
     * cancelled.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return the message
     */
    protected String cancelledMessage() {
        return "registration of " + source + " was cancelled";
    }

    /**
     * Throws {@code IllegalStateException} if the poller is closed.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    protected abstract void checkPollerOpen();

    /**
     * Whether the poller is closed.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @return true once closed
     */
    protected abstract boolean isPollerClosed();

    /**
     * Moves the kernel registration from {@code oldOps} to {@code newOps} (they differ). If it
     * throws, the stored interest stays {@code oldOps}.
     *
     * <p><b>Threading:</b> loop thread only.
     *
     * @param oldOps the current interest
     * @param newOps the wanted interest
     */
    protected abstract void applyInterest(int oldOps, int newOps);

    /**
     * The backend's cancel work; called once, after the registration is marked cancelled.
     *
     * <p><b>Threading:</b> loop thread only.
     */
    protected abstract void doCancel();
}
