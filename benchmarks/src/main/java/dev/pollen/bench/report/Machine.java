package dev.pollen.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A one-line description of the machine the report is made on (run the results step right after
 * the suite, on the same machine): processor count, CPU model and OS.
 *
 * <p><b>Threading:</b> stateless, any thread.
 */
public final class Machine {

    private Machine() {
    }

    /**
     * E.g. {@code 2 CPUs (nproc), AMD EPYC, Linux 6.8.0 amd64}.
     *
     * @return the description
     */
    public static String describe() {
        return Runtime.getRuntime().availableProcessors() + " CPUs (nproc), " + cpuModel() + ", "
                + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch");
    }

    private static String cpuModel() {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo)) {
            try {
                List<String> lines = Files.readAllLines(cpuinfo);
                for (String line : lines) {
                    // x86 says "model name", many ARM kernels "Model" or nothing useful
                    if (line.startsWith("model name") || line.startsWith("Model")) {
                        int colon = line.indexOf(':');
                        if (colon > 0) {
                            return line.substring(colon + 1).trim();
                        }
                    }
                }
            } catch (IOException e) {
                return "CPU model unknown (" + e.getMessage() + ")";
            }
        }
        return "CPU model unknown";
    }
}
