/*
 * libkqueue deviation: closing a kqueue frees its resources later, not at close(2).
 *
 * kqueue(2): the kqueue is a file descriptor; closing it frees the queue and its kevents. The
 * BSD kernels do so inside close(2). libkqueue on Linux builds each kqueue from an epoll fd, a
 * pipe (its write end is the kqueue fd the caller sees) and eventfds; close(2) of the kqueue fd
 * only closes the pipe end, and libkqueue's monitoring thread notices and frees the rest a
 * moment later. Until then those descriptors are still open: a program that counts its open
 * descriptors (or runs near its RLIMIT_NOFILE) sees them. libkqueue 2.7 exports
 * libkqueue_drain_pending_close(), which waits for that clean-up.
 *
 * Build and run:
 *   Linux + libkqueue: cc -I<prefix>/include/kqueue close-frees-later.c -L<prefix>/lib -lkqueue
 *                      LD_LIBRARY_PATH=<prefix>/lib ./a.out
 *   macOS / FreeBSD:   cc close-frees-later.c && ./a.out
 * Exit status 0 if close(2) freed everything at once (kqueue(2) behaviour), 1 if descriptors
 * were still open right after close(2) (the deviation), 2 if the set-up failed.
 */
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#if defined(__linux__)
void libkqueue_drain_pending_close(void); /* libkqueue >= 2.7 */
#endif

/* How many of the descriptors 0..1023 are open. */
static int open_fds(void) {
    int n = 0;
    for (int fd = 0; fd < 1024; fd++) {
        if (fcntl(fd, F_GETFD) != -1) n++;
    }
    return n;
}

int main(void) {
    /* Warm up: libkqueue opens a few process-wide descriptors with the first kqueue. */
    int kq = kqueue();
    if (kq < 0) { perror("kqueue"); return 2; }
    close(kq);
#if defined(__linux__)
    libkqueue_drain_pending_close();
#endif

    int before = open_fds();
    kq = kqueue();
    if (kq < 0) { perror("kqueue"); return 2; }
    int with = open_fds();
    close(kq);
    int after = open_fds();
    printf("open descriptors: %d before kqueue(), %d with it, %d right after close(2)\n",
           before, with, after);
    int deviation = after != before;
#if defined(__linux__)
    libkqueue_drain_pending_close();
    printf("after libkqueue_drain_pending_close(): %d\n", open_fds());
#endif
    printf("%s\n", deviation
           ? "close(2) left the kqueue's descriptors open: they are freed later (deviation)"
           : "close(2) freed everything at once, as kqueue(2)");
    return deviation;
}
