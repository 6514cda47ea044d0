/**
 * The poller SPI: the one small interface every kernel backend implements.
 *
 * <p>A backend supplies a {@link dev.pollen.spi.PollerProvider} (found with
 * {@link java.util.ServiceLoader}), which makes {@link dev.pollen.spi.Poller}s. A poller
 * multiplexes readiness of {@link dev.pollen.spi.IoSource}s and owns the
 * {@link dev.pollen.spi.SocketLayer} that creates those sources, because an fd-based poller
 * needs fd-based sockets and the NIO poller needs channels. The layers above (loop, tasks,
 * networking) only ever talk to these interfaces.
 *
 * <p><b>Writing a backend.</b> {@link dev.pollen.spi.AbstractPoller} (with
 * {@link dev.pollen.spi.AbstractRegistration} and {@link dev.pollen.spi.AbstractSource}) is the
 * generic part every poller shares: registration checks, the ready list and its dispatch,
 * re-waiting, interrupts and the one wakeup gate. A backend implements only its kernel calls
 * (add/modify/remove interest, one wait, a signal, a release); see docs/extending.md.
 *
 * <p><b>Threading.</b> Everything in this package is confined to the thread that runs the
 * poller (the event loop's thread), with two exceptions stated on the methods:
 * {@link dev.pollen.spi.Poller#wakeup()} and the static methods of
 * {@link dev.pollen.spi.Pollers}, which are thread-safe.
 */
package dev.pollen.spi;
