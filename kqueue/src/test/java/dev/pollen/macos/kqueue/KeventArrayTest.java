package dev.pollen.macos.kqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pollen.posix.NativeMemory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** struct kevent encoding and decoding in native memory, at the offsets of the C layout. */
class KeventArrayTest {

    @Test
    void fieldsLandAtTheCOffsetsOfStructKevent() {
        KeventArray a = new KeventArray(2, Kevent.BASE_SIZE);
        try {
            a.set(1, 0x1122334455667788L, (short) -10, 0x8001, 0x01000000, -5L, 0x0102030405060708L);
            ByteBuffer raw = NativeMemory.view(a.address(), 64);
            int o = Kevent.BASE_SIZE; // entry 1
            assertEquals(ByteOrder.nativeOrder(), raw.order());
            assertEquals(0x1122334455667788L, raw.getLong(o));
            assertEquals((short) -10, raw.getShort(o + 8));
            assertEquals((short) 0x8001, raw.getShort(o + 10));
            assertEquals(0x01000000, raw.getInt(o + 12));
            assertEquals(-5L, raw.getLong(o + 16));
            assertEquals(0x0102030405060708L, raw.getLong(o + 24));
            assertEquals(0L, raw.getLong(0), "entry 0 untouched");
        } finally {
            a.free();
        }
    }

    @Test
    void decodingReadsWhatTheKernelWrote() {
        KeventArray a = new KeventArray(1, Kevent.BASE_SIZE);
        try {
            ByteBuffer raw = NativeMemory.view(a.address(), 32);
            raw.putLong(0, 42).putShort(8, Kevent.EVFILT_WRITE).putShort(10, (short) (Kevent.EV_EOF | Kevent.EV_ADD))
                    .putInt(12, 7).putLong(16, 65536).putLong(24, 99);
            assertEquals(42, a.ident(0));
            assertEquals(Kevent.EVFILT_WRITE, a.filter(0));
            assertEquals(Kevent.EV_EOF | Kevent.EV_ADD, a.flags(0), "flags are unsigned 16-bit");
            assertEquals(7, a.fflags(0));
            assertEquals(65536, a.data(0));
            assertEquals(99, a.udata(0));
            assertEquals("{ident=42, filter=-2, flags=EV_ADD|EV_EOF, fflags=0x7, data=65536, udata=99}",
                    a.describe(0));
        } finally {
            a.free();
        }
    }

    @Test
    void freeBsdStrideZeroesTheExtFields() {
        KeventArray a = new KeventArray(2, KqueueTarget.FREEBSD.keventSize);
        try {
            ByteBuffer raw = NativeMemory.view(a.address(), 128);
            for (int i = 0; i < 128; i += 8) {
                raw.putLong(i, -1L);
            }
            a.set(0, 3, Kevent.EVFILT_READ, Kevent.EV_ADD, 0, 0, 1);
            for (int x = 32; x < 64; x += 8) {
                assertEquals(0L, raw.getLong(x), "ext[] at " + x + " must be zero");
            }
            assertEquals(-1L, raw.getLong(64), "entry 1 starts at byte 64");
            assertEquals(3, a.ident(0));
        } finally {
            a.free();
        }
    }

    @Test
    void copyMovesAWholeEntry() {
        KeventArray a = new KeventArray(3, 64);
        try {
            a.set(2, 9, Kevent.EVFILT_READ, Kevent.EV_DELETE, 0, 0, 5);
            a.copy(2, 0);
            assertEquals(a.describe(2), a.describe(0));
        } finally {
            a.free();
        }
    }

    @Test
    void badArgumentsAreRejectedWithTheirName() {
        assertEquals("capacity must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new KeventArray(0, 32)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new KeventArray(1, 24));
        assertThrows(IllegalArgumentException.class, () -> new KeventArray(1, 36));
        KeventArray a = new KeventArray(1, 32);
        assertThrows(IndexOutOfBoundsException.class, () -> a.ident(1));
        a.free();
        a.free(); // idempotent
        assertThrows(IllegalStateException.class, a::address);
    }

    @Test
    void freeingReturnsTheNativeMemory() {
        long before = NativeMemory.outstandingBytes();
        KeventArray a = new KeventArray(10, 64);
        assertEquals(before + 640, NativeMemory.outstandingBytes());
        a.free();
        assertEquals(before, NativeMemory.outstandingBytes());
        KeventArray g = KeventArray.gcManaged(1, 32);
        g.set(0, 0, (short) -10, 0, Kevent.NOTE_TRIGGER, 0, 0);
        g.free(); // no-op: still usable by a racing thread
        assertEquals(Kevent.NOTE_TRIGGER, g.fflags(0));
        assertEquals(before, NativeMemory.outstandingBytes());
    }
}
