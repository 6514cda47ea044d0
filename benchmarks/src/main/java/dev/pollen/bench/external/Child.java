package dev.pollen.bench.external;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One child process of the harness (a server, a proxy, an upstream or a load generator),
 * optionally pinned to one CPU with {@code taskset}, whose CPU time the kernel accounts for.
 *
 * <p>A server's output goes to log files in the work directory (so a chatty child never blocks on
 * a full pipe, and a failure can show what it printed); a load generator's stdout is read line by
 * line through {@link #readLine()}, so the harness sees its phase markers as they come. The
 * standard input stays an open pipe until {@link #stop()}: the harness's own servers exit when it
 * closes.
 *
 * <p><b>Threading:</b> one thread (the harness's).
 */
final class Child implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening [^\\s]*:(\\d+)");

    private final String name;
    private final List<String> command;
    private final Process process;
    private final Path out;
    private final Path err;
    private final BufferedReader lines;

    private Child(String name, List<String> command, Process process, Path out, Path err) {
        this.name = name;
        this.command = command;
        this.process = process;
        this.out = out;
        this.err = err;
        this.lines = out == null ? new BufferedReader(new InputStreamReader(
                process.getInputStream(), StandardCharsets.UTF_8)) : null;
    }

    /**
     * Starts a server-like child whose stdout and stderr go to files in {@code dir}.
     *
     * @param name    a short name for messages and file names
     * @param cpu     the CPU to pin it to, or -1 for none
     * @param command the command
     * @param dir     where the log files go
     * @return the running child
     * @throws IOException if it cannot be started
     */
    static Child server(String name, int cpu, List<String> command, Path dir) throws IOException {
        String file = name.replaceAll("[^A-Za-z0-9_.-]", "_");
        Path out = dir.resolve(file + ".out");
        Path err = dir.resolve(file + ".err");
        List<String> cmd = pinned(cpu, command);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile())
                .redirectError(err.toFile());
        return new Child(name, cmd, pb.start(), out, err);
    }

    /**
     * Starts a client-like child whose stdout the caller reads with {@link #readLine()}; its
     * stderr goes to a file in {@code dir}.
     *
     * @param name    a short name for messages and file names
     * @param cpu     the CPU to pin it to, or -1 for none
     * @param command the command
     * @param dir     where the stderr file goes
     * @return the running child
     * @throws IOException if it cannot be started
     */
    static Child client(String name, int cpu, List<String> command, Path dir) throws IOException {
        Path err = dir.resolve(name.replaceAll("[^A-Za-z0-9_.-]", "_") + ".err");
        List<String> cmd = pinned(cpu, command);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
        return new Child(name, cmd, pb.start(), null, err);
    }

    private static List<String> pinned(int cpu, List<String> command) {
        if (cpu < 0) {
            return List.copyOf(command);
        }
        List<String> cmd = new ArrayList<>(List.of("taskset", "-c", Integer.toString(cpu)));
        cmd.addAll(command);
        return cmd;
    }

    /**
     * The process id ({@code taskset} execs the command, so it is the command's).
     *
     * @return the pid
     */
    long pid() {
        return process.pid();
    }

    /**
     * Whether the process is still running.
     *
     * @return true if alive
     */
    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * This process's CPU time so far, as the kernel accounts it.
     *
     * @return the CPU time
     * @throws IllegalStateException if the process has ended
     */
    CpuTime cpu() {
        return CpuTime.of(process.pid());
    }

    /**
     * Waits for a {@code listening HOST:PORT} line on the child's stdout.
     *
     * @param timeoutMillis how long to wait
     * @return the port
     * @throws IllegalStateException if the child exits or prints nothing of the kind in time
     */
    int awaitListening(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() < deadline) {
            Matcher m = LISTENING.matcher(read(out));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!process.isAlive()) {
                throw failure("exited with status " + process.exitValue()
                        + " before printing 'listening HOST:PORT'");
            }
            sleep(20);
        }
        throw failure("printed no 'listening HOST:PORT' line within " + timeoutMillis + " ms");
    }

    /**
     * Waits until a TCP connection to {@code 127.0.0.1:port} succeeds (for children that print
     * nothing when ready, e.g. HAProxy, nginx, redis-server).
     *
     * @param port          the port
     * @param timeoutMillis how long to wait
     * @throws IllegalStateException if the child exits or the port stays closed
     */
    void awaitPort(int port, long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw failure("exited with status " + process.exitValue()
                            + " before accepting on port " + port);
                }
                sleep(20);
            }
        }
        throw failure("did not accept on port " + port + " within " + timeoutMillis + " ms");
    }

    /**
     * The next line of a client's stdout.
     *
     * @return the line, or null at its end
     * @throws IOException if reading fails
     */
    String readLine() throws IOException {
        return lines.readLine();
    }

    /**
     * Waits for the child to exit.
     *
     * @param timeoutMillis how long to wait before killing it
     * @return its exit status
     * @throws IllegalStateException if it had to be killed
     */
    int await(long timeoutMillis) {
        try {
            if (!process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw failure("did not finish within " + timeoutMillis + " ms; killed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("interrupted while waiting for " + name, e);
        }
        return process.exitValue();
    }

    /** Closes its stdin, sends SIGTERM, and kills it if it is still there after 10 s. */
    void stop() {
        try {
            OutputStream in = process.getOutputStream();
            in.close();
        } catch (IOException ignored) {
            // the child is already gone
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop();
        }
    }

    /**
     * An exception that names the child and its command and shows the end of its output.
     *
     * @param what what went wrong
     * @return the exception to throw
     */
    IllegalStateException failure(String what) {
        StringBuilder sb = new StringBuilder(name).append(' ').append(what).append("\n  command: ")
                .append(String.join(" ", command));
        if (out != null) {
            sb.append("\n  stdout: ").append(tail(read(out)));
        }
        sb.append("\n  stderr: ").append(tail(read(err)));
        return new IllegalStateException(sb.toString());
    }

    private static String tail(String s) {
        String t = s.strip();
        return t.isEmpty() ? "(nothing)" : t.length() > 2000 ? "..." + t.substring(t.length() - 2000) : t;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
