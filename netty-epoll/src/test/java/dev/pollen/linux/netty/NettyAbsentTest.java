package dev.pollen.linux.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A user who excluded Netty from {@code pollen-netty-epoll}: the provider is still found by
 * {@link java.util.ServiceLoader}, reports itself unavailable in one line naming the Maven
 * dependency to add, and selecting it by name fails with that line instead of a
 * {@code NoClassDefFoundError}.
 *
 * <p>Runs Pollen in a class loader that holds only this module's classes, pollen-core and
 * JCTools (core's one dependency), under the platform loader: no Netty class is visible.
 */
class NettyAbsentTest {

    private static URL codeSource(Class<?> c) {
        return c.getProtectionDomain().getCodeSource().getLocation();
    }

    private static URLClassLoader withoutNetty() throws Exception {
        URL[] urls = {
            codeSource(NettyEpollPollerProvider.class),
            codeSource(dev.pollen.spi.Pollers.class),
            codeSource(org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue.class),
        };
        URLClassLoader loader = new URLClassLoader("no-netty", urls, ClassLoader.getPlatformClassLoader());
        assertThrows(ClassNotFoundException.class,
                () -> Class.forName("io.netty.channel.epoll.Epoll", false, loader),
                "the test's class loader must not see Netty");
        return loader;
    }

    @Test
    void listedAsUnavailableWithTheDependencyToAdd() throws Exception {
        try (URLClassLoader loader = withoutNetty()) {
            Class<?> pollers = Class.forName("dev.pollen.spi.Pollers", true, loader);
            List<?> infos = (List<?>) pollers.getMethod("list").invoke(null);
            assertEquals(1, infos.size(), "only netty-epoll's provider is on this class path: " + infos);
            Object info = infos.get(0);
            Class<?> type = info.getClass();
            assertEquals("netty-epoll", type.getMethod("name").invoke(info));
            assertEquals(false, type.getMethod("available").invoke(info));
            String reason = (String) type.getMethod("reason").invoke(info);
            assertEquals(NettyEpollPollerProvider.MISSING_NETTY, reason);
            assertTrue(reason.contains("io.netty:netty-transport-native-epoll"), reason);
            assertFalse(reason.contains("\n"), "one line: " + reason);
        }
    }

    @Test
    void selectingItByNameSaysWhatToAdd() throws Exception {
        try (URLClassLoader loader = withoutNetty()) {
            Class<?> pollers = Class.forName("dev.pollen.spi.Pollers", true, loader);
            Method create = pollers.getMethod("create", String.class);
            InvocationTargetException e = assertThrows(InvocationTargetException.class,
                    () -> create.invoke(null, "netty-epoll"));
            IllegalArgumentException cause = assertInstanceOf(IllegalArgumentException.class, e.getCause());
            assertTrue(cause.getMessage().contains(NettyEpollPollerProvider.MISSING_NETTY), cause.getMessage());
        }
    }
}
