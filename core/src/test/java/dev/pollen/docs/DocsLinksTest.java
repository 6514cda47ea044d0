package dev.pollen.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link in the project's Markdown (README.md, docs/, benchmarks/results/) points at
 * a file that exists and, where it names an anchor, at a heading that exists in that file, with
 * GitHub's rules for heading anchors. Links to other sites are not checked (no network here).
 *
 * <p><b>Threading:</b> JUnit's test thread.
 */
class DocsLinksTest {

    private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern FENCE = Pattern.compile("^\\s*(```|~~~)");

    static Path repoRoot() {
        String root = System.getProperty("pollen.repo.root");
        Path p = root != null ? Path.of(root) : Path.of("..");
        assertTrue(Files.isRegularFile(p.resolve("README.md")),
                () -> "cannot find the repository root (README.md) at " + p.toAbsolutePath()
                        + "; run through Maven, which sets -Dpollen.repo.root");
        return p.toAbsolutePath().normalize();
    }

    static List<Path> markdownFiles(Path root) throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(root.resolve("README.md"));
        for (String dir : List.of("docs", "benchmarks/results")) {
            Path d = root.resolve(dir);
            if (Files.isDirectory(d)) {
                try (Stream<Path> s = Files.walk(d)) {
                    s.filter(f -> f.toString().endsWith(".md")).sorted().forEach(files::add);
                }
            }
        }
        return files;
    }

    /** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
    static String slug(String heading) {
        String text = heading.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1"); // [text](link) -> text
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            if (Character.isLetterOrDigit(cp) || cp == '-' || cp == '_') {
                sb.appendCodePoint(Character.toLowerCase(cp));
            } else if (cp == ' ') {
                sb.append('-');
            }
            i += Character.charCount(cp);
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }

    static Set<String> anchors(Path file) throws IOException {
        Set<String> anchors = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean inFence = false;
        for (String line : Files.readAllLines(file)) {
            if (FENCE.matcher(line).find()) {
                inFence = !inFence;
                continue;
            }
            Matcher m = HEADING.matcher(line);
            if (!inFence && m.matches()) {
                String s = slug(m.group(1));
                int n = seen.merge(s, 1, Integer::sum);
                anchors.add(n == 1 ? s : s + "-" + (n - 1));
            }
        }
        return anchors;
    }

    @Test
    void slugsFollowGithubsRules() {
        org.junit.jupiter.api.Assertions.assertEquals("closing-close-abort-writeeof",
                slug("Closing: `close`, `abort`, `writeEof`"));
        org.junit.jupiter.api.Assertions.assertEquals("asyncio-names-and-pollen-names",
                slug("asyncio names and Pollen names"));
    }

    @Test
    void everyRelativeLinkResolves() throws IOException {
        Path root = repoRoot();
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path file : markdownFiles(root)) {
            boolean inFence = false;
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (FENCE.matcher(line).find()) {
                    inFence = !inFence;
                    continue;
                }
                if (inFence) {
                    continue;
                }
                Matcher m = LINK.matcher(line);
                while (m.find()) {
                    String target = m.group(1);
                    if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                        continue; // https:, mailto: ...: another site, not checked here
                    }
                    checked++;
                    String where = root.relativize(file) + ":" + (i + 1) + ": (" + target + ")";
                    int hash = target.indexOf('#');
                    String pathPart = hash < 0 ? target : target.substring(0, hash);
                    String anchor = hash < 0 ? null : target.substring(hash + 1);
                    Path dest = pathPart.isEmpty() ? file : file.getParent().resolve(pathPart).normalize();
                    if (!Files.exists(dest)) {
                        broken.add(where + " -> no such file " + root.relativize(dest));
                    } else if (anchor != null && dest.toString().endsWith(".md")
                            && !anchors(dest).contains(anchor)) {
                        broken.add(where + " -> no heading with anchor #" + anchor + " in "
                                + root.relativize(dest));
                    }
                }
            }
        }
        assertTrue(checked > 20, "found only " + checked + " links: is the Markdown scan broken?");
        if (!broken.isEmpty()) {
            fail(broken.size() + " broken link(s) in the project's Markdown; fix the target or the link:\n  "
                    + String.join("\n  ", broken));
        }
    }
}
