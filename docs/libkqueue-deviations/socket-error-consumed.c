/*
 * libkqueue deviation: reporting a socket error consumes it.
 *
 * kqueue(2) says that when a socket has an error, EVFILT_READ/EVFILT_WRITE return EV_EOF with
 * the socket error in fflags. The BSD kernels copy so_error into fflags and leave it pending, so
 * the next read(2) (or getsockopt(SO_ERROR) after a non-blocking connect) still reports it.
 * libkqueue on Linux fills fflags by calling getsockopt(SO_ERROR), which CLEARS the error: the
 * application's read then sees a clean end-of-stream instead of ECONNRESET, and a refused
 * connect's SO_ERROR reads 0 (the connect looks "still in progress" forever).
 *
 * This program shows both cases. Build and run:
 *   Linux + libkqueue: cc -I<prefix>/include/kqueue socket-error-consumed.c -L<prefix>/lib -lkqueue
 *                      LD_LIBRARY_PATH=<prefix>/lib ./a.out
 *   macOS / FreeBSD:   cc socket-error-consumed.c && ./a.out
 * It prints what kevent() returned and what the socket reported afterwards; the exit status is
 * 0 if the error was still pending after kevent() (kqueue(2) behaviour) in both cases, 1 if it
 * was consumed in either (the deviation), 2 if the set-up failed.
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CHECK(x) do { if ((x) < 0) { perror(#x); return 2; } } while (0)

/* A listener on 127.0.0.1 with a kernel-chosen port. */
static int listener(struct sockaddr_in *addr) {
    socklen_t len = sizeof(*addr);
    int l = socket(AF_INET, SOCK_STREAM, 0);
    memset(addr, 0, sizeof(*addr));
    addr->sin_family = AF_INET;
    addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (l < 0 || bind(l, (struct sockaddr *) addr, sizeof(*addr)) < 0 || listen(l, 4) < 0
            || getsockname(l, (struct sockaddr *) addr, &len) < 0) {
        perror("listener");
        return -1;
    }
    return l;
}

/* Waits up to 2 s for one event of (fd, filter) and prints it; returns its flags or -1. */
static int wait_event(int kq, int fd, short filter, const char *what) {
    struct kevent ch, ev;
    struct timespec ts = {2, 0};
    EV_SET(&ch, fd, filter, EV_ADD, 0, 0, NULL);
    int n = kevent(kq, &ch, 1, &ev, 1, &ts);
    if (n != 1) {
        printf("%s: kevent returned %d (errno %d)\n", what, n, errno);
        return -1;
    }
    printf("%s: kevent: filter %d flags 0x%x (EV_EOF %s) fflags %u (%s) data %ld\n", what,
           ev.filter, ev.flags, (ev.flags & EV_EOF) ? "set" : "clear", ev.fflags,
           ev.fflags ? strerror((int) ev.fflags) : "no error", (long) ev.data);
    return ev.flags;
}

/* A non-blocking connect to a closed port: EVFILT_WRITE, then SO_ERROR. */
static int refused_connect(int kq) {
    struct sockaddr_in addr;
    int l = listener(&addr);
    if (l < 0) return 2;
    close(l); /* nothing listens on addr now: the connect is refused */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(s);
    CHECK(fcntl(s, F_SETFL, O_NONBLOCK));
    if (connect(s, (struct sockaddr *) &addr, sizeof(addr)) == 0 || errno != EINPROGRESS) {
        printf("refused connect: connect() did not return EINPROGRESS (errno %d)\n", errno);
        close(s);
        return 2;
    }
    if (wait_event(kq, s, EVFILT_WRITE, "refused connect") < 0) return 2;
    int err = -1;
    socklen_t len = sizeof(err);
    CHECK(getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len));
    printf("refused connect: getsockopt(SO_ERROR) after kevent = %d (%s): %s\n", err,
           err ? strerror(err) : "no error",
           err == ECONNREFUSED ? "still pending, as kqueue(2)" : "CONSUMED by kevent (deviation)");
    close(s);
    return err == ECONNREFUSED ? 0 : 1;
}

/* The peer closes with SO_LINGER 0 (a reset): EVFILT_READ, then read(). */
static int peer_reset(int kq) {
    struct sockaddr_in addr;
    int l = listener(&addr);
    if (l < 0) return 2;
    int c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(c);
    CHECK(connect(c, (struct sockaddr *) &addr, sizeof(addr)));
    int a = accept(l, NULL, NULL);
    CHECK(a);
    close(l);
    struct linger lg = {1, 0};
    CHECK(setsockopt(a, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
    close(a); /* sends RST */
    usleep(100 * 1000);
    if (wait_event(kq, c, EVFILT_READ, "peer reset") < 0) return 2;
    char buf[16];
    ssize_t n = read(c, buf, sizeof(buf));
    int e = errno;
    if (n < 0) {
        printf("peer reset: read after kevent = -1, errno %d (%s): %s\n", e, strerror(e),
               e == ECONNRESET ? "still pending, as kqueue(2)" : "unexpected");
    } else {
        printf("peer reset: read after kevent = %zd: %s\n", n,
               n == 0 ? "clean end-of-stream, the reset was CONSUMED by kevent (deviation)"
                      : "unexpected data");
    }
    close(c);
    return (n < 0 && e == ECONNRESET) ? 0 : 1;
}

int main(void) {
    int kq = kqueue();
    CHECK(kq);
    int r1 = refused_connect(kq);
    int r2 = peer_reset(kq);
    close(kq);
    if (r1 == 2 || r2 == 2) return 2;
    return (r1 || r2) ? 1 : 0;
}
