package dev.pollen.net;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * How {@link Net#createSubprocessExec} and {@link Net#createSubprocessShell} start a child
 * (asyncio's keyword arguments {@code stdin=}, {@code stdout=}, {@code stderr=}, {@code cwd=},
 * {@code env=}, {@code limit=}). Immutable: every {@code with}-method returns a copy.
 *
 * <p>The default, as asyncio's: all three streams {@link Stdio#INHERIT inherited} from the JVM,
 * the JVM's working directory and environment, a 64 KiB stream limit.
 *
 * <pre>{@code
 * SubprocessOptions o = SubprocessOptions.defaults()
 *         .stdin(SubprocessOptions.Stdio.PIPE).stdout(SubprocessOptions.Stdio.PIPE);
 * }</pre>
 *
 * <p><b>Threading:</b> any thread (immutable).
 *
 * @param stdin     where the child's standard input comes from
 * @param stdout    where its standard output goes
 * @param stderr    where its standard error goes ({@link Stdio#STDOUT} merges it into stdout)
 * @param directory the child's working directory, or null for the JVM's
 * @param env       the child's whole environment, or null for the JVM's
 * @param limit     the {@link StreamReader} limit of the stdout and stderr readers
 */
public record SubprocessOptions(Stdio stdin, Stdio stdout, Stdio stderr, Path directory,
        Map<String, String> env, int limit) {

    /** Where one of the child's standard streams goes (asyncio's {@code subprocess} constants). */
    public enum Stdio {
        /** A pipe to this process: a {@link StreamWriter} for stdin, a {@link StreamReader} else. */
        PIPE,
        /** {@code /dev/null} (asyncio's {@code DEVNULL}). */
        DEVNULL,
        /** The JVM's own stream (asyncio's {@code None}, the default). */
        INHERIT,
        /** For stderr only: the same pipe or file as stdout (asyncio's {@code STDOUT}). */
        STDOUT
    }

    /**
     * Checks the combination.
     *
     * @throws NullPointerException     if a stream's choice is null
     * @throws IllegalArgumentException if {@link Stdio#STDOUT} is given for stdin or stdout, or
     *                                  the limit is not positive
     */
    public SubprocessOptions {
        Objects.requireNonNull(stdin, "stdin");
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        if (stdin == Stdio.STDOUT || stdout == Stdio.STDOUT) {
            throw new IllegalArgumentException("Stdio.STDOUT is only for stderr (it merges "
                    + "stderr into stdout)");
        }
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        env = env == null ? null : Map.copyOf(env);
    }

    /**
     * asyncio's defaults: everything inherited.
     *
     * @return the defaults
     */
    public static SubprocessOptions defaults() {
        return new SubprocessOptions(Stdio.INHERIT, Stdio.INHERIT, Stdio.INHERIT, null, null,
                NetOptions.DEFAULT_STREAM_LIMIT);
    }

    /**
     * Pipes for all three streams, the usual choice for {@link Subprocess#communicate}.
     *
     * @return the options
     */
    public static SubprocessOptions pipes() {
        return defaults().stdin(Stdio.PIPE).stdout(Stdio.PIPE).stderr(Stdio.PIPE);
    }

    /**
     * A copy with stdin set.
     *
     * @param s the choice
     * @return the copy
     */
    public SubprocessOptions stdin(Stdio s) {
        return new SubprocessOptions(s, stdout, stderr, directory, env, limit);
    }

    /**
     * A copy with stdout set.
     *
     * @param s the choice
     * @return the copy
     */
    public SubprocessOptions stdout(Stdio s) {
        return new SubprocessOptions(stdin, s, stderr, directory, env, limit);
    }

    /**
     * A copy with stderr set.
     *
     * @param s the choice
     * @return the copy
     */
    public SubprocessOptions stderr(Stdio s) {
        return new SubprocessOptions(stdin, stdout, s, directory, env, limit);
    }

    /**
     * A copy with the working directory set.
     *
     * @param dir the directory, or null for the JVM's
     * @return the copy
     */
    public SubprocessOptions directory(Path dir) {
        return new SubprocessOptions(stdin, stdout, stderr, dir, env, limit);
    }

    /**
     * A copy with the child's whole environment set.
     *
     * @param environment the variables, or null for the JVM's
     * @return the copy
     */
    public SubprocessOptions env(Map<String, String> environment) {
        return new SubprocessOptions(stdin, stdout, stderr, directory, environment, limit);
    }

    /**
     * A copy with the stream limit set.
     *
     * @param bytes the limit
     * @return the copy
     */
    public SubprocessOptions limit(int bytes) {
        return new SubprocessOptions(stdin, stdout, stderr, directory, env, bytes);
    }
}
