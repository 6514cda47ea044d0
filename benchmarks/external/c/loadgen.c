/*
 * Closed-loop echo load generator for Pollen's external benchmarks: one thread, epoll.
 *
 *   loadgen --port P [--host 127.0.0.1] [--conns 64] [--size 64] [--depth 1]
 *           [--warmup 2] [--seconds 5]
 *
 * Opens CONNS connections; each keeps DEPTH messages of SIZE bytes in flight and sends the next
 * one when one has come back in full. Every echoed byte is checked against what was sent (each
 * message carries its connection and sequence number in its first bytes, so a reordered or
 * misrouted echo is caught too). After WARMUP seconds it prints "# measuring" on stdout, counts
 * messages and latencies (send to last byte back) for SECONDS, prints "# done", stops sending,
 * waits for the messages still in flight, and prints one JSON line:
 *
 *   {"messages":..., "seconds":..., "messages_per_sec":..., "bytes_per_sec":...,
 *    "latency_us":{"p50":...,"p99":...,"p999":...,"max":...}, "errors":0, "first_error":null, ...}
 *
 * The markers let the harness read the server's CPU time over exactly the measured window.
 * Exit status: 0 if no error, 1 on any error (lost connection, wrong byte), 2 on bad arguments.
 * Written for Pollen's benchmarks; see docs/benchmarks.md.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#define RBUF (256 * 1024)
#define STAMP 8                     /* bytes of (connection, sequence) at a message's start */
#define SUB 64                      /* histogram sub-buckets per power of two (~1.6% steps) */
#define BUCKETS (40 * SUB)

struct conn {
    int fd;
    int id;
    int want_out;                   /* EPOLLOUT registered */
    int closed;
    uint64_t sent_seq;              /* messages queued so far */
    uint64_t recv_seq;              /* message being received */
    size_t recv_off;                /* bytes of it received */
    size_t head, tail;              /* unsent bytes: out[head, tail) */
    char *out;                      /* capacity depth * size */
    uint64_t *sent_at;              /* send time of message seq, at [seq % depth] */
};

static int size = 64, depth = 1, nconns = 64;
static unsigned char *tmpl;
static uint64_t hist[BUCKETS];
static uint64_t hist_count, hist_max;
static uint64_t messages;           /* completed inside the measured window */
static int measuring, sending = 1;
static long errors;
static char first_error[256];

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void error_at(struct conn *c, const char *what) {
    errors++;
    if (first_error[0] == 0) {
        snprintf(first_error, sizeof first_error, "connection %d, message %llu: %s", c->id,
                 (unsigned long long)c->recv_seq, what);
    }
}

static void usage(const char *bad) {
    fprintf(stderr, "loadgen: %s\nusage: loadgen --port P [--host 127.0.0.1] [--conns 64] "
            "[--size 64] [--depth 1] [--warmup 2] [--seconds 5]\n", bad);
    exit(2);
}

static int bucket(uint64_t v) {
    if (v < SUB) return (int)v;
    int e = 63 - __builtin_clzll(v);          /* e >= 6 */
    int b = (e - 5) * SUB + (int)((v >> (e - 6)) & (SUB - 1));
    return b < BUCKETS ? b : BUCKETS - 1;
}

static uint64_t bucket_top(int b) {
    if (b < SUB) return (uint64_t)b;
    int e = b / SUB + 5, m = b % SUB;
    return ((uint64_t)(SUB + m + 1) << (e - 6)) - 1;
}

static double percentile_us(double p) {
    if (hist_count == 0) return 0;
    uint64_t want = (uint64_t)(p / 100.0 * (double)hist_count + 0.5), seen = 0;
    if (want < 1) want = 1;
    for (int b = 0; b < BUCKETS; b++) {
        seen += hist[b];
        if (seen >= want) {
            uint64_t top = bucket_top(b);
            return (top < hist_max ? top : hist_max) / 1000.0;
        }
    }
    return hist_max / 1000.0;
}

/* The stamp byte i (< STAMP) of message seq on connection id. */
static unsigned char stamp(int id, uint64_t seq, size_t i) {
    uint64_t key = ((uint64_t)(uint32_t)id << 40) ^ seq;
    return (unsigned char)(key >> (8 * i)) ^ tmpl[i];
}

static void queue_message(struct conn *c) {
    size_t cap = (size_t)depth * (size_t)size;
    if (c->tail + (size_t)size > cap) { /* compact: at most depth messages are unsent */
        memmove(c->out, c->out + c->head, c->tail - c->head);
        c->tail -= c->head;
        c->head = 0;
    }
    char *m = c->out + c->tail;
    memcpy(m, tmpl, (size_t)size);
    for (size_t i = 0; i < STAMP && i < (size_t)size; i++) m[i] = (char)stamp(c->id, c->sent_seq, i);
    c->tail += (size_t)size;
    c->sent_at[c->sent_seq % (uint64_t)depth] = now_ns();
    c->sent_seq++;
}

static void set_out(int ep, struct conn *c, int on) {
    if (c->want_out == on) return;
    struct epoll_event ev = {.events = EPOLLIN | (on ? EPOLLOUT : 0), .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0) {
        perror("loadgen: epoll_ctl");
        exit(1);
    }
    c->want_out = on;
}

static void close_conn(struct conn *c) {
    if (!c->closed) {
        close(c->fd);
        c->closed = 1;
    }
}

static void flush(int ep, struct conn *c) {
    while (c->tail > c->head) {
        ssize_t n = write(c->fd, c->out + c->head, c->tail - c->head);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) {
                set_out(ep, c, 1);
                return;
            }
            error_at(c, strerror(errno));
            close_conn(c);
            return;
        }
        c->head += (size_t)n;
    }
    c->head = c->tail = 0;
    set_out(ep, c, 0);
}

/* Checks the received bytes [p, p + n) of the current message at offset c->recv_off. */
static int check(struct conn *c, const unsigned char *p, size_t n) {
    size_t off = c->recv_off;
    size_t i = 0;
    for (; i < n && off + i < STAMP; i++) {
        if (p[i] != stamp(c->id, c->recv_seq, off + i)) return 0;
    }
    return i == n || memcmp(p + i, tmpl + off + i, n - i) == 0;
}

static void on_readable(int ep, struct conn *c, unsigned char *rbuf) {
    ssize_t got = read(c->fd, rbuf, RBUF);
    if (got <= 0) {
        if (got < 0 && (errno == EAGAIN || errno == EINTR)) return;
        error_at(c, got == 0 ? "the server closed the connection" : strerror(errno));
        close_conn(c);
        return;
    }
    size_t pos = 0;
    while (pos < (size_t)got) {
        size_t take = (size_t)size - c->recv_off;
        if (take > (size_t)got - pos) take = (size_t)got - pos;
        if (c->recv_seq >= c->sent_seq) {
            error_at(c, "received more bytes than were sent");
            close_conn(c);
            return;
        }
        if (!check(c, rbuf + pos, take)) {
            error_at(c, "an echoed byte differs from what was sent");
            close_conn(c);
            return;
        }
        pos += take;
        c->recv_off += take;
        if (c->recv_off == (size_t)size) {
            if (measuring) {
                uint64_t lat = now_ns() - c->sent_at[c->recv_seq % (uint64_t)depth];
                hist[bucket(lat)]++;
                hist_count++;
                if (lat > hist_max) hist_max = lat;
                messages++;
            }
            c->recv_off = 0;
            c->recv_seq++;
            if (sending) queue_message(c);
        }
    }
    flush(ep, c);
}

static int connect_one(const struct sockaddr_in *a) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (connect(fd, (const struct sockaddr *)a, sizeof *a) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1";
    int port = 0;
    double warmup = 2, seconds = 5;
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i];
        if (i + 1 >= argc) usage(k);
        const char *v = argv[++i];
        if (strcmp(k, "--host") == 0) host = v;
        else if (strcmp(k, "--port") == 0) port = atoi(v);
        else if (strcmp(k, "--conns") == 0) nconns = atoi(v);
        else if (strcmp(k, "--size") == 0) size = atoi(v);
        else if (strcmp(k, "--depth") == 0) depth = atoi(v);
        else if (strcmp(k, "--warmup") == 0) warmup = atof(v);
        else if (strcmp(k, "--seconds") == 0) seconds = atof(v);
        else usage(k);
    }
    if (port <= 0 || port > 65535) usage("--port must be 1..65535");
    if (nconns < 1 || nconns > 100000) usage("--conns must be 1..100000");
    if (size < 1 || size > (64 << 20)) usage("--size must be 1 byte..64 MiB");
    if (depth < 1 || depth > 1024) usage("--depth must be 1..1024");
    if (warmup < 0 || !(seconds > 0)) usage("--warmup must be >= 0 and --seconds > 0");
    signal(SIGPIPE, SIG_IGN);

    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1) usage("--host must be an IPv4 address");

    tmpl = malloc((size_t)size + STAMP);
    uint64_t x = 0x9E3779B97F4A7C15u; /* xorshift: a fixed, non-repeating-looking pattern */
    for (int i = 0; i < size + STAMP; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        tmpl[i] = (unsigned char)x;
    }
    unsigned char *rbuf = malloc(RBUF);
    struct conn *conns = calloc((size_t)nconns, sizeof *conns);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (tmpl == NULL || rbuf == NULL || conns == NULL || ep < 0) {
        perror("loadgen: setup");
        return 1;
    }
    for (int i = 0; i < nconns; i++) {
        struct conn *c = &conns[i];
        c->id = i;
        c->fd = connect_one(&a);
        if (c->fd < 0) {
            fprintf(stderr, "loadgen: connection %d of %d to %s:%d failed: %s\n", i + 1, nconns,
                    host, port, strerror(errno));
            return 1;
        }
        c->out = malloc((size_t)depth * (size_t)size);
        c->sent_at = calloc((size_t)depth, sizeof(uint64_t));
        if (c->out == NULL || c->sent_at == NULL) {
            perror("loadgen: malloc");
            return 1;
        }
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
            perror("loadgen: epoll_ctl");
            return 1;
        }
    }
    for (int i = 0; i < nconns; i++) {
        for (int k = 0; k < depth; k++) queue_message(&conns[i]);
        flush(ep, &conns[i]);
    }

    uint64_t start = now_ns();
    uint64_t t_measure = start + (uint64_t)(warmup * 1e9);
    uint64_t t_end = t_measure + (uint64_t)(seconds * 1e9);
    uint64_t t_drain = t_end + 5000000000u;
    uint64_t measured_ns = 0;
    int max_events = nconns < 1024 ? nconns : 1024;
    struct epoll_event *events = malloc(sizeof *events * (size_t)max_events);
    if (warmup == 0) {
        measuring = 1;
        printf("# measuring\n");
        fflush(stdout);
    }
    for (;;) {
        uint64_t t = now_ns();
        if (!measuring && sending && t >= t_measure) {
            measuring = 1;
            t_measure = t;
            printf("# measuring\n");
            fflush(stdout);
        }
        if (sending && t >= t_end) {
            measured_ns = t - t_measure;
            measuring = 0;
            sending = 0;
            printf("# done\n");
            fflush(stdout);
        }
        if (!sending) {
            int open = 0;
            for (int i = 0; i < nconns; i++) {
                if (!conns[i].closed && conns[i].recv_seq < conns[i].sent_seq) open++;
            }
            if (open == 0) break;
            if (t >= t_drain) {
                errors++;
                if (first_error[0] == 0) {
                    snprintf(first_error, sizeof first_error,
                             "%d connection(s) still waited for echoes 5 s after the end", open);
                }
                break;
            }
        }
        uint64_t next = !measuring && sending ? t_measure : sending ? t_end : t_drain;
        int timeout = next > t ? (int)((next - t) / 1000000u) + 1 : 0;
        int n = epoll_wait(ep, events, max_events, timeout);
        if (n < 0) {
            if (errno == EINTR) continue;
            perror("loadgen: epoll_wait");
            return 1;
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (c->closed) continue;
            if (events[i].events & EPOLLOUT) flush(ep, c);
            if (!c->closed && (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) {
                on_readable(ep, c, rbuf);
            }
        }
    }
    double secs = measured_ns / 1e9;
    printf("{\"conns\":%d,\"size\":%d,\"depth\":%d,\"warmup\":%.3f,\"seconds\":%.6f,"
           "\"messages\":%llu,\"messages_per_sec\":%.1f,\"bytes_per_sec\":%.1f,"
           "\"latency_us\":{\"p50\":%.1f,\"p99\":%.1f,\"p999\":%.1f,\"max\":%.1f},"
           "\"errors\":%ld,\"first_error\":",
           nconns, size, depth, warmup, secs, (unsigned long long)messages,
           secs > 0 ? messages / secs : 0.0, secs > 0 ? (double)messages * size / secs : 0.0,
           percentile_us(50), percentile_us(99), percentile_us(99.9), hist_max / 1000.0, errors);
    if (first_error[0] == 0) {
        printf("null}\n");
    } else {
        putchar('"');
        for (const char *p = first_error; *p; p++) {
            if (*p == '"' || *p == '\\') putchar('\\');
            putchar(*p);
        }
        printf("\"}\n");
    }
    for (int i = 0; i < nconns; i++) close_conn(&conns[i]);
    return errors == 0 && messages > 0 ? 0 : 1;
}
