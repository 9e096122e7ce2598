/*
 * An access-log sink on a Unix socket, for a log shipper on the same host
 * or in the same pod (Vector, Fluent Bit, a syslog daemon):
 *
 *   unix:/path       a stream socket: records as JSON lines, '\n' after
 *                    each, on one connection
 *   unixgram:/path   a datagram socket: one record per datagram (its
 *                    trailing '\n' included)
 *
 * ("unix:@name" and "unixgram:@name" name Linux abstract sockets.)
 *
 * The workers never wait for the receiver: a record is copied whole into
 * a bounded queue and a writer thread sends it. While the receiver is
 * slow, away or restarting, records wait in the queue and the writer
 * connects again (after 50 ms, doubling up to 2 s); a record that does
 * not fit in the queue is dropped and counted, never cut. A record is
 * never split either: a stream connection that breaks in the middle of a
 * record sends that record again, whole, on the next connection (the
 * receiver may see the cut copy end at the broken connection), and a
 * datagram carries exactly one record.
 *
 * A record longer than <max_record> bytes is replaced by a stand-in that
 * keeps its time and request id:
 *   {"@timestamp":"...","http.request.id":"...",
 *    "error.type":"log_record_too_large","veil.log.record_bytes":N}
 */
#ifndef VEIL_PROXY_LOG_SOCKET_H
#define VEIL_PROXY_LOG_SOCKET_H

#include <stddef.h>
#include <stdint.h>

typedef struct veil_logsock veil_logsock_t;

/* The bytes the queue holds (4 MiB): some seconds of records at a high
   request rate, while a shipper restarts. */
#define VEIL_LOGSOCK_QUEUE_BYTES (4u * 1024 * 1024)
/* The smallest max_record (a stand-in must fit). */
#define VEIL_LOGSOCK_MIN_RECORD 1024

enum {
    VEIL_LOGSOCK_NONE,
    VEIL_LOGSOCK_STREAM,
    VEIL_LOGSOCK_DGRAM
};

/* veil_logsock_kind(): whether <path> names a socket sink, and which. */
int veil_logsock_kind(const char *path);

/* Told of lost records: <reason> is a VEIL_STATS_LOGDROP_*; <n> records.
   Called from any thread. */
typedef void (*veil_logsock_drop_cb)(void *ud, int reason, uint64_t n);

typedef struct veil_logsock_options {
    const char *address; /* "unix:/path", "unixgram:/path", '@' names */
    size_t max_record;   /* bytes with the '\n'; >= VEIL_LOGSOCK_MIN_RECORD */
    size_t queue_bytes;  /* 0: VEIL_LOGSOCK_QUEUE_BYTES */
    veil_logsock_drop_cb on_drop;
    void *ud;
} veil_logsock_options_t;

/*
 * veil_logsock_open(): checks the address and starts the writer thread;
 * the receiver need not be there yet (its absence is reported on stderr
 * once, and again when it comes and goes). Returns 0, or -errno with a
 * reason (the configured address, never a record) in <err>.
 */
int veil_logsock_open(veil_logsock_t **out, const veil_logsock_options_t *o, char *err,
                      size_t errlen);
/* veil_logsock_write(): queues the complete lines of <data> (each ending
   in '\n'); never blocks on the receiver. Any thread. Returns 0, or
   -ENOBUFS when a line had to be dropped. */
int veil_logsock_write(veil_logsock_t *ls, const char *data, size_t len);
/* veil_logsock_reconnect(): closes the connection and connects again
   (SIGUSR1, as a file log is reopened). */
void veil_logsock_reconnect(veil_logsock_t *ls);
/* veil_logsock_sent(): records sent so far. */
uint64_t veil_logsock_sent(const veil_logsock_t *ls);
/* veil_logsock_close(): sends what is queued for at most <flush_ms>,
   counts the rest as unavailable, joins the thread, frees. NULL-safe. */
void veil_logsock_close(veil_logsock_t *ls, unsigned flush_ms);

/*
 * veil_logsock_standin(): the stand-in record for the <len>-byte record
 * <rec> (a line veil wrote: it starts {"@timestamp":"...", then perhaps
 * "http.request.id":"..."), written to <out> (at least 512 bytes) with
 * its '\n'. Returns its length.
 */
size_t veil_logsock_standin(const char *rec, size_t len, char *out, size_t cap);

#endif
