/*
 * Service state for the service manager (sd_notify protocol) and the
 * process's own hook (include/veil/notify.h).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "veil/notify.h"

static veil_notify_hook_t hook;
static void *hook_ud;
static int stopping;


void veil_notify_set_hook(veil_notify_hook_t h, void *ud)
{
    hook = h;
    hook_ud = ud;
}


int veil_notify_send(const char *address, const char *msg, size_t len)
{
    struct sockaddr_un sa;
    struct timeval tv = {2, 0};
    size_t n = strlen(address);
    socklen_t salen;
    ssize_t sent;
    int fd, e;

    /* A path, or an abstract name ('@' stands for its leading NUL). */
    if ((address[0] != '/' && address[0] != '@') || n < 2 || n > sizeof(sa.sun_path)) {
        return -EAFNOSUPPORT;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, address, n);
    if (address[0] == '@') {
        sa.sun_path[0] = '\0';
    }
    /* An abstract name is exactly its bytes: no terminating NUL counted. */
    salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
                        (address[0] == '/' && n < sizeof(sa.sun_path) ? 1 : 0));
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -errno;
    }
    /* The manager reads at once; a wedged one must not hang the loop. */
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    do {
        sent = sendto(fd, msg, len, MSG_NOSIGNAL, (const struct sockaddr *)&sa, salen);
    } while (sent < 0 && errno == EINTR);
    e = sent < 0 ? -errno : (size_t)sent == len ? 0 : -EMSGSIZE;
    close(fd);
    return e;
}


int veil_notify(veil_notify_state_t state, const char *status)
{
    const char *address = getenv("NOTIFY_SOCKET");
    char msg[320];
    int n;

    if (stopping) {
        return 0; /* nothing after STOPPING=1 but the exit */
    }
    if (state == VEIL_NOTIFY_STOPPING) {
        stopping = 1;
    }
    if (hook != NULL) {
        hook(hook_ud, state);
    }
    if (address == NULL || address[0] == '\0') {
        return 0;
    }
    switch (state) {
    case VEIL_NOTIFY_READY:
        n = snprintf(msg, sizeof(msg), "READY=1\n");
        break;
    case VEIL_NOTIFY_RELOADING: {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        n = snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu\n",
                     (unsigned long long)ts.tv_sec * 1000000ull +
                         (unsigned long long)ts.tv_nsec / 1000ull);
        break;
    }
    default:
        n = snprintf(msg, sizeof(msg), "STOPPING=1\n");
        break;
    }
    if (status != NULL && n > 0 && (size_t)n < sizeof(msg)) {
        /* One line: a newline would start another variable. */
        int m = snprintf(msg + n, sizeof(msg) - (size_t)n, "STATUS=%.200s\n", status);

        if (m > 0 && (size_t)m < sizeof(msg) - (size_t)n) {
            for (char *p = msg + n; p < msg + n + m - 1; p++) {
                if (*p == '\n') {
                    *p = ' ';
                }
            }
            n += m;
        }
    }
    if (n <= 0 || (size_t)n >= sizeof(msg)) {
        return -EINVAL;
    }
    return veil_notify_send(address, msg, (size_t)n);
}
