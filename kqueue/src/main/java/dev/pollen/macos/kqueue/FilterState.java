package dev.pollen.macos.kqueue;

/**
 * What the kernel holds for one (fd, filter) pair once every queued change is applied, and the
 * changes that move it from one state to another. These are the pure forms of the libkqueue
 * work-arounds: each is tested on its own, without a kqueue.
 *
 * <p><b>Threading:</b> stateless, any thread.
 */
final class FilterState {

    /** No knote. */
    public static final int ABSENT = 0;
    /** A knote that reports readiness. */
    public static final int ENABLED = 1;
    /** A knote that exists but reports nothing. */
    public static final int DISABLED = 2;

    private FilterState() {
    }

    /**
     * The state a filter should be in for an interest mask.
     *
     * <p>A wanted filter is enabled. An unwanted one is disabled if it exists (re-enabling later
     * costs one EV_ENABLE and never an EV_ADD of a live knote), and stays absent if it does not
     * (a knote is only made when first wanted). A zero mask removes everything: the contract
     * says a zero-mask source costs the kernel nothing.
     *
     * @param current the state now
     * @param wanted  whether this filter's op is in the interest mask
     * @param anyOps  whether the mask is non-zero
     * @return the state to move to
     */
    public static int target(int current, boolean wanted, boolean anyOps) {
        if (!anyOps) {
            return ABSENT;
        }
        if (wanted) {
            return ENABLED;
        }
        return current == ABSENT ? ABSENT : DISABLED;
    }

    /**
     * Emits the changes that move a filter from {@code from} to {@code to}: none, one or two.
     *
     * @param sink   receives the changes in order
     * @param target the kqueue implementation (for its deviations)
     * @param ident  the fd
     * @param filter the filter
     * @param udata  the registration's id
     * @param from   the state now
     * @param to     the wanted state
     */
    public static void transition(ChangeSink sink, KqueueTarget target, long ident, short filter,
            long udata, int from, int to) {
        if (from == to) {
            return;
        }
        switch (to) {
            case ABSENT -> sink.change(ident, filter, Kevent.EV_DELETE, udata);
            case ENABLED -> {
                if (from == ABSENT) {
                    sink.change(ident, filter, Kevent.EV_ADD, udata);
                } else {
                    // DISABLED -> ENABLED: EV_ENABLE, never EV_ADD. libkqueue fails an EV_ADD of a
                    // live knote with errno 0 and keeps its old udata; the kernels would accept it,
                    // but EV_ENABLE is right on all of them.
                    sink.change(ident, filter, Kevent.EV_ENABLE, udata);
                }
            }
            case DISABLED -> {
                if (from == ENABLED) {
                    sink.change(ident, filter, Kevent.EV_DISABLE, udata);
                } else {
                    addDisabled(sink, target, ident, filter, udata);
                }
            }
            default -> throw new IllegalArgumentException("unknown filter state " + to);
        }
    }

    /**
     * Registers a filter disabled (ABSENT -> DISABLED).
     *
     * @param sink   receives the changes
     * @param target the kqueue implementation
     * @param ident  the fd
     * @param filter the filter
     * @param udata  the registration's id
     */
    public static void addDisabled(ChangeSink sink, KqueueTarget target, long ident, short filter,
            long udata) {
        if (target.addDisabledIsBroken) {
            // libkqueue: EV_ADD|EV_DISABLE in one change arms the knote before disabling it and is
            // not reliable; send the add and the disable as two changes (applied in order).
            sink.change(ident, filter, Kevent.EV_ADD, udata);
            sink.change(ident, filter, Kevent.EV_DISABLE, udata);
        } else {
            sink.change(ident, filter, Kevent.EV_ADD | Kevent.EV_DISABLE, udata);
        }
    }

    /**
     * Repairs a failed EV_ADD that libkqueue reported with errno 0: an older knote for the same
     * (fd, filter) is still live (for example the fd number was reused without a delete), and it
     * still carries the old udata, so its events would never reach the new registration. Delete
     * it and add again, into the state the registration wants.
     *
     * @param sink   receives the changes
     * @param target the kqueue implementation
     * @param ident  the fd
     * @param filter the filter
     * @param udata  the registration's id
     * @param wanted the state the registration wants for this filter
     */
    public static void replaceLiveKnote(ChangeSink sink, KqueueTarget target, long ident,
            short filter, long udata, int wanted) {
        sink.change(ident, filter, Kevent.EV_DELETE, udata);
        transition(sink, target, ident, filter, udata, ABSENT, wanted);
    }

    /**
     * The name of a state, for messages.
     *
     * @param state a state
     * @return its name
     */
    public static String name(int state) {
        return switch (state) {
            case ABSENT -> "ABSENT";
            case ENABLED -> "ENABLED";
            case DISABLED -> "DISABLED";
            default -> "state " + state;
        };
    }
}
