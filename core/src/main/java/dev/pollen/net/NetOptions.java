package dev.pollen.net;

import java.time.Duration;

/**
 * Settings for servers and connections (TCP, Unix domain) and datagram endpoints.
 *
 * <p>Start from {@link #defaults()} and change what you need:
 * <pre>{@code
 * NetOptions o = NetOptions.builder().backlog(1024).reusePort(true).build();
 * }</pre>
 *
 * <p><b>Threading:</b> immutable, any thread.
 *
 * @param backlog           listen backlog of servers (default 511; the kernel caps it, on Linux
 *                          at {@code net.core.somaxconn})
 * @param reuseAddress      {@code SO_REUSEADDR} on listening sockets (default true, as asyncio on
 *                          POSIX: a restarted server can bind while old connections linger in
 *                          TIME_WAIT)
 * @param reusePort         {@code SO_REUSEPORT} on listening and datagram sockets (default false)
 * @param tcpNoDelay        {@code TCP_NODELAY} on TCP connections, client and accepted (default
 *                          true, as asyncio since 3.7 and Netty); ignored for Unix sockets
 * @param keepAlive         {@code SO_KEEPALIVE} on TCP connections (default false)
 * @param receiveBufferSize {@code SO_RCVBUF} in bytes, or 0 for the kernel's default
 * @param sendBufferSize    {@code SO_SNDBUF} in bytes, or 0 for the kernel's default
 * @param connectTimeout    how long a connect may take in total (all resolved addresses), or null
 *                          to wait as long as the kernel does
 * @param writeBufferHigh   the transports' initial write-buffer high-water mark (default 64 KiB)
 * @param writeBufferLow    the transports' initial write-buffer low-water mark (default 16 KiB)
 * @param streamLimit       the {@link StreamReader} buffer limit of stream connections (default
 *                          64 KiB, asyncio's): the longest line or {@code readUntil} chunk
 * @param idleTimeout       how long a stream connection (client or accepted, TCP or Unix) may
 *                          go without reading or writing a byte before it is closed with a
 *                          {@link java.net.SocketTimeoutException}, or null for never (the
 *                          default); see {@link Transport#setIdleTimeout(Duration)}
 * @param happyEyeballsDelay Happy Eyeballs for TCP connections (RFC 8305, asyncio's
 *                          {@code happy_eyeballs_delay}): when a host name has several addresses,
 *                          the next one is tried this long after the previous attempt started (or
 *                          at once when it fails) while the earlier attempts go on; the first to
 *                          connect wins and the others are abandoned. Null (the default, as
 *                          asyncio) tries the addresses one after the other; RFC 8305 recommends
 *                          250 ms
 * @param interleave        how the addresses are reordered by family before they are tried
 *                          (asyncio's {@code interleave}, RFC 8305's "First Address Family
 *                          Count"): {@code n > 0} takes {@code n} addresses of the first family,
 *                          then alternates one of each family; 0 keeps the resolver's order; null
 *                          (the default) means 1 with Happy Eyeballs and 0 without
 */
public record NetOptions(int backlog, boolean reuseAddress, boolean reusePort, boolean tcpNoDelay,
        boolean keepAlive, int receiveBufferSize, int sendBufferSize, Duration connectTimeout,
        int writeBufferHigh, int writeBufferLow, int streamLimit, Duration idleTimeout,
        Duration happyEyeballsDelay, Integer interleave) {

    /** The default listen backlog (as nginx and Node.js). */
    public static final int DEFAULT_BACKLOG = 511;
    /** The default write-buffer high-water mark, 64 KiB (asyncio's). */
    public static final int DEFAULT_HIGH_WATER = 64 * 1024;
    /** The default write-buffer low-water mark, 16 KiB (asyncio's: a quarter of the high one). */
    public static final int DEFAULT_LOW_WATER = 16 * 1024;
    /** The default stream reader limit, 64 KiB (asyncio's). */
    public static final int DEFAULT_STREAM_LIMIT = 64 * 1024;

    private static final NetOptions DEFAULTS = new NetOptions(DEFAULT_BACKLOG, true, false, true,
            false, 0, 0, null, DEFAULT_HIGH_WATER, DEFAULT_LOW_WATER, DEFAULT_STREAM_LIMIT, null,
            null, null);

    /**
     * Validates the settings.
     *
     * @throws IllegalArgumentException naming the setting that is out of range
     */
    public NetOptions {
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be at least 1, got " + backlog);
        }
        if (receiveBufferSize < 0) {
            throw new IllegalArgumentException("receiveBufferSize must be 0 (kernel default) or "
                    + "positive, got " + receiveBufferSize);
        }
        if (sendBufferSize < 0) {
            throw new IllegalArgumentException("sendBufferSize must be 0 (kernel default) or "
                    + "positive, got " + sendBufferSize);
        }
        if (connectTimeout != null && (connectTimeout.isNegative() || connectTimeout.isZero())) {
            throw new IllegalArgumentException("connectTimeout must be positive or null (none), "
                    + "got " + connectTimeout);
        }
        WaterMarks.check(writeBufferHigh, writeBufferLow);
        if (streamLimit < 1) {
            throw new IllegalArgumentException("streamLimit must be positive, got " + streamLimit);
        }
        IdleTimer.check("idleTimeout", idleTimeout);
        if (happyEyeballsDelay != null && happyEyeballsDelay.isNegative()) {
            throw new IllegalArgumentException("happyEyeballsDelay must be zero or positive, or "
                    + "null (try the addresses one after the other), got " + happyEyeballsDelay);
        }
        if (interleave != null && interleave < 0) {
            throw new IllegalArgumentException("interleave must be 0 (keep the resolver's order), "
                    + "positive (addresses of the first family before alternating), or null "
                    + "(1 with Happy Eyeballs, else 0), got " + interleave);
        }
    }

    /**
     * The interleave actually used: {@link #interleave()}, or its default (1 with Happy
     * Eyeballs, 0 without).
     *
     * <p><b>Threading:</b> any thread (immutable).
     *
     * @return the first-address-family count, 0 for none
     */
    public int effectiveInterleave() {
        return interleave != null ? interleave : happyEyeballsDelay != null ? 1 : 0;
    }

    /**
     * The defaults described on each component.
     *
     * <p><b>Threading:</b> any thread (immutable).
     *
     * @return the default options
     */
    public static NetOptions defaults() {
        return DEFAULTS;
    }

    /**
     * A builder starting from the defaults.
     *
     * <p><b>Threading:</b> any thread (immutable).
     *
     * @return a new builder
     */
    public static Builder builder() {
        return DEFAULTS.toBuilder();
    }

    /**
     * A builder starting from these options.
     *
     * <p><b>Threading:</b> any thread (immutable).
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Builds {@link NetOptions}.
     *
     * <p><b>Threading:</b> not thread-safe; build on one thread.
     */
    public static final class Builder {
        private int backlog;
        private boolean reuseAddress;
        private boolean reusePort;
        private boolean tcpNoDelay;
        private boolean keepAlive;
        private int receiveBufferSize;
        private int sendBufferSize;
        private Duration connectTimeout;
        private int writeBufferHigh;
        private int writeBufferLow;
        private int streamLimit;
        private Duration idleTimeout;
        private Duration happyEyeballsDelay;
        private Integer interleave;

        private Builder(NetOptions o) {
            backlog = o.backlog;
            reuseAddress = o.reuseAddress;
            reusePort = o.reusePort;
            tcpNoDelay = o.tcpNoDelay;
            keepAlive = o.keepAlive;
            receiveBufferSize = o.receiveBufferSize;
            sendBufferSize = o.sendBufferSize;
            connectTimeout = o.connectTimeout;
            writeBufferHigh = o.writeBufferHigh;
            writeBufferLow = o.writeBufferLow;
            streamLimit = o.streamLimit;
            idleTimeout = o.idleTimeout;
            happyEyeballsDelay = o.happyEyeballsDelay;
            interleave = o.interleave;
        }

        /**
         * Sets the listen backlog.
         *
         * <p><b>Threading:</b> any thread (immutable).
         *
         * @param backlog at least 1
         * @return this builder
         */
        public Builder backlog(int backlog) {
            this.backlog = backlog;
            return this;
        }

        /**
         * Sets {@code SO_REUSEADDR} for listening sockets.
         *
         * <p><b>Threading:</b> any thread (immutable).
         *
         * @param on whether to set it
         * @return this builder
         */
        public Builder reuseAddress(boolean on) {
            this.reuseAddress = on;
            return this;
        }

        /**
         * Sets {@code SO_REUSEPORT} for listening and datagram sockets.
         *
         * <p><b>Threading:</b> any thread (immutable).
         *
         * @param on whether to set it
         * @return this builder
         */
        public Builder reusePort(boolean on) {
            this.reusePort = on;
            return this;
        }

        /**
         * Sets {@code TCP_NODELAY} (Nagle's algorithm off) for TCP connections.
         *
         * <p><b>Threading:</b> any thread (immutable).
         *
         * @param on whether to set it
         * @return this builder
         */
        public Builder tcpNoDelay(boolean on) {
            this.tcpNoDelay = on;
            return this;
        }

        /**
         * Sets {@code SO_KEEPALIVE} for TCP connections.
         *
         * <p><b>Threading:</b> any thread (immutable).
         *
         * @param on whether to set it
         * @return this builder
         */
        public Builder keepAlive(boolean on) {
            this.keepAlive = on;
            return this;
        }

        /**
         * Sets {@code SO_RCVBUF}.
         *
         * <p><b>Threading:</b> any thread (immutable).
         *
         * @param bytes the size, or 0 for the kernel's default
         * @return this builder
         */
        public Builder receiveBufferSize(int bytes) {
            this.receiveBufferSize = bytes;
            return this;
        }

        /**
         * Sets {@code SO_SNDBUF}.
         *
         * <p><b>Threading:</b> any thread (immutable).
         *
         * @param bytes the size, or 0 for the kernel's default
         * @return this builder
         */
        public Builder sendBufferSize(int bytes) {
            this.sendBufferSize = bytes;
            return this;
        }

        /**
         * Sets the total connect timeout.
         *
         * <p><b>Threading:</b> any thread (immutable).
         *
         * @param timeout a positive duration, or null for none
         * @return this builder
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /**
         * Sets the transports' initial write-buffer water marks (see
         * {@link Transport#setWriteBufferLimits(int, int)}).
         *
         * <p><b>Threading:</b> any thread (immutable).
         *
         * @param high the high-water mark in bytes
         * @param low  the low-water mark in bytes, at most {@code high}
         * @return this builder
         */
        public Builder writeBufferLimits(int high, int low) {
            this.writeBufferHigh = high;
            this.writeBufferLow = low;
            return this;
        }

        /**
         * Sets the stream reader limit of stream connections.
         *
         * <p><b>Threading:</b> any thread (immutable).
         *
         * @param bytes a positive size
         * @return this builder
         */
        public Builder streamLimit(int bytes) {
            this.streamLimit = bytes;
            return this;
        }

        /**
         * Sets the idle timeout of stream connections: a connection that neither reads nor
         * writes a byte for this long is closed, and its protocol's
         * {@link Protocol#connectionLost(Throwable)} gets a
         * {@link java.net.SocketTimeoutException} (a stream's reads throw it).
         *
         * <p><b>Threading:</b> any thread (immutable).
         *
         * @param timeout a positive duration, or null for none (the default)
         * @return this builder
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = timeout;
            return this;
        }

        /**
         * Turns Happy Eyeballs on for TCP connections to host names with several addresses
         * (asyncio's {@code happy_eyeballs_delay}; RFC 8305 recommends 250 ms): each next address
         * is tried {@code delay} after the previous attempt started, or at once when it fails,
         * and the first connection wins.
         *
         * <p><b>Threading:</b> any thread (immutable).
         *
         * @param delay zero or positive, or null to try the addresses one after the other
         * @return this builder
         */
        public Builder happyEyeballsDelay(Duration delay) {
            this.happyEyeballsDelay = delay;
            return this;
        }

        /**
         * Sets how addresses are interleaved by family before they are tried (asyncio's
         * {@code interleave}; see {@link NetOptions#interleave()}).
         *
         * <p><b>Threading:</b> any thread (immutable).
         *
         * @param firstFamilyCount 0 to keep the resolver's order, or how many addresses of the
         *                         first family come before the families alternate; null for the
         *                         default
         * @return this builder
         */
        public Builder interleave(Integer firstFamilyCount) {
            this.interleave = firstFamilyCount;
            return this;
        }

        /**
         * Creates the options.
         *
         * <p><b>Threading:</b> any thread (immutable).
         *
         * @return the options
         * @throws IllegalArgumentException if a setting is out of range
         */
        public NetOptions build() {
            return new NetOptions(backlog, reuseAddress, reusePort, tcpNoDelay, keepAlive,
                    receiveBufferSize, sendBufferSize, connectTimeout, writeBufferHigh,
                    writeBufferLow, streamLimit, idleTimeout, happyEyeballsDelay, interleave);
        }
    }
}
