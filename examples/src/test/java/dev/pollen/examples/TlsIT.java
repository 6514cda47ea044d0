package dev.pollen.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLS with peers nobody here wrote, through the examples jar run as a user runs it: a certificate
 * made by {@code openssl req -x509}; {@code openssl s_client} and Python's asyncio against
 * {@code echo --tls-cert}; {@code curl} and the JDK's {@code HttpClient} over HTTPS through
 * {@code proxy --tls-cert} to a plain HTTP upstream; {@code proxy --upstream-tls} to a Python
 * asyncio TLS server. Each test runs with the JDK engine and with OpenSSL's. A missing external
 * tool skips its test, saying which.
 */
class TlsIT {

    private static final Pattern LISTENING = Pattern.compile("^listening 127\\.0\\.0\\.1:(\\d+) poller=(\\S+)$");

    @TempDir
    static Path dir;
    static Path cert;
    static Path key;

    @BeforeAll
    static void selfSignedPair() throws Exception {
        assumeTrue(onPath("openssl"), "the openssl command is not installed: these tests make their "
                + "certificate with 'openssl req' (apt-get install openssl)");
        cert = dir.resolve("cert.pem");
        key = dir.resolve("key.pem");
        Exec r = exec(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"), null, Duration.ofSeconds(60));
        assertEquals(0, r.status, r.output);
    }

    // ------------------------------------------------------------------ echo --tls-cert

    @ParameterizedTest
    @CsvSource({"jdk,-tls1_3", "jdk,-tls1_2", "openssl,-tls1_3", "openssl,-tls1_2"})
    void opensslSClientTalksToTheTlsEchoServer(String engine, String version) throws Exception {
        try (JarRun echo = startEcho(engine)) {
            int port = port(echo);
            Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                    "-CAfile", cert.toString(), "-servername", "localhost", "-verify_return_error",
                    "-quiet", "-no_ign_eof", version).redirectErrorStream(true).start();
            try {
                OutputStream in = p.getOutputStream();
                in.write("hello from s_client\n".getBytes(StandardCharsets.US_ASCII));
                in.flush();
                String line = readLineContaining(p.getInputStream(), "hello from s_client",
                        Duration.ofSeconds(20));
                assertTrue(line.contains("hello from s_client"), line);
                in.close(); // s_client ends: close_notify, then our side answers with its own
                assertTrue(p.waitFor(20, TimeUnit.SECONDS), "s_client did not exit");
            } finally {
                p.destroyForcibly();
            }
            assertTrue(echo.isAlive(), echo.describeSoFar());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "openssl"})
    void pythonAsyncioClientTalksToTheTlsEchoServer(String engine) throws Exception {
        assumeTrue(onPath("python3"), "python3 is not installed");
        String script = String.join("\n",
                "import asyncio, ssl, sys",
                "async def main():",
                "    ctx = ssl.create_default_context(cafile=sys.argv[1])",
                "    r, w = await asyncio.open_connection('localhost', int(sys.argv[2]), ssl=ctx)",
                "    for i in range(3):",
                "        w.write(b'line %d from asyncio\\n' % i)",
                "        await w.drain()",
                "        print('got', (await r.readline()).decode().strip())",
                "    print('version', w.get_extra_info('ssl_object').version())",
                "    w.close()",
                "    await w.wait_closed()",
                "    print('closed cleanly')",
                "asyncio.run(main())");
        try (JarRun echo = startEcho(engine)) {
            Exec r = exec(List.of("python3", "-c", script, cert.toString(), Integer.toString(port(echo))),
                    null, Duration.ofSeconds(30));
            assertEquals(0, r.status, r.output);
            for (int i = 0; i < 3; i++) {
                assertTrue(r.output.contains("got line " + i + " from asyncio"), r.output);
            }
            assertTrue(r.output.contains("version TLSv1.3"), r.output);
            assertTrue(r.output.contains("closed cleanly"), r.output);
        }
    }

    // ------------------------------------------------------------------ proxy --tls-cert

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "openssl"})
    void curlThroughTheTlsTerminatingProxyToPlainHttp(String engine) throws Exception {
        assumeTrue(onPath("curl"), "curl is not installed (apt-get install curl)");
        HttpServer upstream = httpUpstream();
        try (JarRun proxy = startProxy(engine, upstream.getAddress().getPort())) {
            int port = port(proxy);
            for (String v : List.of("--http1.1", "--tlsv1.2")) {
                Exec r = exec(List.of("curl", "-sS", v, "--cacert", cert.toString(),
                        "https://localhost:" + port + "/hello"), null, Duration.ofSeconds(30));
                assertEquals(0, r.status, "curl " + v + ": " + r.output + "\n" + proxy.describeSoFar());
                assertEquals("hello through pollen: /hello", r.output.strip());
            }
            Exec untrusted = exec(List.of("curl", "-sS", "https://localhost:" + port + "/"), null,
                    Duration.ofSeconds(30));
            assertEquals(60, untrusted.status, "curl must refuse a certificate it does not trust: "
                    + untrusted.output);
        } finally {
            upstream.stop(0);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "openssl"})
    void jdkHttpClientOverHttpsThroughTheProxy(String engine) throws Exception {
        HttpServer upstream = httpUpstream();
        try (JarRun proxy = startProxy(engine, upstream.getAddress().getPort())) {
            int port = port(proxy);
            HttpClient client = HttpClient.newBuilder().sslContext(trusting(cert))
                    .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> resp = client.send(HttpRequest.newBuilder(
                        URI.create("https://localhost:" + port + "/req" + i)).timeout(Duration.ofSeconds(20))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, resp.statusCode());
                assertEquals("hello through pollen: /req" + i, resp.body());
            }
        } finally {
            upstream.stop(0);
        }
    }

    // ------------------------------------------------------------------ proxy --upstream-tls

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "openssl"})
    void proxyOriginatesTlsToAPythonAsyncioServer(String engine) throws Exception {
        assumeTrue(onPath("python3"), "python3 is not installed");
        String script = String.join("\n",
                "import asyncio, ssl, sys",
                "async def handle(r, w):",
                "    while True:",
                "        d = await r.read(65536)",
                "        if not d:",
                "            break",
                "        w.write(d)",
                "        await w.drain()",
                "    w.close()",
                "async def main():",
                "    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)",
                "    ctx.load_cert_chain(sys.argv[1], sys.argv[2])",
                "    srv = await asyncio.start_server(handle, '127.0.0.1', 0, ssl=ctx)",
                "    print('port', srv.sockets[0].getsockname()[1], flush=True)",
                "    await asyncio.sleep(120)",
                "asyncio.run(main())");
        Process py = new ProcessBuilder("python3", "-c", script, cert.toString(), key.toString())
                .redirectErrorStream(true).start();
        try {
            String first = readLineContaining(py.getInputStream(), "port ", Duration.ofSeconds(20));
            int pyPort = Integer.parseInt(first.substring(first.indexOf("port ") + 5).strip());
            try (JarRun proxy = JarRun.start("proxy", "--listen", "127.0.0.1:0", "--upstream",
                    "localhost:" + pyPort, "--upstream-tls", "--upstream-ca", cert.toString(),
                    "--tls-engine", engine)) {
                int port = port(proxy);
                byte[] data = new byte[1 << 20];
                new Random(5).nextBytes(data);
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.setSoTimeout(30_000);
                    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                        try {
                            s.getOutputStream().write(data);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
                    byte[] got = s.getInputStream().readNBytes(data.length);
                    writer.get(30, TimeUnit.SECONDS);
                    assertArrayEquals(data, got, "1 MiB through the proxy and Python's TLS server\n"
                            + proxy.describeSoFar());
                }
            }
        } finally {
            py.destroyForcibly();
        }
    }

    // ------------------------------------------------------------------ usage errors

    @Test
    void missingKeyAndUnreadableFilesAreUsageErrors() throws Exception {
        JarRun.Result a = JarRun.run(Duration.ofSeconds(30), "echo", "--port", "0", "--tls-cert", cert.toString());
        assertEquals(2, a.status(), a.describe());
        assertTrue(a.stderr().contains("--tls-cert needs --tls-key"), a.describe());
        JarRun.Result b = JarRun.run(Duration.ofSeconds(30), "proxy", "--listen", "127.0.0.1:0", "--upstream",
                "127.0.0.1:1", "--tls-cert", cert.toString(), "--tls-key", dir.resolve("nope.pem").toString());
        assertEquals(2, b.status(), b.describe());
        assertTrue(b.stderr().contains("nope.pem"), b.describe());
        JarRun.Result c = JarRun.run(Duration.ofSeconds(30), "proxy", "--listen", "127.0.0.1:0", "--upstream",
                "127.0.0.1:1", "--upstream-ca", cert.toString());
        assertEquals(2, c.status(), c.describe());
        assertTrue(c.stderr().contains("need --upstream-tls"), c.describe());
    }

    // ------------------------------------------------------------------ helpers

    private static JarRun startEcho(String engine) throws IOException {
        return JarRun.start("echo", "--port", "0", "--tls-cert", cert.toString(), "--tls-key", key.toString(),
                "--tls-engine", engine);
    }

    private static JarRun startProxy(String engine, int upstreamPort) throws IOException {
        return JarRun.start("proxy", "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:" + upstreamPort,
                "--tls-cert", cert.toString(), "--tls-key", key.toString(), "--tls-engine", engine);
    }

    private static int port(JarRun run) throws InterruptedException {
        Matcher m = run.awaitStdout(LISTENING, Duration.ofSeconds(30));
        return Integer.parseInt(m.group(1));
    }

    private static HttpServer httpUpstream() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext("/", ex -> {
            byte[] body = ("hello through pollen: " + ex.getRequestURI().getPath())
                    .getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        });
        s.start();
        return s;
    }

    private static SSLContext trusting(Path pem) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            ks.setCertificateEntry("self-signed", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** Reads lines until one contains {@code needle}; fails after {@code timeout}. */
    private static String readLineContaining(InputStream in, String needle, Duration timeout) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        List<String> seen = new ArrayList<>();
        CompletableFuture<String> f = CompletableFuture.supplyAsync(() -> {
            try {
                String line;
                while ((line = r.readLine()) != null) {
                    seen.add(line);
                    if (line.contains(needle)) {
                        return line;
                    }
                }
                return "(end of output) " + seen;
            } catch (IOException e) {
                return "(read failed: " + e + ") " + seen;
            }
        });
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no line with '" + needle + "' within " + timeout + "; saw " + seen);
        }
    }

    private record Exec(int status, String output) {
    }

    private static Exec exec(List<String> cmd, String stdin, Duration timeout) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(read failed: " + e + ")";
            }
        });
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not finish within " + timeout + ": " + out.getNow("?"));
        }
        return new Exec(p.exitValue(), out.get(10, TimeUnit.SECONDS));
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
