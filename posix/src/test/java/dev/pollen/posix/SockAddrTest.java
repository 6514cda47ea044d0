package dev.pollen.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** sockaddr layouts, byte for byte, for every OS table. Runs everywhere. */
class SockAddrTest {

    private static final boolean LE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    private static final OsConstants[] ALL = {OsConstants.LINUX, OsConstants.DARWIN,
        OsConstants.FREEBSD};

    private static byte[] encode(OsConstants os, SocketAddress a, int family) {
        ByteBuffer buf = ByteBuffer.allocate(200);
        Arrays.fill(buf.array(), (byte) 0x5a); // garbage that encode must overwrite
        int len = SockAddr.encode(os, a, family, buf, 7);
        return Arrays.copyOfRange(buf.array(), 7, 7 + len);
    }

    private static byte[] b(int... v) {
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) v[i];
        }
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int i = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, i, p.length);
            i += p.length;
        }
        return out;
    }

    private static byte[] linuxFamily(int f) {
        return LE ? b(f, 0) : b(0, f);
    }

    private static InetSocketAddress inet(String literal, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(literal), port);
    }

    @Test
    void sockaddrInOnLinux() throws Exception {
        byte[] got = encode(OsConstants.LINUX, inet("127.0.0.1", 8080), 2);
        assertArrayEquals(concat(linuxFamily(2), b(0x1f, 0x90), b(127, 0, 0, 1), new byte[8]), got);
    }

    @Test
    void sockaddrInOnTheBsdsStartsWithItsLength() throws Exception {
        for (OsConstants os : new OsConstants[] {OsConstants.DARWIN, OsConstants.FREEBSD}) {
            byte[] got = encode(os, inet("10.1.2.3", 443), 2);
            assertArrayEquals(concat(b(16, 2), b(0x01, 0xbb), b(10, 1, 2, 3), new byte[8]), got);
        }
    }

    @Test
    void sockaddrIn6CarriesItsFamilyPortAndScope() throws Exception {
        byte[] ip = InetAddress.getByName("fe80::1").getAddress();
        InetSocketAddress a = new InetSocketAddress(Inet6Address.getByAddress(null, ip, 3), 80);
        byte[] scope = LE ? b(3, 0, 0, 0) : b(0, 0, 0, 3);
        assertArrayEquals(concat(linuxFamily(10), b(0, 80), new byte[4], ip, scope),
                encode(OsConstants.LINUX, a, 10));
        assertArrayEquals(concat(b(28, 30), b(0, 80), new byte[4], ip, scope),
                encode(OsConstants.DARWIN, a, 30));
        assertArrayEquals(concat(b(28, 28), b(0, 80), new byte[4], ip, scope),
                encode(OsConstants.FREEBSD, a, 28));
    }

    @Test
    void ipv4ForAnIpv6SocketIsV4Mapped() throws Exception {
        byte[] got = encode(OsConstants.LINUX, inet("192.168.0.9", 53), 10);
        byte[] mapped = concat(new byte[10], b(0xff, 0xff, 192, 168, 0, 9));
        assertArrayEquals(concat(linuxFamily(10), b(0, 53), new byte[4], mapped, new byte[4]), got);
    }

    @Test
    void sockaddrUnIsNulTerminatedAndItsLengthCountsTheNul() {
        UnixDomainSocketAddress a = UnixDomainSocketAddress.of("/tmp/a.sock");
        byte[] path = "/tmp/a.sock".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertArrayEquals(concat(linuxFamily(1), path, b(0)), encode(OsConstants.LINUX, a, 1));
        assertArrayEquals(concat(b(2 + path.length + 1, 1), path, b(0)),
                encode(OsConstants.DARWIN, a, 1));
    }

    @Test
    void everyKindRoundTripsOnEveryOs() throws Exception {
        for (OsConstants os : ALL) {
            SocketAddress[] cases = {
                inet("127.0.0.1", 1),
                inet("255.255.255.255", 65535),
                inet("::1", 8080),
                new InetSocketAddress(Inet6Address.getByAddress(null,
                        InetAddress.getByName("fe80::abcd").getAddress(), 7), 22),
                UnixDomainSocketAddress.of("/var/run/x.sock"),
            };
            for (SocketAddress a : cases) {
                int family = SockAddr.family(os, a);
                ByteBuffer buf = ByteBuffer.allocateDirect(128);
                int len = SockAddr.encode(os, a, family, buf, 0);
                assertEquals(a, SockAddr.decode(os, buf, 0, len), os + " " + a);
            }
        }
    }

    @Test
    void v4MappedPeersDecodeAsIpv4() throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(128);
        int len = SockAddr.encode(OsConstants.LINUX, inet("10.0.0.1", 9), 10, buf, 0);
        SocketAddress back = SockAddr.decode(OsConstants.LINUX, buf, 0, len);
        assertInstanceOf(Inet4Address.class, ((InetSocketAddress) back).getAddress());
        assertEquals(inet("10.0.0.1", 9), back);
    }

    @Test
    void unnamedUnixSocketsDecodeAsEmptyPath() {
        ByteBuffer buf = ByteBuffer.allocate(128);
        buf.put(0, linuxFamily(1));
        assertEquals(UnixDomainSocketAddress.of(""), SockAddr.decode(OsConstants.LINUX, buf, 0, 2));
    }

    @Test
    void truncatedOrUnknownAddressesDecodeAsNull() {
        ByteBuffer buf = ByteBuffer.allocate(128);
        assertNull(SockAddr.decode(OsConstants.LINUX, buf, 0, 1));
        buf.put(0, linuxFamily(2));
        assertNull(SockAddr.decode(OsConstants.LINUX, buf, 0, 8), "sockaddr_in needs 16 bytes");
        buf.put(0, linuxFamily(99));
        assertNull(SockAddr.decode(OsConstants.LINUX, buf, 0, 16));
    }

    @Test
    void badAddressesAreRejectedWithTheReason() {
        ByteBuffer buf = ByteBuffer.allocate(256);
        IllegalArgumentException unresolved = assertThrows(IllegalArgumentException.class,
                () -> SockAddr.family(OsConstants.LINUX,
                        InetSocketAddress.createUnresolved("example.com", 80)));
        assertTrue(unresolved.getMessage().contains("unresolved"), unresolved.getMessage());
        String longPath = "/tmp/" + "x".repeat(110);
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> SockAddr.encode(OsConstants.LINUX, UnixDomainSocketAddress.of(longPath), 1,
                        buf, 0));
        assertTrue(tooLong.getMessage().contains("at most 107"), tooLong.getMessage());
        String darwinMax = "/" + "y".repeat(104);
        IllegalArgumentException tooLongMac = assertThrows(IllegalArgumentException.class,
                () -> SockAddr.encode(OsConstants.DARWIN, UnixDomainSocketAddress.of(darwinMax), 1,
                        buf, 0));
        assertTrue(tooLongMac.getMessage().contains("at most 103"), tooLongMac.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SockAddr.encode(OsConstants.LINUX,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 1), 1, buf, 0));
        assertThrows(IllegalArgumentException.class, () -> SockAddr.family(OsConstants.LINUX, null));
    }

    @Test
    void ipv6AddressForAnIpv4SocketIsRejected() throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(128);
        assertThrows(IllegalArgumentException.class,
                () -> SockAddr.encode(OsConstants.LINUX, inet("::1", 1), 2, buf, 0));
    }

    @Test
    void formatIsShort() throws Exception {
        assertEquals("127.0.0.1:1", SockAddr.format(inet("127.0.0.1", 1)));
        assertEquals("[0:0:0:0:0:0:0:1]:80", SockAddr.format(inet("::1", 80)));
        assertEquals("/tmp/s", SockAddr.format(UnixDomainSocketAddress.of("/tmp/s")));
        assertEquals("null", SockAddr.format(null));
    }
}
