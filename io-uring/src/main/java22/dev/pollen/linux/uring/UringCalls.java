package dev.pollen.linux.uring;

import dev.pollen.posix.PosixCalls;

/**
 * The C library functions the {@code ffm} engine binds ({@link FfmEngine}), through
 * {@link dev.pollen.posix.FfmDowncalls#bind}: the method name is the C symbol, the conventions
 * are {@link PosixCalls}'s (-1 and errno on failure, addresses as {@code long}). io_uring has no
 * glibc wrapper, so its three system calls go through {@code syscall(2)}.
 *
 * <p><b>Threading:</b> any thread.
 */
interface UringCalls {

    /**
     * syscall(2) with six arguments (unused ones are ignored by the kernel).
     *
     * @param number the system call number
     * @param a      first argument
     * @param b      second
     * @param c      third
     * @param d      fourth
     * @param e      fifth
     * @param f      sixth
     * @return the call's result, or -1 with errno
     */
    @PosixCalls.Variadic(firstVariadicArg = 1)
    long syscall(long number, long a, long b, long c, long d, long e, long f);

    /**
     * mmap(2).
     *
     * @param addr   0
     * @param length bytes
     * @param prot   PROT_*
     * @param flags  MAP_*
     * @param fd     the ring fd
     * @param offset IORING_OFF_*
     * @return the address, or -1 (MAP_FAILED)
     */
    long mmap(long addr, long length, int prot, int flags, int fd, long offset);

    /**
     * munmap(2).
     *
     * @param addr   the address mmap returned
     * @param length its length
     * @return 0 or -1
     */
    int munmap(long addr, long length);

    /**
     * eventfd(2).
     *
     * @param initval the initial count
     * @param flags   EFD_*
     * @return the fd or -1
     */
    int eventfd(int initval, int flags);
}
