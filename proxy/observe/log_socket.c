/*
 * The access-log sink on a Unix socket (log_socket.h): a byte queue of
 * whole records, filled by the workers under a mutex, emptied by one
 * writer thread that owns the socket.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log_socket.h"
#include "veil/stats.h"

#define BACKOFF_MIN_MS 50
#define BACKOFF_MAX_MS 2000
/* A stream write takes this many bytes of whole records at once. */
#define STREAM_CHUNK (64 * 1024)
/* A send waits this long for room before the writer looks at its flags
   again (it then goes on waiting). */
#define SEND_WAIT_MS 200

struct veil_logsock {
    int kind;          /* VEIL_LOGSOCK_STREAM or _DGRAM */
    char address[128]; /* as configured, for messages */
    struct sockaddr_un sa;
    socklen_t salen;
    size_t max_record;
    veil_logsock_drop_cb on_drop;
    void *ud;

    pthread_mutex_t lock;
    pthread_cond_t cond;
    char *ring; /* <cap> bytes; <len> queued from <head> */
    size_t cap, head, len;
    int stop;             /* close() was called */
    int reconnect;        /* SIGUSR1 */
    uint64_t deadline_ms; /* with <stop>: give up at this time */
    pthread_t thread;

    /* The writer's own. */
    int fd;
    int reachable; /* last state reported on stderr */
    char *chunk;   /* a copy of what is being sent */
    _Atomic uint64_t sent;
};


int veil_logsock_kind(const char *path)
{
    if (strncmp(path, "unix:", 5) == 0) {
        return VEIL_LOGSOCK_STREAM;
    }
    if (strncmp(path, "unixgram:", 9) == 0) {
        return VEIL_LOGSOCK_DGRAM;
    }
    return VEIL_LOGSOCK_NONE;
}


static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}


static void drop(veil_logsock_t *ls, int reason, uint64_t n)
{
    if (ls->on_drop != NULL && n > 0) {
        ls->on_drop(ls->ud, reason, n);
    }
}


/* Copies the JSON string value that starts at <p> (its opening quote),
   escapes and all, if it ends before <end> within <max> bytes. Returns
   its length with the quotes, or 0. */
static size_t json_string_at(const char *p, const char *end, size_t max)
{
    const char *q;

    if (p >= end || *p != '"') {
        return 0;
    }
    for (q = p + 1; q < end && (size_t)(q - p) < max; q++) {
        if (*q == '\\') {
            q++;
        } else if (*q == '"') {
            return (size_t)(q - p) + 1;
        }
    }
    return 0;
}


size_t veil_logsock_standin(const char *rec, size_t len, char *out, size_t cap)
{
    static const char ts_key[] = "{\"@timestamp\":";
    static const char id_key[] = ",\"http.request.id\":";
    const char *end = rec + len, *p = rec;
    size_t n = 0, ts = 0, id = 0;
    int w;

    /* Only what veil itself writes first, copied as it is (JSON already):
       the time, and the request id (veil's, or the client's redacted). */
    if (len > sizeof(ts_key) && memcmp(p, ts_key, sizeof(ts_key) - 1) == 0) {
        p += sizeof(ts_key) - 1;
        ts = json_string_at(p, end, 40);
        if (ts > 0) {
            memcpy(out, "{\"@timestamp\":", 14);
            memcpy(out + 14, p, ts);
            n = 14 + ts;
            p += ts;
            if ((size_t)(end - p) > sizeof(id_key) && memcmp(p, id_key, sizeof(id_key) - 1) == 0) {
                p += sizeof(id_key) - 1;
                id = json_string_at(p, end, 200);
                if (id > 0) {
                    memcpy(out + n, id_key, sizeof(id_key) - 1);
                    n += sizeof(id_key) - 1;
                    memcpy(out + n, p, id);
                    n += id;
                }
            }
        }
    }
    w = snprintf(out + n, cap - n,
                 "%s\"error.type\":\"log_record_too_large\","
                 "\"veil.log.record_bytes\":%zu}\n",
                 n == 0 ? "{" : ",", len);
    return n + (w > 0 ? (size_t)w : 0);
}


/* Queues one line; the caller holds the lock. */
static int enqueue(veil_logsock_t *ls, const char *line, size_t n)
{
    size_t tail, first;

    if (n > ls->cap - ls->len) {
        return -ENOBUFS;
    }
    tail = (ls->head + ls->len) % ls->cap;
    first = ls->cap - tail < n ? ls->cap - tail : n;
    memcpy(ls->ring + tail, line, first);
    memcpy(ls->ring, line + first, n - first);
    if (ls->len == 0) {
        pthread_cond_signal(&ls->cond);
    }
    ls->len += n;
    return 0;
}


int veil_logsock_write(veil_logsock_t *ls, const char *data, size_t len)
{
    const char *p = data, *end = data + len;
    uint64_t full = 0, large = 0, broken = 0;
    char standin[512];

    pthread_mutex_lock(&ls->lock);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
        const char *line = p;

        p += n;
        if (nl == NULL) {
            /* The callers write whole lines; a fragment is no record. */
            broken++;
            continue;
        }
        if (n > ls->max_record) {
            large++;
            n = veil_logsock_standin(line, n, standin, sizeof(standin));
            line = standin;
        }
        if (enqueue(ls, line, n) != 0) {
            full++;
        }
    }
    pthread_mutex_unlock(&ls->lock);
    drop(ls, VEIL_STATS_LOGDROP_TOO_LARGE, large);
    drop(ls, VEIL_STATS_LOGDROP_BUFFER_FULL, full);
    drop(ls, VEIL_STATS_LOGDROP_WRITE_ERROR, broken);
    return full || broken ? -ENOBUFS : 0;
}


/* On the writer thread, without the lock: the state changes are told
   once each, so a shipper restart reads as two lines, not thousands. */
static void report(veil_logsock_t *ls, int reachable, int err)
{
    if (reachable == ls->reachable) {
        return;
    }
    ls->reachable = reachable;
    if (reachable) {
        fprintf(stderr, "veil: access log %s: connected\n", ls->address);
    } else {
        fprintf(stderr,
                "veil: access log %s: not reachable (%s); records are queued "
                "and sent when it is\n",
                ls->address, strerror(err));
    }
}


static void close_fd(veil_logsock_t *ls)
{
    if (ls->fd >= 0) {
        close(ls->fd);
        ls->fd = -1;
    }
}


/* A socket for the receiver: connected for a stream, bound to nothing
   for datagrams (each is sent to the path, so a receiver that restarts
   on a new socket file is found again). Returns 0 or -errno. */
static int open_socket(veil_logsock_t *ls)
{
    struct timeval tv = {0, SEND_WAIT_MS * 1000};
    int type = ls->kind == VEIL_LOGSOCK_DGRAM ? SOCK_DGRAM : SOCK_STREAM;
    int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0), e;

    if (fd < 0) {
        return -errno;
    }
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (type == SOCK_DGRAM) {
        /* Room for one record of max_record bytes in the send buffer
           (the kernel caps it at net.core.wmem_max). */
        int sz = (int)(ls->max_record * 2 + 4096);

        (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
    } else if (connect(fd, (const struct sockaddr *)&ls->sa, ls->salen) != 0) {
        e = errno;
        close(fd);
        return -e;
    }
    ls->fd = fd;
    return 0;
}


/* The bytes of the queue from <off> on, <n> of them, into <dst>. */
static void copy_out(const veil_logsock_t *ls, size_t off, size_t n, char *dst)
{
    size_t at = (ls->head + off) % ls->cap;
    size_t first = ls->cap - at < n ? ls->cap - at : n;

    memcpy(dst, ls->ring + at, first);
    memcpy(dst + first, ls->ring, n - first);
}


static char byte_at(const veil_logsock_t *ls, size_t off)
{
    return ls->ring[(ls->head + off) % ls->cap];
}


/* With the lock: the length of the first record, and for a stream the
   whole records after it that fit in STREAM_CHUNK. */
static size_t next_chunk(const veil_logsock_t *ls, size_t *records)
{
    size_t n = 0, end = 0;

    *records = 0;
    while (n < ls->len) {
        if (byte_at(ls, n++) != '\n') {
            continue;
        }
        end = n;
        ++*records;
        if (ls->kind == VEIL_LOGSOCK_DGRAM || n >= STREAM_CHUNK) {
            break;
        }
    }
    return end;
}


static void advance(veil_logsock_t *ls, size_t n, uint64_t records)
{
    ls->head = (ls->head + n) % ls->cap;
    ls->len -= n;
    atomic_fetch_add(&ls->sent, records);
}


/* Whether the writer should give up: closing, and past the deadline. */
static int giving_up(veil_logsock_t *ls)
{
    int stop;

    pthread_mutex_lock(&ls->lock);
    stop = ls->stop && now_ms() >= ls->deadline_ms;
    pthread_mutex_unlock(&ls->lock);
    return stop;
}


/*
 * Sends <n> bytes. Returns 0 when all went, else -errno with *done the
 * bytes that went before the error (a stream), -ETIMEDOUT when closing
 * ran out of time. A full receiver (EAGAIN after SEND_WAIT_MS) is waited
 * for, not an error.
 */
static int send_chunk(veil_logsock_t *ls, const char *buf, size_t n, size_t *done)
{
    *done = 0;
    while (*done < n) {
        ssize_t w;

        if (ls->kind == VEIL_LOGSOCK_DGRAM) {
            w = sendto(ls->fd, buf, n, MSG_NOSIGNAL, (const struct sockaddr *)&ls->sa, ls->salen);
        } else {
            w = send(ls->fd, buf + *done, n - *done, MSG_NOSIGNAL);
        }
        if (w >= 0) {
            *done += (size_t)w;
            continue;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
            if (giving_up(ls)) {
                return -ETIMEDOUT;
            }
            if (errno == ENOBUFS) {
                usleep(SEND_WAIT_MS * 1000);
            }
            continue;
        }
        return -errno;
    }
    return 0;
}


static void *writer_main(void *arg)
{
    veil_logsock_t *ls = arg;
    unsigned backoff = BACKOFF_MIN_MS;
    uint64_t next_try = 0;
    int warned_size = 0;

    pthread_mutex_lock(&ls->lock);
    for (;;) {
        size_t n, done, records;
        int rc;

        while (ls->len == 0 && !ls->stop && !ls->reconnect) {
            pthread_cond_wait(&ls->cond, &ls->lock);
        }
        if (ls->len == 0 && ls->stop) {
            break;
        }
        if (ls->stop && now_ms() >= ls->deadline_ms) {
            break;
        }
        if (ls->reconnect) {
            ls->reconnect = 0;
            close_fd(ls);
            next_try = 0;
            backoff = BACKOFF_MIN_MS;
        }
        if (ls->len == 0) {
            continue;
        }
        if (ls->fd < 0) {
            uint64_t now = now_ms();

            if (now < next_try) {
                uint64_t until = next_try;
                struct timespec ts;

                if (ls->stop && ls->deadline_ms < until) {
                    until = ls->deadline_ms;
                }
                clock_gettime(CLOCK_REALTIME, &ts);
                ts.tv_sec += (time_t)((until - now) / 1000);
                ts.tv_nsec += (long)((until - now) % 1000) * 1000000L;
                if (ts.tv_nsec >= 1000000000L) {
                    ts.tv_sec++;
                    ts.tv_nsec -= 1000000000L;
                }
                pthread_cond_timedwait(&ls->cond, &ls->lock, &ts);
                continue;
            }
            pthread_mutex_unlock(&ls->lock);
            rc = open_socket(ls);
            if (rc != 0) {
                report(ls, 0, -rc);
            } else if (ls->kind == VEIL_LOGSOCK_STREAM) {
                report(ls, 1, 0);
            }
            pthread_mutex_lock(&ls->lock);
            if (rc != 0) {
                next_try = now_ms() + backoff;
                backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
                continue;
            }
        }
        n = next_chunk(ls, &records);
        if (n == 0) {
            ls->len = 0; /* never: only whole lines are queued */
            continue;
        }
        copy_out(ls, 0, n, ls->chunk);
        pthread_mutex_unlock(&ls->lock);

        rc = send_chunk(ls, ls->chunk, n, &done);
        if (rc == 0 && ls->kind == VEIL_LOGSOCK_DGRAM) {
            report(ls, 1, 0);
        } else if (rc == -EMSGSIZE && !warned_size) {
            warned_size = 1;
            fprintf(stderr,
                    "veil: access log %s: a record of %zu bytes is larger than "
                    "this host sends as one datagram; lower "
                    "access_log.max_record_size\n",
                    ls->address, n);
        } else if (rc != 0 && rc != -ETIMEDOUT) {
            report(ls, 0, -rc);
        }

        pthread_mutex_lock(&ls->lock);
        if (rc == 0) {
            advance(ls, n, records);
            backoff = BACKOFF_MIN_MS;
            continue;
        }
        if (rc == -ETIMEDOUT) {
            break;
        }
        if (rc == -EMSGSIZE) {
            /* This datagram can never go: drop it rather than block the
               records behind it. */
            advance(ls, n, 0);
            pthread_mutex_unlock(&ls->lock);
            drop(ls, VEIL_STATS_LOGDROP_WRITE_ERROR, 1);
            pthread_mutex_lock(&ls->lock);
            continue;
        }
        /* The receiver went away. The records that went out whole are
           done; the one cut short goes again, whole, on the next
           connection. */
        if (ls->kind == VEIL_LOGSOCK_STREAM && done > 0) {
            size_t whole = 0;
            uint64_t k = 0;

            for (size_t i = 0; i < done; i++) {
                if (ls->chunk[i] == '\n') {
                    whole = i + 1;
                    k++;
                }
            }
            advance(ls, whole, k);
        }
        close_fd(ls);
        next_try = now_ms() + backoff;
    }
    /* What could not be sent before the deadline. */
    {
        uint64_t left = 0;

        for (size_t i = 0; i < ls->len; i++) {
            left += byte_at(ls, i) == '\n';
        }
        ls->len = 0;
        pthread_mutex_unlock(&ls->lock);
        drop(ls, VEIL_STATS_LOGDROP_UNAVAILABLE, left);
        if (left > 0) {
            fprintf(stderr,
                    "veil: access log %s: %llu records not sent (the receiver "
                    "was not reachable)\n",
                    ls->address, (unsigned long long)left);
        }
    }
    close_fd(ls);
    return NULL;
}


static int parse_address(veil_logsock_t *ls, const char *address, char *err, size_t errlen)
{
    const char *path = address + (ls->kind == VEIL_LOGSOCK_DGRAM ? 9 : 5);
    size_t n = strlen(path);

    snprintf(ls->address, sizeof(ls->address), "%s", address);
    if ((path[0] != '/' && path[0] != '@') || n < 2 || n > sizeof(ls->sa.sun_path) - 1) {
        snprintf(
            err, errlen,
            "access log %s: expected %s/absolute/path or %s@name "
            "(at most %zu bytes)",
            ls->address, ls->kind == VEIL_LOGSOCK_DGRAM ? "unixgram:" : "unix:",
            ls->kind == VEIL_LOGSOCK_DGRAM ? "unixgram:" : "unix:", sizeof(ls->sa.sun_path) - 1);
        return -EINVAL;
    }
    memset(&ls->sa, 0, sizeof(ls->sa));
    ls->sa.sun_family = AF_UNIX;
    memcpy(ls->sa.sun_path, path, n);
    if (path[0] == '@') {
        ls->sa.sun_path[0] = '\0'; /* abstract: exactly its bytes */
        ls->salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
    } else {
        ls->salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
    }
    return 0;
}


int veil_logsock_open(veil_logsock_t **out, const veil_logsock_options_t *o, char *err,
                      size_t errlen)
{
    veil_logsock_t *ls = calloc(1, sizeof(*ls));
    int rc;

    *out = NULL;
    if (ls == NULL) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    ls->kind = veil_logsock_kind(o->address);
    ls->fd = -1;
    ls->reachable = -1;
    ls->max_record =
        o->max_record < VEIL_LOGSOCK_MIN_RECORD ? VEIL_LOGSOCK_MIN_RECORD : o->max_record;
    ls->cap = o->queue_bytes ? o->queue_bytes : VEIL_LOGSOCK_QUEUE_BYTES;
    if (ls->cap < ls->max_record) {
        ls->cap = ls->max_record;
    }
    ls->on_drop = o->on_drop;
    ls->ud = o->ud;
    if (ls->kind == VEIL_LOGSOCK_NONE) {
        snprintf(err, errlen, "access log: not a socket address");
        free(ls);
        return -EINVAL;
    }
    rc = parse_address(ls, o->address, err, errlen);
    if (rc != 0) {
        free(ls);
        return rc;
    }
    ls->ring = malloc(ls->cap);
    /* A stream chunk is STREAM_CHUNK bytes plus the record that crosses
       it; a datagram one record. */
    ls->chunk = malloc(ls->max_record + STREAM_CHUNK);
    if (ls->ring == NULL || ls->chunk == NULL) {
        free(ls->ring);
        free(ls->chunk);
        free(ls);
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    pthread_mutex_init(&ls->lock, NULL);
    pthread_cond_init(&ls->cond, NULL);
    rc = pthread_create(&ls->thread, NULL, writer_main, ls);
    if (rc != 0) {
        pthread_cond_destroy(&ls->cond);
        pthread_mutex_destroy(&ls->lock);
        free(ls->ring);
        free(ls->chunk);
        free(ls);
        snprintf(err, errlen, "access log: cannot start its thread");
        return -rc;
    }
    *out = ls;
    return 0;
}


void veil_logsock_reconnect(veil_logsock_t *ls)
{
    pthread_mutex_lock(&ls->lock);
    ls->reconnect = 1;
    pthread_cond_signal(&ls->cond);
    pthread_mutex_unlock(&ls->lock);
}


uint64_t veil_logsock_sent(const veil_logsock_t *ls)
{
    return atomic_load(&((veil_logsock_t *)ls)->sent);
}


void veil_logsock_close(veil_logsock_t *ls, unsigned flush_ms)
{
    if (ls == NULL) {
        return;
    }
    pthread_mutex_lock(&ls->lock);
    ls->stop = 1;
    ls->deadline_ms = now_ms() + flush_ms;
    pthread_cond_signal(&ls->cond);
    pthread_mutex_unlock(&ls->lock);
    pthread_join(ls->thread, NULL);
    pthread_cond_destroy(&ls->cond);
    pthread_mutex_destroy(&ls->lock);
    /* Redacted records only, but wiped like every log buffer. */
    explicit_bzero(ls->ring, ls->cap);
    explicit_bzero(ls->chunk, ls->max_record + STREAM_CHUNK);
    free(ls->ring);
    free(ls->chunk);
    free(ls);
}
