package dev.pollen.bench.external;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the external programs the harness drives (taskset, haproxy, nginx, redis-server, wrk,
 * redis-benchmark) on the PATH and in the sbin directories, where Debian puts the servers.
 *
 * <p><b>Threading:</b> stateless, any thread.
 */
final class Tools {

    private Tools() {
    }

    /**
     * Where a program is.
     *
     * @param name e.g. {@code haproxy}
     * @return its path, or null if it is not installed
     */
    static Path find(String name) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "")
                .split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/local/sbin", "/usr/sbin", "/sbin"));
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, name);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * The names of the programs in {@code names} that are not installed.
     *
     * @param names program names
     * @return the missing ones, in order
     */
    static List<String> missing(String... names) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            if (find(n) == null) {
                out.add(n);
            }
        }
        return out;
    }
}
