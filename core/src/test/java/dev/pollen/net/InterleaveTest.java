package dev.pollen.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The address reordering of Happy Eyeballs ({@link Connector#interleave}), with the cases of
 * CPython's {@code test_base_events.py} ({@code test__interleave_addrinfos}); the expected
 * orders were checked against asyncio 3.13's {@code _interleave_addrinfos}.
 */
class InterleaveTest {

    private static InetSocketAddress a(String literal) {
        return new InetSocketAddress(literal, 80);
    }

    private static final InetSocketAddress SIX_A = a("2001:db8::1");
    private static final InetSocketAddress SIX_B = a("2001:db8::2");
    private static final InetSocketAddress SIX_C = a("2001:db8::3");
    private static final InetSocketAddress SIX_D = a("2001:db8::4");
    private static final InetSocketAddress FOUR_A = a("192.0.2.1");
    private static final InetSocketAddress FOUR_B = a("192.0.2.2");
    private static final InetSocketAddress FOUR_C = a("192.0.2.3");
    private static final InetSocketAddress FOUR_D = a("192.0.2.4");
    private static final List<InetSocketAddress> MIXED =
            List.of(SIX_A, SIX_B, SIX_C, FOUR_A, FOUR_B, FOUR_C, FOUR_D, SIX_D);

    @Test
    void oneAddressOfEachFamilyInTurn() {
        assertEquals(List.of(SIX_A, FOUR_A, SIX_B, FOUR_B, SIX_C, FOUR_C, SIX_D, FOUR_D),
                Connector.interleave(MIXED, 1));
    }

    @Test
    void theFirstFamilyCountLeadsBeforeTheFamiliesAlternate() {
        assertEquals(List.of(SIX_A, SIX_B, FOUR_A, SIX_C, FOUR_B, SIX_D, FOUR_C, FOUR_D),
                Connector.interleave(MIXED, 2));
        assertEquals(List.of(SIX_A, SIX_B, SIX_C, FOUR_A, SIX_D, FOUR_B, FOUR_C, FOUR_D),
                Connector.interleave(MIXED, 3));
        assertEquals(List.of(FOUR_A, FOUR_B, SIX_A),
                Connector.interleave(List.of(FOUR_A, FOUR_B, SIX_A), 5));
    }

    @Test
    void zeroOneFamilyOrOneAddressKeepTheOrder() {
        assertSame(MIXED, Connector.interleave(MIXED, 0));
        List<InetSocketAddress> v4 = List.of(FOUR_B, FOUR_A);
        assertEquals(v4, Connector.interleave(v4, 1));
        List<UnixDomainSocketAddress> unix = List.of(UnixDomainSocketAddress.of("/tmp/x"));
        assertEquals(unix, Connector.interleave(unix, 1));
    }
}
