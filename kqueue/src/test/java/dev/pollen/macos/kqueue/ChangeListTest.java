package dev.pollen.macos.kqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The per-iteration change batch. */
class ChangeListTest {

    private final KeventArray array = new KeventArray(4, 32);
    private final ChangeList list = new ChangeList(array);

    @AfterEach
    void free() {
        array.free();
    }

    @Test
    void appendsInOrderUntilFull() {
        list.add(5, Kevent.EVFILT_READ, Kevent.EV_ADD, 0, 1);
        list.add(6, Kevent.EVFILT_WRITE, Kevent.EV_ADD, 0, 2);
        list.add(5, Kevent.EVFILT_READ, Kevent.EV_DISABLE, 0, 1);
        assertFalse(list.isFull());
        list.add(7, (short) -11, 0, Kevent.NOTE_TRIGGER, 0);
        assertTrue(list.isFull());
        assertEquals(4, list.count());
        assertEquals(6, array.ident(1));
        assertEquals(Kevent.EV_DISABLE, array.flags(2));
        assertEquals(Kevent.NOTE_TRIGGER, array.fflags(3));
        assertThrows(IllegalStateException.class, () -> list.add(8, Kevent.EVFILT_READ, Kevent.EV_ADD, 0, 3));
        list.clear();
        assertEquals(0, list.count());
    }

    @Test
    void purgeDropsOneFdsChangesAndKeepsTheOrderOfTheRest() {
        list.add(5, Kevent.EVFILT_READ, Kevent.EV_ADD, 0, 1);
        list.add(6, Kevent.EVFILT_READ, Kevent.EV_ADD, 0, 2);
        list.add(5, Kevent.EVFILT_WRITE, Kevent.EV_ADD, 0, 1);
        list.add(7, Kevent.EVFILT_READ, Kevent.EV_DELETE, 0, 3);
        assertEquals(2, list.purge(5));
        assertEquals(2, list.count());
        assertEquals(6, array.ident(0));
        assertEquals(7, array.ident(1));
        assertEquals(Kevent.EV_DELETE, array.flags(1));
        assertEquals(0, list.purge(42));
    }
}
