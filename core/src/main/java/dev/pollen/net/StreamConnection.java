package dev.pollen.net;

/**
 * The two halves of a stream connection, as {@link Net#openConnection} returns them (asyncio's
 * {@code (reader, writer)} pair).
 *
 * <p><b>Threading:</b> immutable; use the halves on their loop's thread.
 *
 * @param reader the reading half
 * @param writer the writing half
 */
public record StreamConnection(StreamReader reader, StreamWriter writer) {
}
