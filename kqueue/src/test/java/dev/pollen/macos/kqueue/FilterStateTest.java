package dev.pollen.macos.kqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Interest to filter-state transitions and the libkqueue work-arounds, as pure functions. */
class FilterStateTest {

    private static final short R = Kevent.EVFILT_READ;
    private static final short W = Kevent.EVFILT_WRITE;

    /** Records changes as "filter:FLAGS". */
    private static final class Recorder implements ChangeSink {
        final List<String> out = new ArrayList<>();

        @Override
        public void change(long ident, short filter, int flags, long udata) {
            assertEquals(7, ident);
            assertEquals(99, udata);
            out.add(filter + ":" + Kevent.flagsToString(flags));
        }
    }

    private static List<String> transition(KqueueTarget t, int from, int to) {
        Recorder r = new Recorder();
        FilterState.transition(r, t, 7, R, 99, from, to);
        return r.out;
    }

    @Test
    void targetStateFollowsTheInterestMask() {
        assertEquals(FilterState.ENABLED, FilterState.target(FilterState.ABSENT, true, true));
        assertEquals(FilterState.ABSENT, FilterState.target(FilterState.ABSENT, false, true),
                "a knote is only made when first wanted");
        assertEquals(FilterState.DISABLED, FilterState.target(FilterState.ENABLED, false, true),
                "dropping an op disables, so re-adding it is an EV_ENABLE");
        assertEquals(FilterState.DISABLED, FilterState.target(FilterState.DISABLED, false, true));
        assertEquals(FilterState.ABSENT, FilterState.target(FilterState.ENABLED, false, false),
                "a zero mask takes the source out of the kernel set");
        assertEquals(FilterState.ABSENT, FilterState.target(FilterState.DISABLED, false, false));
    }

    @Test
    void transitionsEmitOneChangeOnTheKernels() {
        KqueueTarget t = KqueueTarget.MACOS;
        assertEquals(List.of(), transition(t, FilterState.ENABLED, FilterState.ENABLED));
        assertEquals(List.of("-1:EV_ADD"), transition(t, FilterState.ABSENT, FilterState.ENABLED));
        assertEquals(List.of("-1:EV_DISABLE"), transition(t, FilterState.ENABLED, FilterState.DISABLED));
        assertEquals(List.of("-1:EV_ENABLE"), transition(t, FilterState.DISABLED, FilterState.ENABLED));
        assertEquals(List.of("-1:EV_DELETE"), transition(t, FilterState.ENABLED, FilterState.ABSENT));
        assertEquals(List.of("-1:EV_DELETE"), transition(t, FilterState.DISABLED, FilterState.ABSENT));
        assertEquals(List.of("-1:EV_ADD|EV_DISABLE"), transition(t, FilterState.ABSENT, FilterState.DISABLED));
    }

    @Test
    void registeringDisabledOnLibkqueueIsTwoChanges() {
        assertEquals(List.of("-1:EV_ADD", "-1:EV_DISABLE"),
                transition(KqueueTarget.LIBKQUEUE, FilterState.ABSENT, FilterState.DISABLED));
        assertEquals(List.of("-1:EV_ADD|EV_DISABLE"),
                transition(KqueueTarget.FREEBSD, FilterState.ABSENT, FilterState.DISABLED));
    }

    @Test
    void reEnablingNeverSendsEvAddOfALiveKnote() {
        for (KqueueTarget t : KqueueTarget.values()) {
            assertEquals(List.of("-1:EV_ENABLE"), transition(t, FilterState.DISABLED, FilterState.ENABLED),
                    t.name());
        }
    }

    @Test
    void aLiveKnoteIsReplacedByDeleteThenAddIntoTheWantedState() {
        Recorder r = new Recorder();
        FilterState.replaceLiveKnote(r, KqueueTarget.LIBKQUEUE, 7, W, 99, FilterState.ENABLED);
        assertEquals(List.of("-2:EV_DELETE", "-2:EV_ADD"), r.out);
        Recorder d = new Recorder();
        FilterState.replaceLiveKnote(d, KqueueTarget.LIBKQUEUE, 7, W, 99, FilterState.DISABLED);
        assertEquals(List.of("-2:EV_DELETE", "-2:EV_ADD", "-2:EV_DISABLE"), d.out);
    }
}
