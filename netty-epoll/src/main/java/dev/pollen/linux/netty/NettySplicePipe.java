package dev.pollen.linux.netty;

import dev.pollen.spi.AbstractSplicePipe;
import dev.pollen.spi.PipePool;
import io.netty.channel.epoll.Native;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.NotYetConnectedException;

/**
 * The {@link dev.pollen.spi.SplicePipe} of netty-epoll: kernel pipes from Netty's public
 * {@link FileDescriptor#pipe()} ({@code pipe2(O_NONBLOCK)}) between two
 * {@link NettyStreamSocket}s, filled and drained with Netty's public {@link Native#splice}
 * ({@code SPLICE_F_MOVE | SPLICE_F_NONBLOCK}, EINTR retried in C, the same flags as pollen-posix's
 * {@code KernelPipe}). {@link AbstractSplicePipe} holds a kernel pipe only between
 * {@link #reserve()} and {@link #release()}, keeps the count, the loop's cap
 * ({@value AbstractSplicePipe#MAX_PIPES_PROPERTY}) and the back-off, and gives released pipes to
 * this backend's own process-wide {@link #POOL} (not posix's: these pipes lack
 * {@code O_CLOEXEC}).
 *
 * <p>What Netty's JNI does not give, and how this class makes up for it:
 * <ul>
 *   <li>Netty's splice answers 0 both at end-of-stream ({@code splice} returning 0) and for
 *       EAGAIN (nothing to read, or no free slot in the pipe). After a 0, a one-byte
 *       {@code recv(2)} of the source tells which: -1 is end-of-stream, 0 is nothing now, and a
 *       byte that arrived in between goes into the pipe behind the spliced ones (an empty slot
 *       is needed for it; while the pipe has none it waits in {@link #carry} and goes in first
 *       at the next call, so the order of the bytes holds). The carried byte is counted in
 *       {@link #buffered()} from the moment it is read, so a pipe carrying one is not empty: it is
 *       neither released nor pooled until the byte went out. The extra call comes once per
 *       readiness event, when the source runs dry.</li>
 *   <li>No {@code fcntl}: the pipe cannot be resized ({@value AbstractSplicePipe#PIPE_SIZE_PROPERTY}
 *       has no effect here) nor asked its size, so the capacity is Linux's default,
 *       {@value AbstractSplicePipe#DEFAULT_PIPE_SIZE} bytes (a pipe the kernel made smaller,
 *       past {@code /proc/sys/fs/pipe-user-pages-soft}, takes less per call; nothing else
 *       changes).</li>
 *   <li>Netty's {@code pipe2} sets no {@code O_CLOEXEC}: the two descriptors would survive an
 *       {@code exec} that does not close them. The JDK's process launcher (which netty-epoll's
 *       subprocesses use) closes every descriptor above 2 in the child.</li>
 * </ul>
 *
 * <p><b>Threading:</b> loop thread only (the pool is thread-safe).
 */
final class NettySplicePipe extends AbstractSplicePipe {

    /** The empty pipes of netty-epoll, shared by all its loops. */
    static final PipePool POOL = new PipePool();

    private static final int NO_CARRY = -1;

    private final NettyStreamSocket from;
    private final NettyStreamSocket to;
    /** Netty's handle on the held pipe's write end (for the carried byte), made when first needed. */
    private FileDescriptor writeFd;
    /** A byte read by the end-of-stream probe that found no slot in the pipe yet, or -1. */
    private int carry = NO_CARRY;

    private NettySplicePipe(NettySocketLayer layer, NettyStreamSocket from, NettyStreamSocket to) {
        super(layer.splicePipes, POOL);
        this.from = from;
        this.to = to;
    }

    /**
     * A pipe from {@code from} to {@code to}, holding no kernel pipe yet, or null when the cap is
     * 0 (splicing off).
     */
    static NettySplicePipe open(NettySocketLayer layer, NettyStreamSocket from, NettyStreamSocket to) {
        if (maxPipes() <= 0) {
            return null;
        }
        return new NettySplicePipe(layer, from, to);
    }

    @Override
    protected boolean newPipe(int requestedSize) {
        FileDescriptor[] fds;
        try {
            fds = FileDescriptor.pipe();
        } catch (IOException e) {
            return false; // EMFILE, ENFILE, ENOMEM: copy instead (never a failure of the connection)
        }
        hold(fds[0].intValue(), fds[1].intValue(), DEFAULT_PIPE_SIZE); // no fcntl to ask
        return true;
    }

    @Override
    protected int spliceIn(int max) throws IOException {
        if (carry != NO_CARRY && !placeCarry()) {
            return 0; // still no slot for the carried byte (already counted in): the pipe is full
        }
        int n;
        try {
            n = Native.splice(from.socket.intValue(), -1, writeEnd(), -1, max);
            if (n > 0) {
                return n;
            }
            // 0: end-of-stream, or EAGAIN (nothing to read, or no slot in the pipe)
            ByteBuffer one = Scratch.get();
            n = from.socket.recv(one, 0, 1); // -1 at end-of-stream, 0 for EAGAIN
            if (n <= 0) {
                return n;
            }
            carry = one.get(0) & 0xff;
        } catch (IOException | NotYetConnectedException e) {
            throw from.failure(e, "splice");
        }
        placeCarry(); // if no slot now, the next fill or drain puts it in before anything else
        return 1;
    }

    @Override
    protected int spliceOut(int max) throws IOException {
        int inPipe = carry == NO_CARRY ? max : max - 1;
        if (inPipe == 0) {
            // only the carried byte is left: the pipe is empty, so it has a slot for it
            if (!placeCarry()) {
                throw new IOException("splice pipe " + this + " refused a byte while empty");
            }
            inPipe = 1;
        }
        try {
            return Native.splice(readEnd(), -1, to.socket.intValue(), -1, inPipe);
        } catch (IOException | NotYetConnectedException e) {
            throw to.failure(e, "splice");
        }
    }

    /** Whether a probed byte waits for a slot (for tests). */
    boolean carrying() {
        return carry != NO_CARRY;
    }

    /** Puts {@link #carry} into the pipe; false while the pipe has no slot for it. */
    private boolean placeCarry() throws IOException {
        if (writeFd == null || writeFd.intValue() != writeEnd()) {
            writeFd = new FileDescriptor(writeEnd()); // a handle only: closed by closePipe
        }
        ByteBuffer one = Scratch.get();
        one.put(0, (byte) carry);
        int n;
        try {
            n = writeFd.write(one, 0, 1); // 0 for EAGAIN
        } catch (IOException e) {
            throw from.failure(e, "splice");
        }
        if (n == 1) {
            carry = NO_CARRY;
            return true;
        }
        return false;
    }

    @Override
    protected void closePipe(int readEnd, int writeEnd) {
        carry = NO_CARRY; // a pipe closed with bytes in it drops them all, the carried one too
        writeFd = null;
        closeQuietly(new FileDescriptor(readEnd));
        closeQuietly(new FileDescriptor(writeEnd));
    }

    private static void closeQuietly(FileDescriptor fd) {
        try {
            fd.close();
        } catch (IOException ignored) {
            // close(2) on a pipe end only fails for EBADF, impossible here: the fd is held
        }
    }

    @Override
    public String toString() {
        return "NettySplicePipe[fd " + from.socket.intValue() + " -> fd " + to.socket.intValue()
                + ", " + state() + (carry == NO_CARRY ? "" : ", 1 byte carried") + "]";
    }
}
