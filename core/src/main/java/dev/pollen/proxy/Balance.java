package dev.pollen.proxy;

/**
 * How a {@link TcpProxy} picks the upstream for a new client (HAProxy's {@code balance}).
 * Either way, a failed attempt moves on to the next upstream of the list, wrapping around, until
 * {@link TcpProxy.Builder#retries(int) retries} are used up.
 *
 * <p><b>Threading:</b> any thread (an enum).
 */
public enum Balance {
    /**
     * Always start with the first upstream; the others are fallbacks, tried in list order
     * (HAProxy's {@code balance first}, or a primary with backups).
     */
    FIRST,
    /**
     * Start each new client on the next upstream in turn, one shared counter for the whole proxy
     * (every loop of a group), so clients spread evenly (HAProxy's {@code balance roundrobin}
     * with equal weights).
     */
    ROUND_ROBIN
}
