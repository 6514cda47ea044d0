package dev.pollen.linux.epoll;

/**
 * The layout of {@code struct epoll_event { uint32_t events; epoll_data_t data; }}, which
 * depends on the architecture: glibc and the kernel declare it {@code __attribute__((packed))}
 * on x86_64 only (for compatibility with 32-bit x86), so there it is 12 bytes with the 64-bit
 * data at offset 4 (unaligned); elsewhere (aarch64) the data is aligned to 8, so the struct is 16
 * bytes with the data at offset 8.
 *
 * <p><b>Threading:</b> immutable, any thread.
 *
 * @param size       sizeof(struct epoll_event)
 * @param dataOffset offsetof(struct epoll_event, data)
 */
record EpollEventLayout(int size, int dataOffset) {

    /** x86_64: packed. */
    static final EpollEventLayout PACKED = new EpollEventLayout(12, 4);
    /** aarch64 and the other 64-bit architectures: naturally aligned. */
    static final EpollEventLayout ALIGNED = new EpollEventLayout(16, 8);

    /**
     * The layout for an architecture.
     *
     * @param arch the {@code os.arch} value
     * @return the layout, or null for an architecture this backend does not support
     */
    static EpollEventLayout forArch(String arch) {
        if ("amd64".equals(arch) || "x86_64".equals(arch)) {
            return PACKED;
        }
        if ("aarch64".equals(arch) || "arm64".equals(arch)) {
            return ALIGNED;
        }
        return null;
    }
}
