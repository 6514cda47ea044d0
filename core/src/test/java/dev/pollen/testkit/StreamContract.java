package dev.pollen.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pollen.loop.CancelledException;
import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Task;
import dev.pollen.net.IncompleteReadException;
import dev.pollen.net.LimitOverrunException;
import dev.pollen.net.Net;
import dev.pollen.net.NetOptions;
import dev.pollen.net.Server;
import dev.pollen.net.StreamConnection;
import dev.pollen.net.StreamReader;
import dev.pollen.net.StreamWriter;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The streams contract on a backend: {@link StreamReader}, {@link StreamWriter},
 * {@code openConnection} and {@code startServer}. Ports the applicable cases of CPython's
 * {@code Lib/test/test_asyncio/test_streams.py} (named on each test); the reader cases feed the
 * reader by hand, as CPython's do, the others run over loopback.
 *
 * <p><b>Threading:</b> JUnit's test thread runs the loops; the bodies run in tasks.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
public class StreamContract extends NetFixture {

    private static final byte[] DATA = b("line1\nline2\nline3\n");

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }

    /** Reads what is buffered without waiting (the reader's {@code _buffer} in CPython). */
    private static String buffer(StreamReader r) throws IOException {
        return r.buffered() == 0 ? "" : s(r.read(r.buffered()));
    }

    /** A test body that runs in a task, given its loop and a reader fed by hand. */
    @FunctionalInterface
    private interface ReaderBody {
        void run(EventLoop loop, StreamReader r) throws Exception;
    }

    /** Runs {@code body} in a task on a new loop, with a reader of the default limit. */
    private void withReader(ReaderBody body) {
        EventLoop loop = newLoop();
        runTask(loop, () -> {
            body.run(loop, new StreamReader(loop));
            return null;
        });
    }

    /** Runs {@code body} in a task on a new loop, with a reader of the given {@code limit}. */
    private void withReader(int limit, ReaderBody body) {
        EventLoop loop = newLoop();
        runTask(loop, () -> {
            body.run(loop, new StreamReader(loop, limit));
            return null;
        });
    }

    // ------------------------------------------------------------------ StreamReader, fed by hand

    // test_streams: test_feed_empty_data, test_feed_nonempty_data
    @Test
    void feedData() {
        EventLoop loop = newLoop();
        StreamReader r = new StreamReader(loop);
        r.feedData(new byte[0]);
        assertEquals(0, r.buffered());
        r.feedData(DATA);
        assertEquals(DATA.length, r.buffered());
    }

    // test_streams: test_read_zero
    @Test
    void readZero() {
        withReader((loop, r) -> {
            r.feedData(DATA);
            assertEquals(0, r.read(0).length);
            assertEquals(DATA.length, r.buffered());
        });
    }

    // test_streams: test_read
    @Test
    void readWaitsForData() {
        withReader((loop, r) -> {
            loop.callSoon(() -> r.feedData(DATA));
            assertEquals(s(DATA), s(r.read(30)));
            assertEquals(0, r.buffered());
        });
    }

    // test_streams: test_read_line_breaks
    @Test
    void readLineBreaks() {
        withReader((loop, r) -> {
            r.feedData(b("line1"));
            r.feedData(b("line2"));
            assertEquals("line1", s(r.read(5)));
            assertEquals("line2", s(r.read(5)));
        });
    }

    // test_streams: test_read_eof
    @Test
    void readEof() {
        withReader((loop, r) -> {
            loop.callSoon(r::feedEof);
            assertEquals(0, r.read(1024).length);
            assertTrue(r.atEof());
        });
    }

    // test_streams: test_read_until_eof
    @Test
    void readAllUntilEof() {
        withReader((loop, r) -> {
            loop.callSoon(() -> {
                r.feedData(b("chunk1\n"));
                r.feedData(b("chunk2"));
                r.feedEof();
            });
            assertEquals("chunk1\nchunk2", s(r.read(-1)));
            assertEquals(0, r.buffered());
        });
    }

    // test_streams: test_read_exception
    @Test
    void readException() {
        withReader((loop, r) -> {
            r.feedData(b("line\n"));
            assertEquals("li", s(r.read(2)));
            IOException boom = new IOException("boom");
            r.setException(boom);
            assertSame(boom, assertThrows(IOException.class, () -> r.read(2)));
        });
    }

    // test_streams: test_invalid_limit
    @Test
    void invalidLimit() {
        EventLoop loop = newLoop();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new StreamReader(loop, 0));
        assertTrue(e.getMessage().contains("limit"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new StreamReader(loop, -1));
    }

    // test_streams: test_read_limit
    @Test
    void readIgnoresTheLimit() {
        withReader(3, (loop, r) -> {
            r.feedData(b("chunk"));
            assertEquals("chunk", s(r.read(5)));
        });
    }

    // test_streams: test_readline
    @Test
    void readLineAcrossChunks() {
        withReader((loop, r) -> {
            r.feedData(b("chunk1 "));
            loop.callSoon(() -> {
                r.feedData(b("chunk2 "));
                r.feedData(b("chunk3 "));
                r.feedData(b("\n chunk4"));
            });
            assertEquals("chunk1 chunk2 chunk3 \n", s(r.readLine()));
            assertEquals(" chunk4", buffer(r));
        });
    }

    // test_streams: test_readline_limit_with_existing_data
    @Test
    void readLineLimitWithExistingData() {
        withReader(3, (loop, r) -> {
            r.feedData(b("li"));
            r.feedData(b("ne1\nline2\n"));
            assertThrows(LimitOverrunException.class, r::readLine);
            // The first line was dropped (with its newline); the second is still there.
            assertEquals("line2\n", buffer(r));

            StreamReader r2 = new StreamReader(loop, 3);
            r2.feedData(b("li"));
            r2.feedData(b("ne1"));
            r2.feedData(b("li"));
            assertThrows(LimitOverrunException.class, r2::readLine);
            assertEquals("", buffer(r2));
        });
    }

    // test_streams: test_at_eof
    @Test
    void atEof() {
        withReader((loop, r) -> {
            assertFalse(r.atEof());
            r.feedData(b("some data\n"));
            assertFalse(r.atEof());
            r.readLine();
            assertFalse(r.atEof());
            r.feedData(b("some data\n"));
            r.feedEof();
            r.readLine();
            assertTrue(r.atEof());
        });
    }

    // test_streams: test_readline_limit
    @Test
    void readLineLimit() {
        withReader(7, (loop, r) -> {
            loop.callSoon(() -> {
                r.feedData(b("chunk1"));
                r.feedData(b("chunk2"));
                r.feedData(b("chunk3\n"));
                r.feedEof();
            });
            assertThrows(LimitOverrunException.class, r::readLine);
            assertEquals("", buffer(r));

            StreamReader r2 = new StreamReader(loop, 7);
            loop.callSoon(() -> {
                r2.feedData(b("chunk1"));
                r2.feedData(b("chunk2\n"));
                r2.feedData(b("chunk3\n"));
                r2.feedEof();
            });
            assertThrows(LimitOverrunException.class, r2::readLine);
            assertEquals("chunk3\n", buffer(r2));

            StreamReader r3 = new StreamReader(loop, 7);
            r3.feedData(b("1234567\n"));
            assertEquals("1234567\n", s(r3.readLine()));
            assertEquals(0, r3.buffered());
            r3.feedData(b("12345678\n"));
            assertThrows(LimitOverrunException.class, r3::readLine);
            assertEquals(0, r3.buffered());
            r3.feedData(b("12345678"));
            assertThrows(LimitOverrunException.class, r3::readLine);
            assertEquals(0, r3.buffered());
        });
    }

    // test_streams: test_readline_nolimit_nowait
    @Test
    void readLineWithoutWaiting() {
        withReader((loop, r) -> {
            r.feedData(java.nio.ByteBuffer.wrap(DATA, 0, 6));
            r.feedData(java.nio.ByteBuffer.wrap(DATA, 6, DATA.length - 6));
            assertEquals("line1\n", s(r.readLine()));
            assertEquals("line2\nline3\n", buffer(r));
        });
    }

    // test_streams: test_readline_eof, test_readline_empty_eof
    @Test
    void readLineAtEof() {
        withReader((loop, r) -> {
            r.feedData(b("some data"));
            r.feedEof();
            assertEquals("some data", s(r.readLine()));
            StreamReader empty = new StreamReader(loop);
            empty.feedEof();
            assertEquals(0, empty.readLine().length);
        });
    }

    // test_streams: test_readline_read_byte_count
    @Test
    void readLineThenReadByteCount() {
        withReader((loop, r) -> {
            r.feedData(DATA);
            r.readLine();
            assertEquals("line2\nl", s(r.read(7)));
            assertEquals("ine3\n", buffer(r));
        });
    }

    // test_streams: test_readline_exception
    @Test
    void readLineException() {
        withReader((loop, r) -> {
            r.feedData(b("line\n"));
            assertEquals("line\n", s(r.readLine()));
            r.setException(new IOException("boom"));
            assertThrows(IOException.class, r::readLine);
            assertEquals(0, r.buffered());
        });
    }

    // test_streams: test_readuntil_separator
    @Test
    void readUntilRejectsAnEmptySeparator() {
        EventLoop loop = newLoop();
        StreamReader r = new StreamReader(loop);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> r.readUntil(new byte[0]));
        assertTrue(e.getMessage().contains("separator"), e.getMessage());
    }

    // test_streams: test_readuntil_multi_chunks
    @Test
    void readUntilMultiChunks() {
        withReader((loop, r) -> {
            r.feedData(b("lineAAA"));
            assertEquals("lineAAA", s(r.readUntil(b("AAA"))));
            assertEquals(0, r.buffered());
            r.feedData(b("lineAAA"));
            assertEquals("lineAAA", s(r.readUntil(b("AAA"))));
            r.feedData(b("lineAAAxxx"));
            assertEquals("lineAAA", s(r.readUntil(b("AAA"))));
            assertEquals("xxx", buffer(r));
        });
    }

    // test_streams: test_readuntil_multi_chunks_1
    @Test
    void readUntilSeparatorSplitAcrossChunks() {
        withReader((loop, r) -> {
            r.feedData(b("QWEaa"));
            r.feedData(b("XYaa"));
            r.feedData(b("a"));
            assertEquals("QWEaaXYaaa", s(r.readUntil(b("aaa"))));
            assertEquals(0, r.buffered());

            r.feedData(b("QWEaa"));
            r.feedData(b("XYa"));
            r.feedData(b("aa"));
            assertEquals("QWEaaXYaaa", s(r.readUntil(b("aaa"))));

            r.feedData(b("aaa"));
            assertEquals("aaa", s(r.readUntil(b("aaa"))));

            r.feedData(b("Xaaa"));
            assertEquals("Xaaa", s(r.readUntil(b("aaa"))));

            r.feedData(b("XXX"));
            r.feedData(b("a"));
            r.feedData(b("a"));
            r.feedData(b("a"));
            assertEquals("XXXaaa", s(r.readUntil(b("aaa"))));
            assertEquals(0, r.buffered());
        });
    }

    // test_streams: test_readuntil_eof
    @Test
    void readUntilEof() {
        withReader((loop, r) -> {
            r.feedData(b("some dataAA"));
            r.feedEof();
            IncompleteReadException e = assertThrows(IncompleteReadException.class,
                    () -> r.readUntil(b("AAA")));
            assertEquals("some dataAA", s(e.partial()));
            assertEquals(-1, e.expected());
            assertEquals(0, r.buffered());
        });
    }

    // test_streams: test_readuntil_limit_found_sep
    @Test
    void readUntilLimitLeavesTheDataReadable() {
        withReader(3, (loop, r) -> {
            r.feedData(b("some dataAA"));
            LimitOverrunException e = assertThrows(LimitOverrunException.class,
                    () -> r.readUntil(b("AAA")));
            assertTrue(e.getMessage().contains("not found"), e.getMessage());
            assertEquals(11, r.buffered(), "the data stays readable");
            r.feedData(b("A"));
            e = assertThrows(LimitOverrunException.class, () -> r.readUntil(b("AAA")));
            assertTrue(e.getMessage().contains("is found"), e.getMessage());
            assertEquals("some dataAAA", buffer(r));
        });
    }

    // test_streams: test_readexactly_zero_or_less
    @Test
    void readExactlyZeroOrLess() {
        withReader((loop, r) -> {
            r.feedData(DATA);
            assertEquals(0, r.readExactly(0).length);
            assertEquals(DATA.length, r.buffered());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> r.readExactly(-1));
            assertTrue(e.getMessage().contains("less than zero"), e.getMessage());
            assertEquals(DATA.length, r.buffered());
        });
    }

    // test_streams: test_readexactly
    @Test
    void readExactlyWaits() {
        withReader((loop, r) -> {
            int n = 2 * DATA.length;
            loop.callSoon(() -> {
                r.feedData(DATA);
                r.feedData(DATA);
                r.feedData(DATA);
            });
            assertEquals(s(DATA) + s(DATA), s(r.readExactly(n)));
            assertEquals(s(DATA), buffer(r));
        });
    }

    // test_streams: test_readexactly_limit
    @Test
    void readExactlyIgnoresTheLimit() {
        withReader(3, (loop, r) -> {
            r.feedData(b("chunk"));
            assertEquals("chunk", s(r.readExactly(5)));
        });
    }

    // test_streams: test_readexactly_eof
    @Test
    void readExactlyEofCarriesThePartialData() {
        withReader((loop, r) -> {
            int n = 2 * DATA.length;
            loop.callSoon(() -> {
                r.feedData(DATA);
                r.feedEof();
            });
            IncompleteReadException e = assertThrows(IncompleteReadException.class,
                    () -> r.readExactly(n));
            assertEquals(s(DATA), s(e.partial()));
            assertEquals(n, e.expected());
            assertEquals("18 bytes read on a total of 36 expected bytes", e.getMessage());
            assertEquals(0, r.buffered());
        });
    }

    // test_streams: test_readexactly_exception
    @Test
    void readExactlyException() {
        withReader((loop, r) -> {
            r.feedData(b("line\n"));
            assertEquals("li", s(r.readExactly(2)));
            r.setException(new IOException("boom"));
            assertThrows(IOException.class, () -> r.readExactly(2));
        });
    }

    // test_streams: test_exception
    @Test
    void exceptionIsStored() {
        EventLoop loop = newLoop();
        StreamReader r = new StreamReader(loop);
        assertNull(r.exception());
        IOException e = new IOException("x");
        r.setException(e);
        assertSame(e, r.exception());
    }

    // test_streams: test_exception_waiter
    @Test
    void exceptionWakesAWaitingReader() {
        EventLoop loop = newLoop();
        StreamReader r = new StreamReader(loop);
        Task<Throwable> reader = loop.createTask(() -> {
            try {
                r.readLine();
                return null;
            } catch (IOException e) {
                return e;
            }
        });
        loop.createTask(() -> r.setException(new IOException("set by another task")));
        Throwable got = run(loop, reader);
        assertInstanceOf(IOException.class, got);
        assertEquals("set by another task", got.getMessage());
    }

    // test_streams: test_exception_cancel
    @Test
    void cancellingAWaitingReaderLeavesTheReaderUsable() {
        EventLoop loop = newLoop();
        StreamReader r = new StreamReader(loop);
        Task<byte[]> t = loop.createTask(() -> r.readLine());
        runFor(loop, Duration.ofMillis(5));
        t.cancel();
        assertThrows(CancelledException.class, () -> run(loop, t));
        assertTrue(t.isCancelled());
        // Nothing is left waiting: a new read works and an exception can still be set.
        r.feedData(b("after\n"));
        assertEquals("after\n", s(runTask(loop, r::readLine)));
        r.setException(new IOException("late"));
    }

    // test_streams: RuntimeError for two waiters
    @Test
    void twoTasksCannotWaitOnOneReader() {
        EventLoop loop = newLoop();
        StreamReader r = new StreamReader(loop);
        Task<byte[]> first = loop.createTask(() -> r.read(1));
        Task<byte[]> second = loop.createTask(() -> r.read(1));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> run(loop, second));
        assertTrue(e.getMessage().contains("already waiting"), e.getMessage());
        r.feedData(b("x"));
        assertEquals("x", s(run(loop, first)));
    }

    // ------------------------------------------------------------------ over loopback

    /** A line echo server: answers every line with "echo: line" until end-of-stream. */
    private Server lineEchoServer(EventLoop loop) {
        return runTask(loop, () -> Net.startServer((reader, writer) -> {
            while (true) {
                byte[] line = reader.readLine();
                if (line.length == 0) {
                    break;
                }
                writer.write(b("echo: "));
                writer.write(line);
                writer.drain();
            }
            writer.close();
            writer.waitClosed();
        }, LOCAL, 0));
    }

    // test_streams: test_open_connection, test_start_server
    @Test
    void openConnectionAndStartServerExchangeLines() {
        EventLoop loop = newLoop();
        Server server = lineEchoServer(loop);
        int port = port(server);
        List<String> got = runTask(loop, () -> {
            StreamConnection c = Net.openConnection(LOCAL, port);
            List<String> lines = new ArrayList<>();
            for (String msg : new String[] {"hello\n", "world\n"}) {
                c.writer().write(b(msg));
                c.writer().drain();
                lines.add(s(c.reader().readLine()));
            }
            c.writer().writeEof();
            assertEquals(0, c.reader().read(-1).length, "the server closes after our EOF");
            assertTrue(c.reader().atEof());
            c.writer().close();
            c.writer().waitClosed();
            return lines;
        });
        assertEquals(List.of("echo: hello\n", "echo: world\n"), got);
        server.close();
        run(loop, server.waitClosed());
        assertNoLoopErrors();
    }

    // test_streams: test_open_unix_connection, test_start_unix_server
    @Test
    void unixStreams() throws IOException {
        EventLoop loop = newLoop();
        assumeTrue(loop.poller().sockets().supportsUnixDomain(),
                "the " + loop.poller().name() + " poller has no Unix domain sockets: skipped");
        Path dir = Files.createTempDirectory("pollen-streams");
        Path path = dir.resolve("s.sock");
        try {
            String got = runTask(loop, () -> {
                Server server = Net.startUnixServer((reader, writer) -> {
                    writer.write(reader.readLine());
                    writer.close();
                }, path);
                StreamConnection c = Net.openUnixConnection(path);
                c.writer().write(b("over unix\n"));
                String line = s(c.reader().readLine());
                assertTrue(c.reader().read(-1).length == 0);
                c.writer().close();
                c.writer().waitClosed();
                server.close();
                return line;
            });
            assertEquals("over unix\n", got);
        } finally {
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
        assertNoLoopErrors();
    }

    // test_streams: test_open_connection_error
    @Test
    void openConnectionErrorIsThrownAsItself() {
        EventLoop loop = newLoop();
        Server server = lineEchoServer(loop);
        int port = port(server);
        server.close();
        Throwable e = runTask(loop, () -> {
            try {
                Net.openConnection(LOCAL, port);
                return null;
            } catch (IOException expected) {
                return expected;
            }
        });
        assertInstanceOf(ConnectException.class, e);
        assertThrows(IllegalStateException.class, () -> Net.openConnection(LOCAL, port),
                "outside a task openConnection must refuse");
    }

    // test_streams: test_drain_raises
    @Test
    void drainRaisesOnceThePeerIsGone() {
        EventLoop loop = newLoop();
        Server server = runTask(loop, () -> Net.startServer((reader, writer) -> {
            writer.transport().abort();
        }, LOCAL, 0));
        int port = port(server);
        Throwable e = runTask(loop, () -> {
            StreamConnection c = Net.openConnection(LOCAL, port);
            byte[] chunk = new byte[64 * 1024];
            try {
                for (int i = 0; i < 10_000; i++) {
                    c.writer().write(chunk);
                    c.writer().drain();
                }
                return null;
            } catch (IOException expected) {
                return expected;
            }
        });
        assertInstanceOf(IOException.class, e, "drain must raise once the peer reset");
    }

    // test_streams: test_wait_closed_on_close, test_wait_closed_on_close_with_unread_data
    @Test
    void waitClosedAfterCloseWithUnreadData() {
        EventLoop loop = newLoop();
        Server server = runTask(loop, () -> Net.startServer((reader, writer) -> {
            writer.write(b("HTTP/1.0 200 OK\r\nunread body"));
        }, LOCAL, 0));
        int port = port(server);
        runTask(loop, () -> {
            StreamConnection c = Net.openConnection(LOCAL, port);
            assertEquals("HTTP/1.0 200 OK\r\n", s(c.reader().readLine()));
            assertFalse(c.writer().isClosing());
            c.writer().close();
            assertTrue(c.writer().isClosing());
            c.writer().waitClosed();
            return null;
        });
        server.closeClients();
        server.close();
        run(loop, server.waitClosed());
    }

    // test_streams: test_async_writer_api, test_async_writer_api_exception_after_close
    @Test
    void writerAfterCloseRefusesToWriteAndDrainReportsConnectionLost() {
        EventLoop loop = newLoop();
        Server server = lineEchoServer(loop);
        int port = port(server);
        Throwable e = runTask(loop, () -> {
            StreamConnection c = Net.openConnection(LOCAL, port);
            c.writer().write(b("one\n"));
            c.writer().drain();
            assertEquals("echo: one\n", s(c.reader().readLine()));
            c.writer().close();
            assertThrows(IllegalStateException.class, () -> c.writer().write(b("x")));
            try {
                c.writer().drain();
                return null;
            } catch (IOException expected) {
                return expected;
            }
        });
        assertInstanceOf(IOException.class, e);
        assertTrue(e.getMessage().contains("Connection lost"), e.getMessage());
    }

    // test_streams: test_eof_feed_when_closing_writer
    @Test
    void closingTheWriterEndsTheReader() {
        EventLoop loop = newLoop();
        Server server = lineEchoServer(loop);
        int port = port(server);
        boolean atEof = runTask(loop, () -> {
            StreamConnection c = Net.openConnection(LOCAL, port);
            c.writer().close();
            c.writer().waitClosed();
            return c.reader().atEof();
        });
        assertTrue(atEof);
    }

    // test_streams: test_unhandled_exceptions (client_connected_cb raising)
    @Test
    void anExceptionInTheClientHandlerIsReportedAndClosesTheConnection() {
        EventLoop loop = newLoop();
        Server server = runTask(loop, () -> Net.startServer((reader, writer) -> {
            throw new IllegalStateException("handler failed");
        }, LOCAL, 0));
        int port = port(server);
        byte[] rest = runTask(loop, () -> {
            StreamConnection c = Net.openConnection(LOCAL, port);
            return c.reader().read(-1);
        });
        assertEquals(0, rest.length, "the server closes the connection");
        runUntil(loop, () -> !loopErrors.isEmpty(), "the report");
        assertTrue(loopErrors.get(0).message().contains("client_connected_cb"));
        assertEquals("handler failed", loopErrors.get(0).exception().getMessage());
    }

    /**
     * A peer that resets the connection under a handler is routine: the report says so
     * ({@code isRoutineNetworkError}), and the default handling logs it as one line at INFO on
     * {@code dev.pollen.net.routine}, no stack trace, and nothing at all once that logger is
     * set to WARNING; while a handler's own bug keeps its ERROR with the stack trace.
     */
    @Test
    void aPeerResetUnderAHandlerIsOneInfoLineAndABugKeepsItsStackTrace() {
        EventLoop loop = newLoop();
        Server server = runTask(loop, () -> Net.startServer((reader, writer) -> {
            reader.readExactly(1);
            byte[] chunk = new byte[64 * 1024];
            while (true) { // until the peer's reset fails the drain
                writer.write(chunk);
                writer.drain();
            }
        }, LOCAL, 0));
        int port = port(server);
        runTask(loop, () -> {
            StreamConnection c = Net.openConnection(LOCAL, port);
            c.writer().write(b("x"));
            c.reader().readExactly(1); // the handler is writing
            c.writer().transport().abort(); // RST
            return null;
        });
        runUntil(loop, () -> !loopErrors.isEmpty(), "the handler's failure to be reported");
        dev.pollen.loop.ExceptionContext reset = loopErrors.get(0);
        assertTrue(reset.message().contains("client_connected_cb"), reset.message());
        assertTrue(reset.isRoutineNetworkError(), "a reset is routine: " + reset.exception());
        try (LogCapture routine = new LogCapture("dev.pollen.net.routine", java.util.logging.Level.ALL);
             LogCapture errors = new LogCapture(EventLoop.class.getName(), java.util.logging.Level.ALL)) {
            loop.defaultExceptionHandler(reset);
            assertEquals(1, routine.records.size());
            java.util.logging.LogRecord r = routine.records.get(0);
            assertEquals(java.util.logging.Level.INFO, r.getLevel());
            assertNull(r.getThrown(), "no stack trace for a routine event");
            assertFalse(r.getMessage().contains("\n"), r.getMessage());
            assertTrue(r.getMessage().contains("client_connected_cb"), r.getMessage());
            assertEquals(List.of(), errors.records);

            java.util.logging.Logger.getLogger("dev.pollen.net.routine")
                    .setLevel(java.util.logging.Level.WARNING);
            loop.defaultExceptionHandler(reset);
            assertEquals(1, routine.records.size(), "an operator turns them off by level");

            loop.defaultExceptionHandler(new dev.pollen.loop.ExceptionContext(
                    "Unhandled exception in client_connected_cb",
                    new IllegalStateException("a bug"), null));
            assertEquals(1, errors.records.size());
            assertEquals(java.util.logging.Level.SEVERE, errors.records.get(0).getLevel());
            assertEquals("a bug", errors.records.get(0).getThrown().getMessage());
        }
    }

    // test_streams: drain returns at once under the high-water mark
    @Test
    void drainReturnsAtOnceUnderTheHighWaterMark() {
        EventLoop loop = newLoop();
        Server server = lineEchoServer(loop);
        int port = port(server);
        long iterations = runTask(loop, () -> {
            StreamConnection c = Net.openConnection(LOCAL, port);
            c.writer().write(b("small\n"));
            long before = loop.stats().iterations();
            c.writer().drain();
            long after = loop.stats().iterations();
            c.writer().close();
            return after - before;
        });
        assertEquals(0, iterations, "drain must not suspend under the high-water mark");
    }

    // test_streams: several tasks drain at once (CPython 3.12's multiple drain waiters)
    @Test
    void severalTasksMayDrainAtOnce() {
        EventLoop loop = newLoop();
        StreamReader[] serverReader = new StreamReader[1];
        StreamWriter[] serverWriter = new StreamWriter[1];
        Server server = runTask(loop, () -> Net.startServer((reader, writer) -> {
            serverReader[0] = reader;
            serverWriter[0] = writer;
            writer.transport().pauseReading(); // a slow peer
        }, LOCAL, 0, SMALL_BUFFERS));
        int port = port(server);
        StreamConnection c = runTask(loop, () -> Net.openConnection(LOCAL, port, SMALL_BUFFERS));
        runUntil(loop, () -> serverWriter[0] != null, "the server side");
        byte[] chunk = new byte[256 * 1024];
        runTask(loop, () -> {
            for (int i = 0; i < 32; i++) { // 8 MiB: far past the kernel's buffers
                c.writer().write(chunk);
            }
            return null;
        });
        assertTrue(c.writer().transport().writeBufferSize()
                > c.writer().transport().writeBufferHighWater());
        List<Task<Long>> drains = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            drains.add(loop.createTask(() -> {
                c.writer().drain();
                return c.writer().transport().writeBufferSize();
            }));
        }
        runFor(loop, Duration.ofMillis(20));
        for (Task<Long> d : drains) {
            assertFalse(d.isDone(), "drain must wait while the buffer is over the high-water mark");
        }
        serverWriter[0].transport().resumeReading();
        Task<Void> consumer = loop.createTask(() -> {
            serverReader[0].readExactly(32 * chunk.length);
            return null;
        });
        for (Task<Long> d : drains) {
            long left = run(loop, d);
            assertTrue(left <= c.writer().transport().writeBufferLowWater(),
                    "drain returned with " + left + " bytes still buffered");
        }
        run(loop, consumer);
        c.writer().close();
        assertNoLoopErrors();
    }

    // test_streams: the reader pauses its transport past twice its limit
    @Test
    void aFullReaderPausesItsTransport() {
        EventLoop loop = newLoop();
        int limit = 1024;
        Server server = runTask(loop, () -> Net.startServer((reader, writer) -> {
            writer.write(new byte[256 * 1024]);
            writer.drain();
            writer.close();
        }, LOCAL, 0));
        int port = port(server);
        StreamConnection c = runTask(loop, () -> Net.openConnection(LOCAL, port,
                NetOptions.builder().streamLimit(limit).build()));
        runUntil(loop, () -> c.reader().buffered() > 2 * limit, "data to arrive");
        runFor(loop, Duration.ofMillis(20));
        assertFalse(c.writer().transport().isReading(), "past 2 x limit the reader pauses");
        assertTrue(c.reader().buffered() <= 2 * limit + 64 * 1024,
                "at most one read past the mark: " + c.reader().buffered());
        int total = runTask(loop, () -> c.reader().read(-1).length);
        assertEquals(256 * 1024, total);
        c.writer().close();
    }

    @Test
    void serverAddressesAndPeerAddressesMatch() {
        EventLoop loop = newLoop();
        Server server = lineEchoServer(loop);
        int port = port(server);
        InetSocketAddress peer = runTask(loop, () -> {
            StreamConnection c = Net.openConnection(LOCAL, port);
            InetSocketAddress p = (InetSocketAddress) c.writer().peerAddress();
            assertTrue(c.writer().localAddress() instanceof InetSocketAddress);
            c.writer().close();
            return p;
        });
        assertEquals(port, peer.getPort());
    }
}
