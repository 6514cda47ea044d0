package dev.pollen.posix;

import dev.pollen.spi.StreamSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.io.File;
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
 * still accept an offset), lists {@code /proc/self/fd}, and takes the descriptor whose offset
 * ({@code lseek(fd, 0, SEEK_CUR)}) is that mark: the channel's own open file. It duplicates it
 * ({@code F_DUPFD_CLOEXEC}, checking the duplicate shows the mark too, in case the number was
 * closed and reused meanwhile), so a close of the channel during the transfer cannot hand the
 * number to another file under us, and puts the channel's position back. The cost is one
 * {@code lseek} per open descriptor of the process, once per {@code Net.sendfile} call
 * (benchmarks/results/sendfile.md); the number found is remembered per channel (weakly), so a
 * channel sent from again is checked with one {@code lseek} instead. A channel that is not the JDK's file channel (its position
 * is not the descriptor's offset) is not found: the caller falls back.
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
    private static final File FDS = new File("/proc/self/fd");
    /**
     * The descriptor number each channel had last time (by identity, weakly): checked with one
     * {@code lseek} before a new scan, so sending from one channel again costs no listing.
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
     * found (not the JDK's file channel, or {@code /proc} is not mounted).
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
            String[] fds = FDS.list(); // null without /proc: not found
            if (fds == null) {
                return -1;
            }
            for (String name : fds) {
                int fd;
                try {
                    fd = Integer.parseInt(name);
                } catch (NumberFormatException e) {
                    continue;
                }
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
