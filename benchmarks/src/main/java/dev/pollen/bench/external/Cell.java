package dev.pollen.bench.external;

/**
 * One configuration that every contestant runs in each round, e.g. 64 connections × 64 B.
 *
 * <p><b>Threading:</b> immutable, any thread.
 *
 * @param name  the name used on the command line and in the JSON, e.g. {@code 64x64} or
 *              {@code http-50}
 * @param label how tables and charts show it, e.g. {@code 64 conns × 64 B}
 * @param unit  what one unit of work is, singular: {@code message}, {@code request} or
 *              {@code MiB}
 */
record Cell(String name, String label, String unit) {
}
