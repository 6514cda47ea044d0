package dev.pollen.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pollen.spi.PollerInfo;
import dev.pollen.spi.Pollers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The command line of {@code java -jar pollen-examples.jar}: the manifest, {@code --help}
 * everywhere, usage errors, {@code pollers} and {@code demo}. The short runs are started together
 * and then waited for, so JVM start-ups overlap.
 */
class CliIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void manifestMakesTheJarRunnableWithoutFlags() throws Exception {
        try (JarFile jar = new JarFile(JarRun.JAR.toFile())) {
            Attributes main = jar.getManifest().getMainAttributes();
            assertEquals("dev.pollen.examples.Main", main.getValue("Main-Class"));
            assertTrue(String.valueOf(main.getValue("Add-Exports")).contains("java.base/jdk.internal.vm"),
                    "Add-Exports: " + main.getValue("Add-Exports"));
            assertEquals("ALL-UNNAMED", main.getValue("Enable-Native-Access"));
        }
    }

    @Test
    void helpOnTheJarAndOnEverySubcommandSaysWhatItDoes() throws Exception {
        Map<String, String[]> expected = new LinkedHashMap<>();
        expected.put("", new String[] {"Usage: pollen-examples", "asyncio-style event loop",
            "pollers", "demo", "echo", "proxy", "loadgen", "tour"});
        expected.put("pollers", new String[] {"Usage: pollen-examples pollers", "List the poller providers"});
        expected.put("demo", new String[] {"Usage: pollen-examples demo", "seed tutorial", "--virtual-time",
            "--poller"});
        expected.put("echo", new String[] {"Usage: pollen-examples echo", "echo server", "--port", "--host",
            "--loops", "--poller"});
        expected.put("proxy", new String[] {"Usage: pollen-examples proxy", "TCP proxy", "--listen", "--upstream",
            "--connect-timeout", "--loops", "--poller", "summary", "--balance", "--idle-timeout", "--retries"});
        expected.put("loadgen", new String[] {"Usage: pollen-examples loadgen", "ping-pong load", "--connect",
            "--conns", "--size", "--seconds", "--depth", "p50/p99/p999"});
        expected.put("tour", new String[] {"Usage: pollen-examples tour", "guided tour", "result table"});

        List<JarRun> runs = new ArrayList<>();
        try {
            for (String sub : expected.keySet()) {
                runs.add(sub.isEmpty() ? JarRun.start("--help") : JarRun.start(sub, "--help"));
            }
            int i = 0;
            for (Map.Entry<String, String[]> e : expected.entrySet()) {
                JarRun.Result r = runs.get(i++).finish(TIMEOUT);
                assertEquals(0, r.status(), r.describe());
                for (String s : e.getValue()) {
                    assertTrue(r.stdout().contains(s), "help of '" + e.getKey() + "' lacks '" + s + "'\n" + r.describe());
                }
                assertEquals("", r.stderr(), "nothing on stderr (no JVM warnings either)\n" + r.describe());
            }
        } finally {
            for (JarRun r : runs) {
                r.close();
            }
        }
    }

    /**
     * A usage error is exactly two short lines on stderr, what was wrong and what to do, never
     * the whole usage (which buried the message).
     */
    @Test
    void aBadFlagOrValueExits2WithTwoLinesSayingWhatWasWrongAndWhatToDo() throws Exception {
        String echoHelp = "Run 'pollen-examples echo --help' for the options.";
        String topHelp = "Run 'pollen-examples --help' for what each does.";
        String subcommands = "pollers, demo, echo, proxy, loadgen, tour, help";
        Map<String[], String[]> cases = new LinkedHashMap<>();
        cases.put(new String[] {"echo", "--port", "0", "--nosuch"}, new String[] {"Unknown option: '--nosuch'", echoHelp});
        cases.put(new String[] {"echo", "--port", "99999"}, new String[] {"--port must be 0 to 65535, got 99999", echoHelp});
        cases.put(new String[] {"echo", "--port", "abc"},
                new String[] {"Invalid value for option '--port': 'abc' is not an int", echoHelp});
        cases.put(new String[] {"echo"}, new String[] {"Missing required option: '--port=P'", echoHelp});
        cases.put(new String[] {"loadgen", "--connect", "127.0.0.1:9", "--conns", "0"},
                new String[] {"--conns must be at least 1, got 0", "Run 'pollen-examples loadgen --help' for the options."});
        cases.put(new String[] {"pollers", "--poller", "x"},
                new String[] {"Unknown options: '--poller', 'x'", "Run 'pollen-examples pollers --help' for the options."});
        String proxyHelp = "Run 'pollen-examples proxy --help' for the options.";
        cases.put(new String[] {"proxy", "--listen", "127.0.0.1", "--upstream", "127.0.0.1:9"},
                new String[] {"Invalid value for option '--listen': '127.0.0.1' is not HOST:PORT "
                        + "(e.g. 127.0.0.1:8080 or [::1]:8080)", proxyHelp});
        cases.put(new String[] {"proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:70000"},
                // (picocli names the value's label for an option that takes several values)
                new String[] {"Invalid value for option '--upstream' (H:P): port in '127.0.0.1:70000' must be "
                        + "0 to 65535, got 70000", proxyHelp});
        cases.put(new String[] {"proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9", "--balance", "x"},
                new String[] {"--balance must be 'first' or 'roundrobin', got 'x'", proxyHelp});
        cases.put(new String[] {"proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:9,127.0.0.1:0"},
                new String[] {"--upstream needs a real port, got 127.0.0.1:0", proxyHelp});
        cases.put(new String[] {"nosuch"}, new String[] {"unknown subcommand 'nosuch': choose one of " + subcommands, topHelp});
        cases.put(new String[] {}, new String[] {"missing subcommand: choose one of " + subcommands, topHelp});

        Map<String[], JarRun> runs = new LinkedHashMap<>();
        try {
            for (String[] args : cases.keySet()) {
                runs.put(args, JarRun.start(args));
            }
            for (Map.Entry<String[], String[]> e : cases.entrySet()) {
                JarRun.Result r = runs.get(e.getKey()).finish(TIMEOUT);
                assertEquals(2, r.status(), "a usage error exits 2\n" + r.describe());
                assertEquals(List.of(e.getValue()), r.stderr().lines().toList(), r.describe());
                // (stdout may carry a JVM warning of a busy machine, e.g. hsperfdata: not ours)
                assertFalse(r.stdout().contains("Usage:") || r.stdout().contains("listening"),
                        r.describe());
            }
        } finally {
            for (JarRun r : runs.values()) {
                r.close();
            }
        }
    }

    @Test
    void thePollerPropertyChoosesThePollerAndAnExplicitFlagWins() throws Exception {
        EchoIT.requireAvailable("nio");
        EchoIT.requireAvailable("epoll");
        Map<String, JarRun> runs = new LinkedHashMap<>();
        try {
            runs.put("nio", JarRun.start(List.of("-Dpollen.poller=nio"), "echo", "--port", "0"));
            runs.put("epoll", JarRun.start(List.of("-Dpollen.poller=nio"), "echo", "--port", "0",
                    "--poller", "epoll"));
            for (Map.Entry<String, JarRun> e : runs.entrySet()) {
                JarRun echo = e.getValue();
                var m = echo.awaitStdout(EchoIT.LISTENING, TIMEOUT);
                assertEquals(e.getKey(), m.group(2), "the poller it runs on\n" + echo.describeSoFar());
                echo.terminate();
                assertEquals(0, echo.finish(TIMEOUT).status());
            }
            JarRun.Result p = JarRun.run(TIMEOUT, "pollers");
            JarRun pollers = JarRun.start(List.of("-Dpollen.poller=nio"), "pollers");
            JarRun.Result r = pollers.finish(TIMEOUT);
            pollers.close();
            assertEquals("default: nio", r.stdoutLines().get(r.stdoutLines().size() - 1), r.describe());
            assertFalse(p.stdout().contains("default: nio"), "auto picks a native poller on Linux\n"
                    + p.describe());
        } finally {
            for (JarRun r : runs.values()) {
                r.close();
            }
        }
    }

    @Test
    void anUnknownPollerFromThePropertyOrTheFlagFailsAtOnceInTwoShortLines() throws Exception {
        record Case(String start, JarRun run) {
        }
        List<Case> cases = new ArrayList<>();
        try {
            cases.add(new Case("-Dpollen.poller: unknown poller 'bogus'",
                    JarRun.start(List.of("-Dpollen.poller=bogus"), "echo", "--port", "0")));
            cases.add(new Case("--poller: unknown poller 'bogus'",
                    JarRun.start(List.of(), "echo", "--port", "0", "--poller", "bogus")));
            cases.add(new Case("-Dpollen.poller: unknown poller 'bogus'",
                    JarRun.start(List.of("-Dpollen.poller=bogus"), "demo", "--virtual-time")));
            for (Case c : cases) {
                JarRun.Result r = c.run().finish(TIMEOUT);
                assertEquals(2, r.status(), "a usage error, at once\n" + r.describe());
                assertFalse(r.stdout().contains("listening") || r.stdout().contains("hello"),
                        "nothing ran\n" + r.describe());
                List<String> message = r.stderr().lines().toList();
                assertEquals(2, message.size(), "two lines, no usage after them\n" + r.describe());
                assertTrue(message.get(0).startsWith(c.start()), r.describe());
                for (String name : List.of("epoll", "netty-epoll", "io_uring", "nio")) {
                    assertTrue(message.get(0).contains(name), "lists " + name + "\n" + r.describe());
                }
                assertTrue(message.get(1).contains("--poller NAME"), "says what to do\n" + r.describe());
                for (String line : message) {
                    assertTrue(line.length() <= 160, "a short line, not " + line.length()
                            + " characters\n" + r.describe());
                }
            }
        } finally {
            for (Case c : cases) {
                c.run().close();
            }
        }
    }

    @Test
    void pollersPrintsOneLinePerProviderThenTheDefault() throws Exception {
        JarRun.Result r = JarRun.run(TIMEOUT, "pollers");
        assertEquals(0, r.status(), r.describe());
        assertEquals("", r.stderr(), "no warnings: the manifest enables native access\n" + r.describe());
        List<String> lines = r.stdoutLines();
        List<PollerInfo> providers = Pollers.list(); // the same jars are on this test's class path
        assertEquals(providers.size() + 1, lines.size(), r.describe());
        for (int i = 0; i < providers.size(); i++) {
            PollerInfo p = providers.get(i);
            Pattern line = Pattern.compile("^" + Pattern.quote(p.name()) + " +"
                    + (p.available() ? "available" : "unavailable") + " +priority " + p.priority() + " +\\S");
            assertTrue(line.matcher(lines.get(i)).find(), "line " + i + " should describe " + p + "\n" + r.describe());
        }
        String last = lines.get(lines.size() - 1);
        assertEquals("default: " + Pollers.selectDefault().name(), last, r.describe());
        assertTrue(providers.stream().anyMatch(p -> p.available() && last.equals("default: " + p.name())),
                "the default is an available provider\n" + r.describe());
    }

    @Test
    void demoOnVirtualTimePrintsTheSeedProgramsLinesInOrder() throws Exception {
        JarRun.Result r = JarRun.run(TIMEOUT, "demo", "--virtual-time");
        assertEquals(0, r.status(), r.describe());
        assertEquals("", r.stderr(), "no warnings: the manifest exports jdk.internal.vm\n" + r.describe());
        String time = "\\d\\d:\\d\\d:\\d\\d";
        List<String> expected = List.of(
                "hello", "world",
                "started at " + time, "hello", "world", "finished at " + time + " \\(3\\.00 s\\)",
                "started at " + time, "hello", "world", "finished at " + time + " \\(2\\.00 s\\)",
                "Compute 1 \\+ 2 \\.\\.\\.", "1 \\+ 2 = 3",
                "done\\? false, cancelled\\? false",
                "after setResult: done\\? true, result: the answer",
                "done callback got: the answer",
                "cancel\\(\\) on a done future: false",
                "awaited a future a timer completed: 42",
                "cancel\\(\\): true",
                "result\\(\\) threw CancelledException: not needed",
                "done callback of the cancelled future: cancelled\\? true");
        List<String> printed = r.stdoutLines().stream().filter(l -> !l.startsWith("== ")).toList();
        assertEquals(expected.size(), printed.size(), "lines besides the '== ' headings\n" + r.describe());
        for (int i = 0; i < expected.size(); i++) {
            assertTrue(printed.get(i).matches(expected.get(i)),
                    "line " + i + ": expected /" + expected.get(i) + "/, got '" + printed.get(i) + "'\n" + r.describe());
        }
        assertEquals(5, r.stdoutLines().stream().filter(l -> l.startsWith("== ")).count(),
                "one heading per program\n" + r.describe());
    }
}
