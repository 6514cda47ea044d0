package dev.pollen.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * Every {@code ```java} block of README.md and docs/*.md compiles against Pollen's classes, with
 * javac ({@code javax.tools}) on the test class path. Nothing is run: the test proves that the
 * names, signatures and checked exceptions a reader copies exist and fit.
 *
 * <p>The convention a snippet follows (one place: here):
 * <ul>
 *   <li>Leading {@code import} lines are the snippet's imports. Beside them every snippet sees
 *       {@code dev.pollen.{loop,async,net,net.tls,group,spi}.*}, {@code java.time.*},
 *       {@code java.nio.*}, {@code java.net.*}, {@code java.nio.file.*}, {@code List},
 *       {@code Map}, {@code Set} and {@code StandardCharsets.*} statically, so a snippet need not
 *       repeat them.</li>
 *   <li>Declarations at the top level of the block ({@code class}, {@code interface},
 *       {@code record}, {@code enum}, {@code static} methods) become members of a wrapper class;
 *       every other line is the body of a method {@code void snippet() throws Exception}, so
 *       statements read as they would inside a {@code main}.</li>
 *   <li>Names a snippet uses without declaring them are given in an HTML comment (invisible on
 *       GitHub) on the line right before the fence, as member declarations of the wrapper class:
 *       {@code <!-- snippet-given: EventLoop loop; abstract byte[] next(); -->}. A given may
 *       refer to types another snippet declares only if it declares them too.</li>
 *   <li>A block that is deliberately not Java a compiler accepts (a shape, with {@code ...})
 *       says so with {@code <!-- snippet: fragment -->} before the fence; the test counts them,
 *       and there should be very few.</li>
 * </ul>
 *
 * <p><b>Threading:</b> JUnit's test thread.
 */
class DocsSnippetsTest {

    private static final Pattern OPEN = Pattern.compile("^```java\\s*$");
    private static final Pattern CLOSE = Pattern.compile("^```\\s*$");
    private static final Pattern GIVEN = Pattern.compile("^<!--\\s*snippet-given:(.*)-->\\s*$");
    private static final Pattern FRAGMENT = Pattern.compile("^<!--\\s*snippet:\\s*fragment\\s*-->\\s*$");
    private static final Pattern MEMBER = Pattern.compile(
            "^(?:@\\w+\\s+)*(?:(?:public|private|protected|static|final|abstract|sealed)\\s+)*"
                    + "(?:class|interface|record|enum)\\s+\\w+.*|^static\\s+.*\\(.*");

    private static final String IMPORTS = """
            import dev.pollen.async.*;
            import dev.pollen.group.*;
            import dev.pollen.loop.*;
            import dev.pollen.net.*;
            import dev.pollen.net.tls.*;
            import dev.pollen.spi.*;
            import java.net.*;
            import java.nio.*;
            import java.nio.file.*;
            import java.time.*;
            import java.util.List;
            import java.util.Map;
            import java.util.Set;
            import static java.nio.charset.StandardCharsets.*;
            """;

    /** One block: where it is, what it declares for the snippet, its lines. */
    record Snippet(Path file, int line, String given, List<String> lines) {
        String where() {
            return file.getFileName() + ":" + line;
        }
    }

    static List<Snippet> snippets(Path root) throws IOException {
        List<Snippet> out = new ArrayList<>();
        for (Path f : DocsLinksTest.markdownFiles(root)) {
            List<String> lines = Files.readAllLines(f);
            for (int i = 0; i < lines.size(); i++) {
                if (!OPEN.matcher(lines.get(i)).matches()) {
                    continue;
                }
                String before = i > 0 ? lines.get(i - 1).trim() : "";
                int start = i + 1;
                int end = start;
                while (end < lines.size() && !CLOSE.matcher(lines.get(end)).matches()) {
                    end++;
                }
                i = end;
                if (FRAGMENT.matcher(before).matches()) {
                    continue;
                }
                Matcher g = GIVEN.matcher(before);
                out.add(new Snippet(f, start, g.matches() ? g.group(1).trim() : "",
                        lines.subList(start, Math.min(end, lines.size()))));
            }
        }
        return out;
    }

    /** The compilation unit for a snippet, per the convention above. */
    static String source(Snippet s, String className) {
        StringBuilder imports = new StringBuilder(IMPORTS);
        StringBuilder members = new StringBuilder();
        StringBuilder body = new StringBuilder();
        int depth = 0;
        boolean inMember = false;
        boolean header = true;
        for (String line : s.lines()) {
            String t = line.trim();
            if (header && t.startsWith("import ")) {
                imports.append(t).append('\n');
                continue;
            }
            if (!t.isEmpty() && !t.startsWith("//")) {
                header = false;
            }
            if (depth == 0 && !inMember && MEMBER.matcher(line).matches()) {
                inMember = true;
            }
            (inMember ? members : body).append(line).append('\n');
            depth += braces(line);
            if (inMember && depth == 0 && (t.endsWith("}") || t.endsWith(";"))) {
                inMember = false;
            }
        }
        return imports + "\n@SuppressWarnings(\"all\")\nabstract class " + className + " {\n"
                + s.given() + "\n" + members
                + "\nvoid snippet() throws Exception {\n" + body + "\n}\n}\n";
    }

    /** Net change of brace depth, ignoring braces in string and char literals and comments. */
    static int braces(String line) {
        int d = 0;
        boolean str = false;
        boolean chr = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (str || chr) {
                if (c == '\\') {
                    i++;
                } else if ((str && c == '"') || (chr && c == '\'')) {
                    str = chr = false;
                }
            } else if (c == '/' && i + 1 < line.length() && line.charAt(i + 1) == '/') {
                break;
            } else if (c == '"') {
                str = true;
            } else if (c == '\'') {
                chr = true;
            } else if (c == '{') {
                d++;
            } else if (c == '}') {
                d--;
            }
        }
        return d;
    }

    static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    @Test
    void everyJavaBlockOfTheDocsCompiles() throws IOException {
        Path root = DocsLinksTest.repoRoot();
        List<Snippet> all = snippets(root);
        assertTrue(all.size() >= 20, () -> "found only " + all.size() + " java blocks");
        List<String> failures = new ArrayList<>();
        for (int n = 0; n < all.size(); n++) {
            String errors = compile(all.get(n), "Snippet" + n);
            if (!errors.isEmpty()) {
                failures.add(all.get(n).where() + ":\n" + errors);
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + all.size() + " java blocks do not compile (convention: "
                    + "DocsSnippetsTest's Javadoc)\n" + String.join("\n", failures));
        }
    }

    /** The wrapping itself: members are split from statements, and a wrong call is caught. */
    @Test
    void theWrapperKeepsDeclarationsAsMembersAndCatchesAWrongCall() throws IOException {
        Snippet good = new Snippet(Path.of("t.md"), 1, "EventLoop loop;", List.of(
                "import java.io.IOException;",
                "static void say(String s) throws IOException { if (s == null) { throw new IOException(); } }",
                "class Echo implements Protocol {",
                "    public void dataReceived(ByteBuffer b) { }",
                "}",
                "Async.run(() -> { say(\"}{\"); });",
                "Server s = loop.runUntilComplete(Net.createServer(loop, Echo::new, null, 0));"));
        assertEquals("", compile(good, "Good"));
        Snippet bad = new Snippet(Path.of("t.md"), 1, "", List.of(
                "Async.run(() -> { Net.noSuchMethod(); });"));
        assertTrue(compile(bad, "Bad").contains("noSuchMethod"), compile(bad, "Bad"));
    }

    /** javac's errors for a snippet, one per line with the offending source line; empty if none. */
    static String compile(Snippet s, String className) throws IOException {
        String src = source(s, className);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        Path out = Files.createTempDirectory("snippets");
        try (StandardJavaFileManager fm = javac.getStandardFileManager(null, Locale.ROOT, null)) {
            JavaFileObject unit = new SimpleJavaFileObject(
                    URI.create("string:///" + className + ".java"), JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return src;
                }
            };
            DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
            boolean ok = javac.getTask(null, fm, diags,
                    List.of("-proc:none", "-classpath", classPath(), "-d", out.toString(),
                            "-Xlint:none", "-nowarn"),
                    null, List.of(unit)).call();
            if (ok) {
                return "";
            }
            StringBuilder sb = new StringBuilder();
            String[] srcLines = src.split("\n", -1);
            for (Diagnostic<? extends JavaFileObject> d : diags.getDiagnostics()) {
                if (d.getKind() == Diagnostic.Kind.ERROR) {
                    long l = d.getLineNumber();
                    sb.append("  ").append(d.getMessage(Locale.ROOT).replace('\n', ' '))
                            .append("\n    > ")
                            .append(l > 0 && l <= srcLines.length ? srcLines[(int) l - 1].trim() : "")
                            .append('\n');
                }
            }
            return sb.toString();
        } finally {
            deleteTree(out);
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            s.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }
}
