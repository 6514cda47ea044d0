/*
 * The floor of the echo comparison: a single-threaded, level-triggered epoll echo server in
 * plain C, the least work a readiness-based server can do per message (one epoll_wait per
 * batch, one read and one write per message). Written for Pollen's benchmarks; see
 * docs/benchmarks.md.
 *
 *   echo-server [--host 127.0.0.1] [--port 0]
 *
 * Prints "listening HOST:PORT" on stdout once it accepts, then serves until SIGINT/SIGTERM or
 * until its standard input closes (so it never outlives the harness that started it).
 *
 * Flow control: when the kernel takes only part of an echo, the rest waits in the connection's
 * buffer, the connection stops reading (EPOLLIN off) and waits for EPOLLOUT; when the buffer
 * drains it reads again. So a client that does not read is never answered with unbounded memory.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF 65536
#define MAX_EVENTS 1024

struct conn {
    int fd;
    size_t off, len; /* unsent bytes of buf: [off, off + len) */
    char buf[BUF];
};

static volatile sig_atomic_t stop;

static void on_signal(int sig) { (void)sig; stop = 1; }

static void die(const char *what) {
    fprintf(stderr, "echo-server: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void usage(const char *bad) {
    fprintf(stderr, "echo-server: %s\nusage: echo-server [--host 127.0.0.1] [--port 0]\n", bad);
    exit(2);
}

static void set_events(int ep, struct conn *c, unsigned events) {
    struct epoll_event ev = {.events = events, .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev) < 0) die("epoll_ctl(MOD)");
}

static void drop(struct conn *c) {
    close(c->fd); /* also removes it from the epoll set */
    free(c);
}

/* Writes what is pending; returns 0 when all of it went, 1 if some is left, -1 on error. */
static int flush(struct conn *c) {
    while (c->len > 0) {
        ssize_t n = write(c->fd, c->buf + c->off, c->len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno == EAGAIN ? 1 : -1;
        }
        c->off += (size_t)n;
        c->len -= (size_t)n;
    }
    c->off = 0;
    return 0;
}

static void accept_all(int ep, int lfd) {
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno == EAGAIN) return;
            if (errno == EMFILE || errno == ENFILE) {
                fprintf(stderr, "echo-server: accept: %s (raise ulimit -n)\n", strerror(errno));
                return;
            }
            die("accept4");
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *c = malloc(sizeof *c);
        if (c == NULL) die("malloc");
        c->fd = fd;
        c->off = c->len = 0;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl(ADD)");
    }
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1";
    int port = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--host") == 0 && i + 1 < argc) host = argv[++i];
        else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) port = atoi(argv[++i]);
        else usage(argv[i]);
    }
    if (port < 0 || port > 65535) usage("--port must be 0..65535");
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);

    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (lfd < 0) die("socket");
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1) usage("--host must be an IPv4 address");
    if (bind(lfd, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
    if (listen(lfd, 4096) < 0) die("listen");
    socklen_t alen = sizeof a;
    if (getsockname(lfd, (struct sockaddr *)&a, &alen) < 0) die("getsockname");

    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    static int lmark, imark; /* addresses that tag the listener and stdin */
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &lmark};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) < 0) die("epoll_ctl(listener)");
    ev.data.ptr = &imark;
    epoll_ctl(ep, EPOLL_CTL_ADD, STDIN_FILENO, &ev); /* fails if stdin is a file: then no watch */

    printf("listening %s:%d\n", host, ntohs(a.sin_port));
    fflush(stdout);

    struct epoll_event events[MAX_EVENTS];
    while (!stop) {
        int n = epoll_wait(ep, events, MAX_EVENTS, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        for (int i = 0; i < n; i++) {
            void *p = events[i].data.ptr;
            if (p == &lmark) {
                accept_all(ep, lfd);
                continue;
            }
            if (p == &imark) {
                char b[256];
                if (read(STDIN_FILENO, b, sizeof b) <= 0) stop = 1; /* the harness went away */
                continue;
            }
            struct conn *c = p;
            if (c->len > 0) { /* EPOLLOUT: finish the pending echo, then read again */
                int r = flush(c);
                if (r < 0) drop(c);
                else if (r == 0) set_events(ep, c, EPOLLIN);
                continue;
            }
            ssize_t got = read(c->fd, c->buf, BUF);
            if (got <= 0) {
                if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
                drop(c); /* EOF or reset */
                continue;
            }
            c->off = 0;
            c->len = (size_t)got;
            int r = flush(c);
            if (r < 0) drop(c);
            else if (r > 0) set_events(ep, c, EPOLLOUT);
        }
    }
    return 0;
}
