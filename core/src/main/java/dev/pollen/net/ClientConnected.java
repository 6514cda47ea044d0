package dev.pollen.net;

/**
 * What a stream server does with each connection ({@link Net#startServer}'s
 * {@code client_connected_cb}). It runs as a new task per connection, so it may await.
 *
 * <p>An exception escaping it is reported to the loop's exception handler and the connection is
 * closed (as asyncio 3.13). Returning does not close the connection: close the writer.
 *
 * <p><b>Threading:</b> called on the loop thread, inside a task.
 */
@FunctionalInterface
public interface ClientConnected {

    /**
     * Serves one connection.
     *
     * <p><b>Threading:</b> called on the loop thread, inside a task.
     *
     * @param reader reads from the client
     * @param writer writes to the client
     * @throws Exception anything; reported and the connection closed
     */
    void handle(StreamReader reader, StreamWriter writer) throws Exception;
}
