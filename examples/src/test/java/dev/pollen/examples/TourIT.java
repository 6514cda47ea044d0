package dev.pollen.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code tour}, the README's main job: runs once, exits 0, prints every part and the table. */
class TourIT {

    @Test
    void tourRunsEveryPartAndPrintsTheResultTable() throws Exception {
        // The tour should take well under 30 s; 60 s leaves room on a loaded machine.
        JarRun.Result r = JarRun.run(Duration.ofSeconds(60), "tour");
        assertEquals(0, r.status(), r.describe());
        String out = r.stdout();
        for (String part : new String[] {"== 1. Pollers ==", "== 2. The seed's programs", "== 3. Echo server",
            "== 4. TLS: an echo round trip over TLS", "== 5. Results (poller="}) {
            assertTrue(out.contains(part), "the tour prints '" + part + "'\n" + r.describe());
        }
        assertTrue(Pattern.compile("(?m)^default: \\S+$").matcher(out).find(), r.describe());
        assertTrue(out.contains("\n1 + 2 = 3\n"), "the demos ran\n" + r.describe());
        assertEquals(2, Pattern.compile("(?m)^listening 127\\.0\\.0\\.1:\\d+ poller=\\S+$").matcher(out).results().count(),
                "an echo server and a proxy\n" + r.describe());
        assertTrue(Pattern.compile("(?m)^proxy summary: connections=\\d+ bytes client->upstream=[1-9]\\d* "
                + "upstream->client=[1-9]\\d* errors=0$").matcher(out).find(), r.describe());

        assertTrue(Pattern.compile("(?m)^TLS echo on 127\\.0\\.0\\.1:\\d+: sent and got back 'hello over TLS' "
                + "\\(TLSv1\\.3, ").matcher(out).find(), "the TLS round trip\n" + r.describe());

        List<String> lines = r.stdoutLines();
        int header = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).matches("^load +messages/s +MB/s +p50 +p99 +p999 +errors$")) {
                header = i;
            }
        }
        assertTrue(header >= 0, "the result table's header\n" + r.describe());
        Pattern row = Pattern.compile("^\\d+ x \\d+ B +[1-9]\\d* +\\d+\\.\\d\\d +\\d+ us +\\d+ us +\\d+ us +0$");
        for (int i = header + 1; i <= header + 2; i++) {
            assertTrue(row.matcher(lines.get(i)).matches(), "table row '" + lines.get(i) + "'\n" + r.describe());
        }
        assertTrue(Pattern.compile("^tour finished in \\d+\\.\\d s: all good$").matcher(lines.get(header + 3)).matches(),
                r.describe());
    }
}
