package dev.pollen.posix;

import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Linux {@code sendfile(2)} from a {@link FileChannel} to a {@link PosixStreamSocket}: the
 * socket's {@link StreamSocket.FileSender}.
 *
 * <p><b>Finding the channel's descriptor.</b> The JDK keeps a {@code FileChannel}'s descriptor
 * private ({@code sun.nio.ch} is not open to applications, and reading it would need
 * {@code --add-opens}). So {@link #open} finds it through the kernel: it moves the channel's
 * position to a random mark far past any real file (1 to 1.5 TiB, where Linux file systems
 * still accept an offset), probes the descriptor numbers from 0 up to {@link #MAX_PROBE} with
 * {@code lseek(fd, 0, SEEK_CUR)}, and takes the one whose offset is that mark: the channel's own
 * open file. It duplicates it ({@code F_DUPFD_CLOEXEC}, checking the duplicate shows the mark
 * too, in case the number was closed and reused meanwhile), so a close of the channel during the
 * transfer cannot hand the number to another file under us, and puts the channel's position
 * back. The number found is remembered per channel (weakly), so a channel sent from again costs
 * one {@code lseek}. A channel that is not the JDK's file channel (its position is not the
 * descriptor's offset), or whose descriptor is {@link #MAX_PROBE} or more, is not found: the
 * caller falls back. Costs: benchmarks/results/sendfile.md.
 *
 * <p>Each {@link #send} is one {@code sendfile} with an explicit offset (the descriptor's own
 * offset never moves), retried on EINTR; EAGAIN is "send buffer full" (0).
 *
 * <p><b>Threading:</b> loop thread only.
 */
final class PosixFileSender implements StreamSocket.FileSender {

    /** Linux's {@code F_DUPFD_CLOEXEC} (asm-generic; this sender exists on Linux only). */
    static final int F_DUPFD_CLOEXEC = 1030;
    /** {@code SEEK_CUR}. */
    static final int SEEK_CUR = 1;
    /** Where the marks start: 1 TiB, past any file a test or server sends, under ext4's limit. */
    private static final long MARK_BASE = 1L << 40;
    /** Descriptor numbers probed: a file's descriptor at or above it is not found. */
    static final int MAX_PROBE = 1024;
    /**
     * The descriptor number each channel had last time (by identity, weakly): checked with one
     * {@code lseek} before a new probe, so sending from one channel again costs one call.
     */
    private static final Map<FileChannel, Integer> KNOWN =
            Collections.synchronizedMap(new WeakHashMap<>());

    private final PosixStreamSocket socket;
    private final int fileFd;
    private final long offsetAddress;
    private final ByteBuffer offset;
    private boolean closed;

    private PosixFileSender(PosixStreamSocket socket, int fileFd) {
        this.socket = socket;
        this.fileFd = fileFd;
        this.offsetAddress = NativeMemory.allocate(Long.BYTES);
        this.offset = NativeMemory.view(offsetAddress, Long.BYTES);
    }

    /**
     * A sender of {@code file} to {@code socket}, or null if the file's descriptor cannot be
     * found (not the JDK's file channel, or a number of {@link #MAX_PROBE} or more).
     *
     * @throws IOException if the channel is closed, or the duplicate cannot be made
     */
    static PosixFileSender open(PosixStreamSocket socket, FileChannel file) throws IOException {
        int fd = duplicate(file);
        return fd < 0 ? null : new PosixFileSender(socket, fd);
    }

    /** A duplicate of {@code file}'s descriptor (close-on-exec), or -1 if it is not found. */
    static int duplicate(FileChannel file) throws IOException {
        long saved = file.position();
        long mark = MARK_BASE + ThreadLocalRandom.current().nextLong(1L << 39);
        try {
            try {
                file.position(mark);
            } catch (IOException e) {
                return -1; // a file system with a smaller limit (vfat): not found, fall back
            }
            if (file.position() != mark) {
                return -1; // append mode, or not a descriptor-backed channel
            }
            Integer known = KNOWN.get(file);
            if (known != null) {
                int dup = duplicateIfMarked(known, mark);
                if (dup >= 0) {
                    return dup;
                }
            }
            // Probe the numbers upward (an unused one answers EBADF at once): the kernel hands
            // out the lowest free number, so a file opened in a process with few descriptors
            // has a small one. Listing /proc/self/fd instead grew worse than linearly with the
            // descriptor count (benchmarks/results/sendfile.md).
            for (int fd = 0; fd < MAX_PROBE; fd++) {
                int dup = duplicateIfMarked(fd, mark);
                if (dup >= 0) {
                    KNOWN.put(file, fd);
                    return dup;
                }
            }
            return -1;
        } finally {
            file.position(saved);
        }
    }

    /** A duplicate of {@code fd} if its offset is {@code mark}, else -1. */
    private static int duplicateIfMarked(int fd, long mark) throws IOException {
        if (LibC.lseek(fd, 0, SEEK_CUR) != mark) {
            return -1;
        }
        int dup = LibC.fcntl(fd, F_DUPFD_CLOEXEC, 0);
        if (dup < 0) {
            throw new IOException("sendfile: cannot duplicate the file's descriptor " + fd
                    + ": errno " + LibC.errno());
        }
        if (LibC.lseek(dup, 0, SEEK_CUR) == mark) {
            return dup;
        }
        LibC.close(dup); // the number was closed and reused meanwhile
        return -1;
    }

    @Override
    public long send(long position, long count) throws IOException {
        if (closed) {
            throw new IllegalStateException("sendfile: the sender is closed");
        }
        offset.putLong(0, position);
        return socket.sendfileFrom(fileFd, offsetAddress, count);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            LibC.close(fileFd);
            NativeMemory.free(offsetAddress, Long.BYTES);
        }
    }

    @Override
    public String toString() {
        return "PosixFileSender[file fd " + fileFd + " -> " + socket + "]";
    }
}
