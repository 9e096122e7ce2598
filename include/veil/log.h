/*
 * Log output: a JSON line builder and the access-log sink.
 *
 * A record is built in a veil_jbuf_t (a byte buffer with a hard cap) and
 * written with one write(2) on a descriptor opened with O_APPEND, so lines
 * from several threads never interleave. Every string goes through
 * veil_jbuf_str(), which escapes it as JSON and replaces invalid UTF-8, so
 * a record is always one valid JSON line.
 */
#ifndef VEIL_LOG_H
#define VEIL_LOG_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct veil_jbuf {
    char *data;
    size_t len;
    size_t cap;
    size_t max; /* hard cap: appends beyond it set <overflow> */
    int overflow;
} veil_jbuf_t;

/* veil_jbuf_init(): an empty buffer that never grows past <max> bytes. */
void veil_jbuf_init(veil_jbuf_t *b, size_t max);
/* veil_jbuf_dispose(): wipes and frees the bytes; <b> is empty again. */
void veil_jbuf_dispose(veil_jbuf_t *b);
void veil_jbuf_reset(veil_jbuf_t *b);
/* Raw bytes, no escaping. Returns 0 or -ENOMEM (cap reached). Inline
   where they fit (most appends are a few bytes: a brace, a quote, a
   request line's pieces), else veil__jbuf_raw_grow(). */
int veil__jbuf_raw_grow(veil_jbuf_t *b, const char *s, size_t len);
static inline int veil_jbuf_raw(veil_jbuf_t *b, const char *s, size_t len)
{
    if (b->data != NULL && b->cap - b->len >= len) {
        memcpy(b->data + b->len, s, len);
        b->len += len;
        return 0;
    }
    return veil__jbuf_raw_grow(b, s, len);
}
int veil_jbuf_cstr(veil_jbuf_t *b, const char *s);
/* A quoted, escaped JSON string. */
int veil_jbuf_str(veil_jbuf_t *b, const char *s, size_t len);
/* The escaped bytes of a string, without quotes (to build one in parts). */
int veil_jbuf_esc(veil_jbuf_t *b, const char *s, size_t len);
int veil_jbuf_u64(veil_jbuf_t *b, uint64_t v);
/* A "key": prefix, preceded by a comma unless <b> ends with '{' or '['. */
int veil_jbuf_key(veil_jbuf_t *b, const char *key);
/* The same for a key of <len> bytes that needs no escape, written as it
   is: the program's own field names ("http.request.id"), never a value
   or anything read from input. Inline where it fits. */
int veil__jbuf_name_grow(veil_jbuf_t *b, const char *key, size_t len);
static inline int veil_jbuf_name(veil_jbuf_t *b, const char *key, size_t len)
{
    if (b->data == NULL || b->cap - b->len < len + 4) {
        return veil__jbuf_name_grow(b, key, len);
    }
    char *o = b->data + b->len;
    if (b->len > 0 && o[-1] != '{' && o[-1] != '[') {
        *o++ = ',';
    }
    *o++ = '"';
    memcpy(o, key, len);
    o += len;
    *o++ = '"';
    *o++ = ':';
    b->len = (size_t)(o - b->data);
    return 0;
}

typedef struct veil_log veil_log_t;

/*
 * veil_log_open(): opens the sink <path> (created 0640, O_APPEND) or, for
 * "-", standard output. On failure returns -errno and writes a reason
 * into <err>.
 */
int veil_log_open(veil_log_t **out, const char *path, char *err, size_t errlen);
/*
 * veil_log_open_with(): the same, with the sinks of log sockets as well:
 * "unix:/path" (a stream: JSON lines) and "unixgram:/path" (one record
 * per datagram), '@' for an abstract name (proxy/observe/log_socket.h).
 * Records that do not reach the sink whole are counted in <stats>.
 */
struct veil_stats;
typedef struct veil_log_options {
    const char *path;
    size_t max_record;        /* socket sinks; 0: 64 KiB */
    struct veil_stats *stats; /* or NULL */
} veil_log_options_t;
int veil_log_open_with(veil_log_t **out, const veil_log_options_t *o, char *err, size_t errlen);
/*
 * veil_log_reopen(): opens <path> again and swaps it in under the same
 * descriptor number (dup2), so writers in other threads never see a
 * closed descriptor. For stdout it does nothing; a socket sink connects
 * again. Returns 0 or -errno.
 */
int veil_log_reopen(veil_log_t *log);
/*
 * veil_log_set_rotation(): a file sink rotates by size and time and
 * deletes rotated files older than <retention_s> (proxy/observe/logfile.h; 0
 * disables each). Call before the first write; nothing for stdout or a
 * socket.
 * Returns 0 or -errno.
 */
int veil_log_set_rotation(veil_log_t *log, uint64_t max_bytes, uint64_t rotate_s,
                          uint64_t retention_s);
/* veil_log_tick(): rotation by time and retention, about once a second. */
void veil_log_tick(veil_log_t *log);
/* veil_log_write(): writes one complete line (ending in '\n') at once.
   Safe from any thread. Returns 0 or -errno. */
int veil_log_write(veil_log_t *log, const char *line, size_t len);
/*
 * veil_log_write_batched(): appends one complete line to this thread's
 * batch, written with one write() by veil_log_flush_batch() (the workers
 * call it at the end of each loop iteration, so a line is written in the
 * iteration that produced it), when the batch reaches 64 KiB, or when the
 * thread exits. Under load, one write() carries many records.
 */
int veil_log_write_batched(veil_log_t *log, const char *line, size_t len);
void veil_log_flush_batch(void);
void veil_log_close(veil_log_t *log);

#endif
