package dev.pollen.net;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
 * <p><b>Threading:</b> {@link #resolve} is loop thread only; the look-ups run on the executor.
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
}
