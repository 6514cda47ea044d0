package dev.pollen.examples;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code java -jar pollen-examples.jar ARGS} child process, run as a user would: the JDK the
 * tests run on, no JVM flags (the jar's manifest must carry them; only the system properties a
 * user would pass, such as {@code -Dpollen.poller}, when a test says so) and no
 * {@code JAVA_TOOL_OPTIONS} and friends. Its stdout and stderr go to temporary files so a test can wait for a line (e.g.
 * {@code listening HOST:PORT poller=NAME}) while the process runs. Every failure message carries
 * the command and everything it printed.
 *
 * <p><b>Threading:</b> one test thread.
 */
final class JarRun implements AutoCloseable {

    /** The shaded jar under test: set by failsafe, or target/ when run from the module directory. */
    static final Path JAR = Path.of(System.getProperty("pollen.examples.jar", "target/pollen-examples.jar"));

    private final List<String> command;
    private final Process process;
    private final Lines out;
    private final Lines err;

    private JarRun(List<String> command) throws IOException {
        if (!Files.isRegularFile(JAR)) {
            fail("the examples jar " + JAR.toAbsolutePath() + " does not exist: these tests run in Maven's "
                    + "integration-test phase, after package (mvn verify -pl examples)");
        }
        this.command = command;
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        // Options the launcher would pick up would hide a manifest that lacks a flag.
        env.remove("JAVA_TOOL_OPTIONS");
        env.remove("JDK_JAVA_OPTIONS");
        env.remove("_JAVA_OPTIONS");
        Path outFile = Files.createTempFile("pollen-examples-", ".out");
        Path errFile = Files.createTempFile("pollen-examples-", ".err");
        pb.redirectOutput(outFile.toFile());
        pb.redirectError(errFile.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        this.process = pb.start();
        this.out = new Lines(outFile, "stdout", process);
        this.err = new Lines(errFile, "stderr", process);
    }

    /** The java launcher of the JDK running the tests. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * Starts {@code java -jar pollen-examples.jar args...}.
     *
     * @param args the command line after the jar
     * @return the running child
     * @throws IOException if it cannot be started
     */
    static JarRun start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java(), "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        return new JarRun(cmd);
    }

    /**
     * Starts {@code java JVM_OPTIONS -jar pollen-examples.jar args...}: system properties a user
     * would put on the command line (e.g. {@code -Dpollen.poller=nio}), nothing else.
     *
     * @param jvmOptions options before {@code -jar}
     * @param args       the command line after the jar
     * @return the running child
     * @throws IOException if it cannot be started
     */
    static JarRun start(List<String> jvmOptions, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(java()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        return new JarRun(cmd);
    }

    /**
     * As {@link #start(List, String...)} under {@code ulimit -n fdLimit}, as a user would run it
     * from a shell: {@code bash -c 'ulimit -n N && exec java ...'} (exec: the child's pid is the
     * JVM's, so its {@code /proc} entries are the JVM's).
     *
     * @param fdLimit    the open-file limit
     * @param jvmOptions options before {@code -jar}
     * @param args       the command line after the jar
     * @return the running child
     * @throws IOException if it cannot be started
     */
    static JarRun startWithFdLimit(int fdLimit, List<String> jvmOptions, String... args)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of("/bin/bash", "-c",
                "ulimit -n " + fdLimit + " && exec \"$0\" \"$@\"", java()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        return new JarRun(cmd);
    }

    /**
     * Runs the jar to completion.
     *
     * @param timeout how long it may take
     * @param args    the command line after the jar
     * @return the exit status and output
     * @throws Exception if it cannot be started or the wait is interrupted
     */
    static Result run(Duration timeout, String... args) throws Exception {
        try (JarRun r = start(args)) {
            return r.finish(timeout);
        }
    }

    /** What a finished child printed and returned. */
    record Result(String command, int status, String stdout, String stderr) {
        /** Everything, for failure messages. */
        String describe() {
            return "command: " + command + "\nexit status: " + status + "\n--- stdout ---\n" + stdout
                    + "--- stderr ---\n" + stderr;
        }

        List<String> stdoutLines() {
            return stdout.lines().toList();
        }
    }

    /** The child's process id. */
    long pid() {
        return process.pid();
    }

    /** Whether the child still runs. */
    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Sends SIGTERM ({@link Process#destroy()} does that on Linux and macOS).
     */
    void terminate() {
        process.destroy();
    }

    /**
     * Waits for a stdout line matching {@code pattern} and returns its match; fails (with all the
     * output) if the process exits or the time runs out first.
     */
    Matcher awaitStdout(Pattern pattern, Duration timeout) throws InterruptedException {
        return await(out, pattern, timeout);
    }

    /** As {@link #awaitStdout}, on stderr. */
    Matcher awaitStderr(Pattern pattern, Duration timeout) throws InterruptedException {
        return await(err, pattern, timeout);
    }

    private Matcher await(Lines lines, Pattern pattern, Duration timeout) throws InterruptedException {
        Matcher m = lines.await(pattern, System.nanoTime() + timeout.toNanos());
        if (m == null) {
            String why = process.isAlive() ? "not printed within " + timeout : "the process ended without it";
            fail("expected a " + lines.name + " line matching /" + pattern + "/: " + why + "\n" + describeSoFar());
        }
        return m;
    }

    /**
     * Waits for the child to exit; kills it and fails if it does not exit in time.
     */
    Result finish(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            fail("did not exit within " + timeout + "; killed\n" + describeSoFar());
        }
        return new Result(String.join(" ", command), process.exitValue(), out.text(), err.text());
    }

    /**
     * CPU time the process has used, user plus system, in clock ticks (Linux: utime and stime of
     * {@code /proc/PID/stat}; a tick is 1/100 s on every Linux we run).
     */
    long cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
        // the command name (field 2) may hold spaces: split after its closing parenthesis
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15
    }

    /** The stderr written so far (complete lines). */
    String stderrSoFar() {
        return err.text();
    }

    /** The process's resident set size in KiB (Linux: VmRSS in /proc/PID/status). */
    long rssKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS in /proc/" + process.pid() + "/status");
    }

    /** The command and the output so far, for failure messages. */
    String describeSoFar() {
        return "command: " + String.join(" ", command) + "\n"
                + (process.isAlive() ? "still running" : "exit status: " + process.exitValue())
                + "\n--- stdout ---\n" + out.text() + "--- stderr ---\n" + err.text();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        out.delete();
        err.delete();
    }

    /**
     * One output stream, redirected to a file that is read back as it grows. (Reading the pipe
     * from Process.getInputStream() on a thread loses the last lines: when the child exits, the
     * JDK's reaper drains and closes that stream under the reading thread, which then gets
     * "Stream closed".)
     */
    private static final class Lines {
        private final String name;
        private final Path file;
        private final Process process;

        Lines(Path file, String name, Process process) {
            this.name = name;
            this.file = file;
            this.process = process;
        }

        /** The first line matching, polling until {@code deadline}; null if none came. */
        Matcher await(Pattern pattern, long deadline) throws InterruptedException {
            while (true) {
                boolean ended = !process.isAlive(); // read after this: the file is then complete
                for (String line : text().lines().toList()) {
                    Matcher m = pattern.matcher(line);
                    if (m.find()) {
                        return m;
                    }
                }
                if (ended || System.nanoTime() >= deadline) {
                    return null;
                }
                Thread.sleep(20);
            }
        }

        /** What the child wrote so far, up to its last complete line while it runs. */
        String text() {
            try {
                String all = Files.readString(file, StandardCharsets.UTF_8);
                if (process.isAlive()) {
                    all = all.substring(0, all.lastIndexOf('\n') + 1);
                }
                return all.isEmpty() || all.endsWith("\n") ? all : all + "\n";
            } catch (IOException e) {
                return "<reading " + name + " from " + file + " failed: " + e + ">\n";
            }
        }

        void delete() {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temporary file
            }
        }
    }
}
