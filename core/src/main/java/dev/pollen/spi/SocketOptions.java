package dev.pollen.spi;

import java.net.SocketOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * An immutable, ordered set of socket options ({@link java.net.StandardSocketOptions}) to apply
 * to a socket when it is created.
 *
 * <p>Backends must support at least {@code SO_REUSEADDR}, {@code SO_REUSEPORT} (where the OS
 * has it), {@code TCP_NODELAY}, {@code SO_KEEPALIVE}, {@code SO_RCVBUF}, {@code SO_SNDBUF} and
 * {@code SO_LINGER}; any other option is refused with an {@link UnsupportedOperationException}
 * that names it.
 *
 * <p><b>Threading:</b> immutable, any thread.
 */
public final class SocketOptions {

    private static final SocketOptions NONE = new SocketOptions(List.of());

    private final List<Entry<?>> entries;

    private SocketOptions(List<Entry<?>> entries) {
        this.entries = entries;
    }

    /**
     * The empty set.
     *
     * @return no options
     */
    public static SocketOptions none() {
        return NONE;
    }

    /**
     * A copy of this set with one more option (replacing an earlier value of the same option).
     *
     * @param option the option, not null
     * @param value  its value, not null
     * @param <T>    the option's type
     * @return the new set
     */
    public <T> SocketOptions with(SocketOption<T> option, T value) {
        Objects.requireNonNull(option, "option");
        Objects.requireNonNull(value, () -> "value of socket option " + option.name());
        if (!option.type().isInstance(value)) {
            throw new IllegalArgumentException("socket option " + option.name() + " takes a "
                    + option.type().getSimpleName() + ", got " + value.getClass().getSimpleName());
        }
        List<Entry<?>> copy = new ArrayList<>(entries.size() + 1);
        for (Entry<?> e : entries) {
            if (!e.option.equals(option)) {
                copy.add(e);
            }
        }
        copy.add(new Entry<>(option, value));
        return new SocketOptions(Collections.unmodifiableList(copy));
    }

    /**
     * The value set for an option.
     *
     * @param option the option
     * @param <T>    its type
     * @return the value, or null if not set
     */
    public <T> T get(SocketOption<T> option) {
        for (Entry<?> e : entries) {
            if (e.option.equals(option)) {
                return option.type().cast(e.value);
            }
        }
        return null;
    }

    /**
     * Calls {@code action} for each option in the order they were added.
     *
     * @param action receives each option and its value
     */
    public void forEach(BiConsumer<SocketOption<?>, Object> action) {
        for (Entry<?> e : entries) {
            action.accept(e.option, e.value);
        }
    }

    /**
     * Whether no option is set.
     *
     * @return true if empty
     */
    public boolean isEmpty() {
        return entries.isEmpty();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("SocketOptions[");
        for (int i = 0; i < entries.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(entries.get(i).option.name()).append('=').append(entries.get(i).value);
        }
        return sb.append(']').toString();
    }

    private record Entry<T>(SocketOption<T> option, T value) {
    }
}
