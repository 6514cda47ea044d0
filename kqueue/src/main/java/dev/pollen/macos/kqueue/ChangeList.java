package dev.pollen.macos.kqueue;

/**
 * The changes queued during one loop iteration, applied by the next {@code kevent()} call
 * together with its wait, so a burst of interest changes costs no extra system call. When the
 * array is full the owner must flush it first ({@link #isFull()}).
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class ChangeList {

    private final KeventArray array;
    private int count;

    /**
     * Wraps an array.
     *
     * @param array where the changes are written
     */
    public ChangeList(KeventArray array) {
        this.array = array;
    }

    /** @return the array the kernel reads */
    public KeventArray array() {
        return array;
    }

    /** @return how many changes are queued */
    public int count() {
        return count;
    }

    /** @return whether no more changes fit */
    public boolean isFull() {
        return count == array.capacity();
    }

    /**
     * Appends a change. The caller flushes first when {@link #isFull()}.
     *
     * @param ident  the fd
     * @param filter the filter
     * @param flags  EV_* flags
     * @param fflags filter flags
     * @param udata  the registration's id
     * @throws IllegalStateException if the list is full
     */
    public void add(long ident, short filter, int flags, int fflags, long udata) {
        if (count == array.capacity()) {
            throw new IllegalStateException("change list full (" + count + "); flush it first");
        }
        array.set(count++, ident, filter, flags, fflags, 0L, udata);
    }

    /**
     * Drops every queued change of a descriptor filter ({@code EVFILT_READ}, {@code EVFILT_WRITE})
     * for {@code ident}, keeping the order of the others. Used when an fd closes on a kernel that
     * forgets its knotes at close: a queued change would otherwise reach a closed fd, or a new
     * file that got the same number. A process watch ({@code EVFILT_PROC}) whose pid happens to
     * be the same number is kept.
     *
     * @param ident the fd
     * @return how many changes were dropped
     */
    public int purge(long ident) {
        int kept = 0;
        for (int i = 0; i < count; i++) {
            short f = array.filter(i);
            if (array.ident(i) != ident || (f != Kevent.EVFILT_READ && f != Kevent.EVFILT_WRITE)) {
                array.copy(i, kept++);
            }
        }
        int dropped = count - kept;
        count = kept;
        return dropped;
    }

    /** Forgets every queued change (after a kevent call applied them). */
    public void clear() {
        count = 0;
    }
}
