package dev.pollen.net;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Turns host names into addresses without blocking the loop: {@code getaddrinfo} (behind
 * {@link InetAddress#getAllByName}) can block for seconds, so names are resolved on the loop's
 * {@linkplain EventLoop#defaultExecutor() default executor} (as asyncio's {@code getaddrinfo}
 * does) and the result comes back to the loop through {@link Future#wrap}. IP literals and the
 * wildcard need no look-up and are answered at once.
 *
 * <p>Reverse look-ups ({@link #nameOf}, asyncio's {@code getnameinfo}) run the same way.
 *
 * <p><b>Threading:</b> {@link #resolve} and {@link #nameOf} are loop thread only; the look-ups
 * run on the executor.
 */
final class Resolver {

    private Resolver() {
    }

    /**
     * Resolves {@code host}. A null or empty host means the wildcard address when
     * {@code passive} (binding), and is refused otherwise.
     *
     * @return a future of {@code loop} with every address, in the resolver's order
     */
    static Future<List<InetSocketAddress>> resolve(EventLoop loop, String host, int port,
            boolean passive) {
        return resolve(loop, host, port, passive, null);
    }

    /**
     * As {@link #resolve(EventLoop, String, int, boolean)}, keeping only the addresses of
     * {@code family} (null: all). A name with no address of that family fails with an
     * {@link UnknownHostException} that says so.
     */
    static Future<List<InetSocketAddress>> resolve(EventLoop loop, String host, int port,
            boolean passive, ProtocolFamily family) {
        if (family != null) {
            Future<List<InetSocketAddress>> all = resolve(loop, host, port, passive, null);
            Future<List<InetSocketAddress>> out = loop.createFuture();
            all.addDoneCallback(f -> {
                if (out.isDone()) {
                    if (!f.isCancelled()) {
                        f.exception(); // nobody else will look at it
                    }
                } else if (f.isCancelled()) {
                    out.cancel();
                } else if (f.exception() != null) {
                    out.setException(f.exception());
                } else {
                    List<InetSocketAddress> kept = new ArrayList<>();
                    for (InetSocketAddress a : f.result()) {
                        if (familyOf(a.getAddress()) == family) {
                            kept.add(a);
                        }
                    }
                    if (kept.isEmpty()) {
                        out.setException(new UnknownHostException(host + ": no " + family
                                + " address (it resolved to " + f.result().size()
                                + " address" + (f.result().size() == 1 ? "" : "es")
                                + " of another family)"));
                    } else {
                        out.setResult(kept);
                    }
                }
            });
            out.addDoneCallback(f -> {
                if (f.isCancelled()) {
                    all.cancel();
                }
            });
            return out;
        }
        Future<List<InetSocketAddress>> f;
        if (host == null || host.isEmpty()) {
            f = loop.createFuture();
            if (passive) {
                f.setResult(List.of(new InetSocketAddress(port)));
            } else {
                f.setException(new IllegalArgumentException("host must be a host name or an IP "
                        + "address, got " + (host == null ? "null" : "an empty string")));
            }
            return f;
        }
        if (isLiteral(host)) {
            f = loop.createFuture();
            try {
                // For a literal getByName parses the text and does no look-up.
                f.setResult(List.of(new InetSocketAddress(InetAddress.getByName(host), port)));
            } catch (UnknownHostException e) {
                f.setException(e);
            }
            return f;
        }
        return Future.wrap(loop, CompletableFuture.supplyAsync(() -> lookUp(host, port),
                loop.defaultExecutor()));
    }

    private static List<InetSocketAddress> lookUp(String host, int port) {
        try {
            InetAddress[] all = InetAddress.getAllByName(host);
            List<InetSocketAddress> out = new ArrayList<>(all.length);
            for (InetAddress a : all) {
                out.add(new InetSocketAddress(a, port));
            }
            return out;
        } catch (UnknownHostException e) {
            throw new CompletionException(e);
        }
    }

    /**
     * The host name of {@code address} by a reverse look-up (asyncio's {@code getnameinfo}), or
     * its text form when it has none (as {@code getnameinfo} without {@code NI_NAMEREQD}).
     *
     * @return a future of {@code loop}
     */
    static Future<String> nameOf(EventLoop loop, InetAddress address) {
        byte[] raw = address.getAddress();
        return Future.wrap(loop, CompletableFuture.supplyAsync(() -> {
            try {
                // A copy without the name it may carry, so getHostName asks the resolver.
                return InetAddress.getByAddress(raw).getHostName();
            } catch (UnknownHostException e) {
                throw new CompletionException(e); // cannot happen for a 4- or 16-byte address
            }
        }, loop.defaultExecutor()));
    }

    /** The protocol family of an address. */
    static StandardProtocolFamily familyOf(InetAddress a) {
        return a instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }

    /** An IPv4 dotted quad or anything with a colon (IPv6, possibly bracketed). */
    static boolean isLiteral(String host) {
        if (host.indexOf(':') >= 0) {
            return true;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if ((c < '0' || c > '9') && c != '.') {
                return false;
            }
        }
        return true;
    }

    /**
     * A look-up failure with what the user asked for in front ({@code "connect to
     * nowhere.example:80: nowhere.example: Name or service not known"}), still an
     * {@link UnknownHostException} with the original as its cause.
     */
    static UnknownHostException unknownHost(String doing, UnknownHostException e) {
        UnknownHostException out = new UnknownHostException(doing + ": " + e.getMessage());
        out.initCause(e);
        return out;
    }
}
