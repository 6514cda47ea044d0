package dev.pollen.examples;

import dev.pollen.loop.EventLoop;
import dev.pollen.loop.Future;
import dev.pollen.net.Connection;
import dev.pollen.net.Net;
import dev.pollen.net.Protocol;
import dev.pollen.net.Transport;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Closed-loop ping-pong load against an echo service: each of {@code conns} connections keeps
 * {@code depth} messages of {@code size} bytes in flight, sends the next one when one comes back,
 * and checks every echoed byte against what it sent. Latency (send to last byte back) goes into an
 * HdrHistogram. Runs on one Pollen loop of its own.
 *
 * <p><b>Threading:</b> {@link #run} blocks the calling thread; the work runs on the generator's
 * loop thread.
 */
final class LoadGenerator {

    /** What a run measured. */
    record Result(long messages, long bytes, double seconds, Histogram latencyNanos, long errors,
                  String firstError) {

        double messagesPerSecond() {
            return seconds > 0 ? messages / seconds : 0;
        }

        double megabytesPerSecond() {
            return seconds > 0 ? bytes / seconds / 1e6 : 0;
        }

        long percentileMicros(double p) {
            return latencyNanos.getTotalCount() == 0 ? 0 : latencyNanos.getValueAtPercentile(p) / 1000;
        }

        String line() {
            return String.format("messages/s=%.0f MB/s=%.2f p50=%dus p99=%dus p999=%dus messages=%d errors=%d",
                    messagesPerSecond(), megabytesPerSecond(), percentileMicros(50), percentileMicros(99),
                    percentileMicros(99.9), messages, errors)
                    + (firstError != null ? " first-error=\"" + firstError + "\"" : "");
        }
    }

    private final HostPort target;
    private final int conns;
    private final int size;
    private final int depth;
    private final Duration duration;
    private final PrintStream progress;

    private final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    private long messages;
    private long bytes;
    private long errors;
    private String firstError;
    private int live;
    private boolean sending = true;
    private long startNanos;
    private long endNanos;
    private CompletableFuture<Void> finished;

    LoadGenerator(HostPort target, int conns, int size, int depth, Duration duration, PrintStream progress) {
        this.target = target;
        this.conns = conns;
        this.size = size;
        this.depth = depth;
        this.duration = duration;
        this.progress = progress;
    }

    /** Runs the load on a new loop of {@code pollerName} and returns what it measured. */
    Result run(String pollerName) throws InterruptedException {
        EventLoop loop = EventLoop.builder().poller(pollerName).name("loadgen").build();
        finished = new CompletableFuture<>();
        loop.startThread();
        try {
            loop.callSoonThreadsafe(() -> begin(loop));
            long limit = duration.toNanos() + TimeUnit.SECONDS.toNanos(30);
            try {
                finished.get(limit, TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                CompletableFuture<Void> stopped = new CompletableFuture<>();
                loop.callSoonThreadsafe(() -> {
                    error("load generator did not finish in time: " + e);
                    stopped.complete(null);
                });
                stopped.join();
            }
        } finally {
            loop.close();
        }
        double secs = (endNanos - startNanos) / 1e9;
        return new Result(messages, bytes, secs, histogram, errors, firstError);
    }

    private void begin(EventLoop loop) {
        startNanos = System.nanoTime();
        endNanos = startNanos;
        live = conns;
        for (int i = 0; i < conns; i++) {
            Client c = new Client(i);
            Future<Connection<Client>> f = Net.createConnection(loop, () -> c, target.host(), target.port());
            f.addDoneCallback(done -> {
                if (done.isCancelled() || done.exception() != null) {
                    // the library's message names the target already ("connect to HOST:PORT: ...")
                    error(done.isCancelled() ? "connect to " + target + ": cancelled"
                            : Servers.message(done.exception()));
                    clientDone();
                }
            });
        }
        loop.callLater(duration, () -> {
            sending = false;
            endNanos = System.nanoTime();
        });
        if (duration.toSeconds() > 3 && progress != null) {
            scheduleProgress(loop, 1, messages);
        }
    }

    private void scheduleProgress(EventLoop loop, int second, long before) {
        loop.callLater(Duration.ofSeconds(1), () -> {
            if (!sending) {
                return;
            }
            progress.printf("loadgen: %ds messages/s=%d errors=%d%n", second, messages - before, errors);
            scheduleProgress(loop, second + 1, messages);
        });
    }

    private void error(String what) {
        errors++;
        if (firstError == null) {
            firstError = what;
        }
    }

    private void clientDone() {
        if (--live == 0) {
            if (sending) {
                endNanos = System.nanoTime();
                sending = false;
            }
            finished.complete(null);
        }
    }

    /** The expected byte {@code i} of message {@code seq} of connection {@code id}. */
    static byte pattern(int id, long seq, int i) {
        return (byte) (id * 7 + seq * 13 + i);
    }

    /** One connection: keeps {@code depth} messages in flight and checks the echo. */
    private final class Client implements Protocol {
        private final int id;
        private final ByteBuffer out;
        private final long[] sentAt = new long[depth];
        private Transport transport;
        private long sentSeq;      // next message to send
        private long recvSeq;      // message being received
        private int recvOffset;    // bytes of it received so far
        private boolean done;

        Client(int id) {
            this.id = id;
            this.out = ByteBuffer.allocateDirect(size);
        }

        @Override
        public void connectionMade(Transport t) {
            transport = t;
            for (int i = 0; i < depth; i++) {
                send();
            }
        }

        private void send() {
            out.clear();
            for (int i = 0; i < size; i++) {
                out.put(pattern(id, sentSeq, i));
            }
            out.flip();
            sentAt[(int) (sentSeq % depth)] = System.nanoTime();
            sentSeq++;
            transport.write(out);
        }

        @Override
        public void dataReceived(ByteBuffer data) {
            while (data.hasRemaining()) {
                byte b = data.get();
                if (b != pattern(id, recvSeq, recvOffset)) {
                    error("connection " + id + ": byte " + recvOffset + " of message " + recvSeq
                            + " differs from what was sent");
                    finish(true);
                    return;
                }
                if (++recvOffset == size) {
                    long now = System.nanoTime();
                    histogram.recordValue(Math.min(now - sentAt[(int) (recvSeq % depth)],
                            histogram.getHighestTrackableValue()));
                    recvOffset = 0;
                    recvSeq++;
                    if (sending) {
                        messages++;
                        bytes += size;
                        send();
                    } else if (recvSeq == sentSeq) {
                        finish(false);
                        return;
                    }
                }
            }
        }

        private void finish(boolean abort) {
            if (done) {
                return;
            }
            done = true;
            if (abort) {
                transport.abort();
            } else {
                transport.close();
            }
        }

        @Override
        public void connectionLost(Throwable cause) {
            if (!done) {
                done = true;
                error("connection " + id + " lost before the run ended"
                        + (cause != null ? ": " + cause : " (closed by the peer)"));
            }
            clientDone();
        }
    }
}
