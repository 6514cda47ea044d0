/*
 * The completion floor of the echo comparison: a single-threaded io_uring echo server in plain
 * C, the least work a completion-based server can do per message on this kernel. It makes no
 * system call per message: one io_uring_enter per batch submits the batch's sends and waits for
 * the next receives. Every connection has one multishot receive armed, which takes buffers from
 * a ring of provided buffers; each received buffer is sent back as it is (no copy) and returns
 * to the ring when its send completes. Written for Pollen's benchmarks, beside echo-server.c
 * (the readiness floor); see docs/benchmarks.md. Raw system calls and <linux/io_uring.h>, no
 * liburing, so any C compiler with the kernel headers builds it.
 *
 *   uring-echo-server [--host 127.0.0.1] [--port 0] [--check]
 *
 * --check sets the ring up, says "io_uring ready" and exits 0 (or 1 with the reason). Prints "listening HOST:PORT" on stdout once it accepts, then serves until SIGINT/SIGTERM or
 * until its standard input closes. Exits 1 with the reason when io_uring is unavailable (old
 * kernel, io_uring_disabled sysctl, seccomp) or lacks a feature it needs (Linux 6.1+).
 *
 * Order: a connection has at most one send in flight; buffers received meanwhile wait in its
 * queue, so bytes go back in the order they came. Memory is bounded by the buffer pool
 * (NBUF x BUFSZ): when a client does not read, its queue holds buffers until the pool is
 * empty, then every multishot receive ends with ENOBUFS and is armed again once sends have
 * returned buffers. A fair server would cap each connection's share; the floor does not need to.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ENTRIES 4096
#define CQ_ENTRIES 16384
#ifndef NBUF
#define NBUF 2048 /* a power of two; a connection holds one while its echo is in flight */
#endif
#ifndef BUFSZ
#define BUFSZ 65536 /* what loopback hands over at once: smaller buffers cost 25 % at 16 KiB */
#endif
#define NIL 0xffffu

enum { OP_ACCEPT = 1, OP_STDIN = 2, OP_RECV = 3, OP_SEND = 4 };

struct conn {
    int fd;
    unsigned recv_armed : 1, want_recv : 1, eof : 1, dead : 1, sending : 1;
    uint16_t head, tail; /* queue of received buffers, linked through pend[].next */
    struct conn *next_wait; /* on the list of connections waiting for buffers */
};

static struct { uint16_t next; uint32_t off, len; } pend[NBUF];

static int ring;
static unsigned *sq_head, *sq_tail, *sq_mask, *sq_array, sq_entries, sq_local;
static unsigned *cq_head, *cq_tail, *cq_mask;
static struct io_uring_sqe *sqes;
static struct io_uring_cqe *cqes;
static struct io_uring_buf_ring *br;
static uint16_t br_tail;
static char *pool;
static struct conn *waiting; /* connections whose receive ended with ENOBUFS */
static volatile sig_atomic_t stop;

static void on_signal(int sig) { (void)sig; stop = 1; }

static void die(const char *what, int err) {
    fprintf(stderr, "uring-echo-server: %s: %s\n", what, strerror(err));
    exit(1);
}

static void usage(const char *bad) {
    fprintf(stderr, "uring-echo-server: %s\nusage: uring-echo-server [--host 127.0.0.1] [--port 0] [--check]\n", bad);
    exit(2);
}

static int enter(unsigned submit, unsigned wait, unsigned flags) {
    return (int)syscall(__NR_io_uring_enter, ring, submit, wait, flags, NULL, 0);
}

static unsigned unsubmitted(void) {
    return sq_local - __atomic_load_n(sq_head, __ATOMIC_ACQUIRE);
}

static struct io_uring_sqe *sqe(uint64_t data, int op) {
    if (unsubmitted() == sq_entries) { /* full: hand the kernel what is there first */
        __atomic_store_n(sq_tail, sq_local, __ATOMIC_RELEASE);
        if (enter(sq_entries, 0, 0) < 0) die("io_uring_enter", errno);
    }
    unsigned i = sq_local & *sq_mask;
    struct io_uring_sqe *s = &sqes[i];
    memset(s, 0, sizeof *s);
    s->user_data = data | (uint64_t)op;
    sq_array[i] = i;
    sq_local++;
    return s;
}

static void give_buffer(uint16_t bid) {
    struct io_uring_buf *b = &br->bufs[br_tail & (NBUF - 1)];
    b->addr = (uint64_t)(uintptr_t)(pool + (size_t)bid * BUFSZ);
    b->len = BUFSZ;
    b->bid = bid;
    br_tail++;
}

static void arm_recv(struct conn *c) {
    struct io_uring_sqe *s = sqe((uintptr_t)c, OP_RECV);
    s->opcode = IORING_OP_RECV;
    s->fd = c->fd;
    s->ioprio = IORING_RECV_MULTISHOT;
    s->flags = IOSQE_BUFFER_SELECT;
    s->buf_group = 0;
    c->recv_armed = 1;
}

static void send_head(struct conn *c) {
    uint16_t b = c->head;
    struct io_uring_sqe *s = sqe((uintptr_t)c, OP_SEND);
    s->opcode = IORING_OP_SEND;
    s->fd = c->fd;
    s->addr = (uint64_t)(uintptr_t)(pool + (size_t)b * BUFSZ + pend[b].off);
    s->len = pend[b].len;
    s->msg_flags = MSG_NOSIGNAL;
    c->sending = 1;
}

/* Frees the connection once the kernel holds nothing of it: receive ended, no send in flight. */
static void maybe_free(struct conn *c) {
    if (c->recv_armed || c->sending || c->want_recv) return;
    if (!c->dead && c->head != NIL) return; /* echo what came before the EOF first */
    for (uint16_t b = c->head; b != NIL; b = pend[b].next) give_buffer(b);
    close(c->fd);
    free(c);
}

static void on_recv(struct conn *c, struct io_uring_cqe *e) {
    if (!(e->flags & IORING_CQE_F_MORE)) c->recv_armed = 0;
    if (e->res > 0) {
        uint16_t b = (uint16_t)(e->flags >> IORING_CQE_BUFFER_SHIFT);
        if (c->dead) {
            give_buffer(b);
        } else {
            pend[b].next = NIL;
            pend[b].off = 0;
            pend[b].len = (uint32_t)e->res;
            if (c->head == NIL) c->head = b;
            else pend[c->tail].next = b;
            c->tail = b;
            if (!c->sending) send_head(c);
        }
    } else if (e->res == -ENOBUFS && !c->eof && !c->dead) {
        if (!c->recv_armed && !c->want_recv) { /* armed again when sends return buffers */
            c->want_recv = 1;
            c->next_wait = waiting;
            waiting = c;
        }
        return;
    } else if (e->res == 0) {
        c->eof = 1;
    } else if (e->res < 0) {
        c->dead = 1; /* reset by the peer: what is queued has nowhere to go */
    }
    if (!c->recv_armed && !c->eof && !c->dead) arm_recv(c); /* the kernel ended it (rare) */
    maybe_free(c);
}

static void on_send(struct conn *c, struct io_uring_cqe *e) {
    c->sending = 0;
    uint16_t b = c->head;
    if (e->res < 0) {
        c->dead = 1;
        if (c->recv_armed) shutdown(c->fd, SHUT_RDWR); /* ends the receive, then it is freed */
    } else if ((uint32_t)e->res < pend[b].len) { /* short send: the rest, before anything else */
        pend[b].off += (uint32_t)e->res;
        pend[b].len -= (uint32_t)e->res;
        if (!c->dead) {
            send_head(c);
            return;
        }
    } else {
        c->head = pend[b].next;
        give_buffer(b);
        if (c->head != NIL && !c->dead) send_head(c);
    }
    maybe_free(c);
}

static void on_accept(int lfd, struct io_uring_cqe *e) {
    if (!(e->flags & IORING_CQE_F_MORE)) { /* multishot accept ended: arm it again */
        struct io_uring_sqe *s = sqe(0, OP_ACCEPT);
        s->opcode = IORING_OP_ACCEPT;
        s->fd = lfd;
        s->ioprio = IORING_ACCEPT_MULTISHOT;
        s->accept_flags = SOCK_CLOEXEC;
    }
    if (e->res < 0) {
        if (e->res == -EMFILE || e->res == -ENFILE)
            fprintf(stderr, "uring-echo-server: accept: %s (raise ulimit -n)\n", strerror(-e->res));
        return;
    }
    int one = 1;
    setsockopt(e->res, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct conn *c = calloc(1, sizeof *c);
    if (c == NULL) die("calloc", ENOMEM);
    c->fd = e->res;
    c->head = c->tail = NIL;
    arm_recv(c);
}

static void setup_ring(void) {
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQSIZE;
    p.cq_entries = CQ_ENTRIES;
    ring = (int)syscall(__NR_io_uring_setup, ENTRIES, &p);
    if (ring < 0) die("io_uring_setup (io_uring unavailable or disabled; Linux 6.1+ needed)", errno);
    if (!(p.features & IORING_FEAT_SINGLE_MMAP)) die("io_uring_setup (no single mmap: kernel too old)", ENOSYS);
    size_t sz = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    size_t sq_sz = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    if (sq_sz > sz) sz = sq_sz;
    char *r = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQ_RING);
    if (r == MAP_FAILED) die("mmap(ring)", errno);
    sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
                MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQES);
    if (sqes == MAP_FAILED) die("mmap(sqes)", errno);
    sq_head = (unsigned *)(r + p.sq_off.head);
    sq_tail = (unsigned *)(r + p.sq_off.tail);
    sq_mask = (unsigned *)(r + p.sq_off.ring_mask);
    sq_array = (unsigned *)(r + p.sq_off.array);
    sq_entries = p.sq_entries;
    sq_local = *sq_tail;
    cq_head = (unsigned *)(r + p.cq_off.head);
    cq_tail = (unsigned *)(r + p.cq_off.tail);
    cq_mask = (unsigned *)(r + p.cq_off.ring_mask);
    cqes = (struct io_uring_cqe *)(r + p.cq_off.cqes);

    br = mmap(NULL, NBUF * sizeof(struct io_uring_buf), PROT_READ | PROT_WRITE,
              MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    pool = mmap(NULL, (size_t)NBUF * BUFSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (br == MAP_FAILED || pool == MAP_FAILED) die("mmap(buffers)", errno);
    struct io_uring_buf_reg reg;
    memset(&reg, 0, sizeof reg);
    reg.ring_addr = (uint64_t)(uintptr_t)br;
    reg.ring_entries = NBUF;
    reg.bgid = 0;
    if (syscall(__NR_io_uring_register, ring, IORING_REGISTER_PBUF_RING, &reg, 1) < 0)
        die("io_uring_register(PBUF_RING) (Linux 5.19+ needed)", errno);
    for (unsigned b = 0; b < NBUF; b++) give_buffer((uint16_t)b);
    __atomic_store_n(&br->tail, br_tail, __ATOMIC_RELEASE);
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1";
    int port = 0, check = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--check") == 0) check = 1;
        else if (strcmp(argv[i], "--host") == 0 && i + 1 < argc) host = argv[++i];
        else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) port = atoi(argv[++i]);
        else usage(argv[i]);
    }
    if (port < 0 || port > 65535) usage("--port must be 0..65535");
    if (check) {
        setup_ring();
        puts("io_uring ready");
        return 0;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: the wait returns EINTR and the loop sees stop */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lfd < 0) die("socket", errno);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1) usage("--host must be an IPv4 address");
    if (bind(lfd, (struct sockaddr *)&a, sizeof a) < 0) die("bind", errno);
    if (listen(lfd, 4096) < 0) die("listen", errno);
    socklen_t alen = sizeof a;
    if (getsockname(lfd, (struct sockaddr *)&a, &alen) < 0) die("getsockname", errno);

    setup_ring();
    struct io_uring_cqe fake = {.flags = 0, .res = -EAGAIN};
    on_accept(lfd, &fake); /* arms the multishot accept */
    struct io_uring_sqe *s = sqe(0, OP_STDIN);
    s->opcode = IORING_OP_POLL_ADD;
    s->fd = STDIN_FILENO;
    s->poll32_events = POLLIN | POLLHUP;

    printf("listening %s:%d\n", host, ntohs(a.sin_port));
    fflush(stdout);

    while (!stop) {
        __atomic_store_n(&br->tail, br_tail, __ATOMIC_RELEASE);
        unsigned n = unsubmitted();
        __atomic_store_n(sq_tail, sq_local, __ATOMIC_RELEASE);
        if (enter(n, 1, IORING_ENTER_GETEVENTS) < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EBUSY) continue;
            die("io_uring_enter", errno);
        }
        unsigned head = *cq_head, tail = __atomic_load_n(cq_tail, __ATOMIC_ACQUIRE);
        for (; head != tail; head++) {
            struct io_uring_cqe *e = &cqes[head & *cq_mask];
            uint64_t d = e->user_data;
            int op = (int)(d & 7);
            struct conn *c = (struct conn *)(uintptr_t)(d & ~(uint64_t)7);
            if (op == OP_RECV) on_recv(c, e);
            else if (op == OP_SEND) on_send(c, e);
            else if (op == OP_ACCEPT) on_accept(lfd, e);
            else if (op == OP_STDIN) {
                char b[256];
                if (read(STDIN_FILENO, b, sizeof b) <= 0) stop = 1; /* the harness went away */
                else {
                    struct io_uring_sqe *p = sqe(0, OP_STDIN);
                    p->opcode = IORING_OP_POLL_ADD;
                    p->fd = STDIN_FILENO;
                    p->poll32_events = POLLIN | POLLHUP;
                }
            }
        }
        __atomic_store_n(cq_head, head, __ATOMIC_RELEASE);
        if (waiting != NULL && br_tail != __atomic_load_n(&br->tail, __ATOMIC_RELAXED)) {
            for (struct conn *c = waiting, *next; c != NULL; c = next) { /* buffers came back */
                next = c->next_wait;
                c->want_recv = 0;
                if (c->dead || c->eof) maybe_free(c);
                else arm_recv(c);
            }
            waiting = NULL;
        }
    }
    return 0;
}
