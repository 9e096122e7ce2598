/*
 * Ordered writes with a byte count, for backpressure (proxy_int.h).
 */
#include <stdlib.h>
#include <string.h>

#include "proxy_int.h"

typedef struct wreq {
    uv_write_t req;
    veil__outq_t *q;
    size_t len;
    char data[];
} wreq_t;


void veil__outq_init(veil__outq_t *q, uv_stream_t *s, veil__worker_t *w,
                     void (*on_written)(void *, int), void *owner)
{
    memset(q, 0, sizeof(*q));
    q->stream = s;
    q->w = w;
    q->on_written = on_written;
    q->owner = owner;
}


/* A write failed where the caller cannot act on it (inside a write call):
   the worker's check callback tells the owner (veil__outq_flush_all). */
static void defer_error(veil__outq_t *q, int err)
{
    if (q->error == 0) {
        q->error = err;
    }
    q->error_pending = 1;
    if (!q->dirty) {
        q->dirty = 1;
        q->next_dirty = q->w->dirty;
        q->w->dirty = q;
    }
}


static void write_cb(uv_write_t *req, int status)
{
    wreq_t *w = (wreq_t *)req;
    veil__outq_t *q = w->q;

    q->queued -= w->len;
    if (status == 0) {
        q->sent += w->len;
    }
    /* The copy may hold body bytes: wipe before freeing. */
    explicit_bzero(w->data, w->len);
    free(w);
    if (status < 0 && q->error == 0) {
        q->error = status;
    }
    if (q->on_written != NULL) {
        q->on_written(q->owner, status);
    }
}


static int send_plain(veil__outq_t *q, const uv_buf_t *bufs, unsigned n)
{
    size_t total = 0, done = 0, off;
    unsigned i;
    wreq_t *w;
    uv_buf_t b;
    int rc;

    if (q->error != 0) {
        return q->error;
    }
    for (i = 0; i < n; i++) {
        total += bufs[i].len;
    }
    if (total == 0) {
        return 0;
    }
    /* Nothing queued: the kernel may take it all without a copy. */
    if (q->queued == 0) {
        rc = uv_try_write(q->stream, bufs, n);
        if (rc >= 0) {
            done = (size_t)rc;
            q->sent += done;
        } else if (rc != UV_EAGAIN && rc != UV_ENOSYS) {
            defer_error(q, rc);
            return rc;
        }
        if (done == total) {
            return 0;
        }
    }
    w = malloc(sizeof(*w) + (total - done));
    if (w == NULL) {
        defer_error(q, UV_ENOMEM);
        return UV_ENOMEM;
    }
    w->q = q;
    w->len = total - done;
    off = 0;
    for (i = 0; i < n; i++) {
        size_t l = bufs[i].len;
        const char *p = bufs[i].base;

        if (done >= l) {
            done -= l;
            continue;
        }
        memcpy(w->data + off, p + done, l - done);
        off += l - done;
        done = 0;
    }
    b = uv_buf_init(w->data, (unsigned)w->len);
    rc = uv_write(&w->req, q->stream, &b, 1, write_cb);
    if (rc < 0) {
        free(w);
        defer_error(q, rc);
        return rc;
    }
    q->queued += w->len;
    return 0;
}


int veil__outq_send_raw(veil__outq_t *q, const uv_buf_t *bufs, unsigned n)
{
    return send_plain(q, bufs, n);
}


/* Every write ends here: through the connection's transport, which
   sends its bytes (TCP: these; TLS: their records) with send_plain(). */
static int send_now(veil__outq_t *q, const uv_buf_t *bufs, unsigned n)
{
    if (q->tr != NULL) {
        return q->error != 0 ? q->error : q->tr->type->write(q->tr, bufs, n);
    }
    return send_plain(q, bufs, n);
}


static void release_pend(veil__outq_t *q)
{
    veil__buf_put(q->w, q->pend, q->pend_len);
    q->pend = NULL;
    q->pend_len = 0;
}


void veil__outq_flush(veil__outq_t *q)
{
    uv_buf_t b;

    if (q->pend_len == 0) {
        return;
    }
    if (q->error == 0 && !uv_is_closing((uv_handle_t *)q->stream)) {
        b = uv_buf_init(q->pend, (unsigned)q->pend_len);
        send_now(q, &b, 1);
    }
    release_pend(q);
}


int veil__outq_writev(veil__outq_t *q, const uv_buf_t *bufs, unsigned n)
{
    uv_buf_t all[8];
    size_t total = 0;
    unsigned i;
    int rc;

    if (q->error != 0) {
        return q->error;
    }
    for (i = 0; i < n; i++) {
        total += bufs[i].len;
    }
    if (total == 0) {
        return 0;
    }
    q->accepted += total;
    if (q->pend_len + total <= VEIL__CORK_MAX) {
        if (q->pend == NULL && (q->pend = veil__buf_get(q->w)) == NULL) {
            return send_now(q, bufs, n);
        }
        for (i = 0; i < n; i++) {
            memcpy(q->pend + q->pend_len, bufs[i].base, bufs[i].len);
            q->pend_len += bufs[i].len;
        }
        if (!q->dirty) {
            q->dirty = 1;
            q->next_dirty = q->w->dirty;
            q->w->dirty = q;
        }
        return 0;
    }
    if (q->pend_len == 0 || n >= sizeof(all) / sizeof(all[0])) {
        veil__outq_flush(q);
        return send_now(q, bufs, n);
    }
    /* What is pending goes first, in the same system call. */
    all[0] = uv_buf_init(q->pend, (unsigned)q->pend_len);
    for (i = 0; i < n; i++) {
        all[i + 1] = bufs[i];
    }
    rc = send_now(q, all, n + 1);
    release_pend(q);
    return rc;
}


size_t veil__outq_size(const veil__outq_t *q)
{
    return q->queued + q->pend_len;
}


void veil__outq_dispose(veil__outq_t *q)
{
    veil__outq_t **pp;

    if (q->dirty) {
        for (pp = &q->w->dirty; *pp != NULL; pp = &(*pp)->next_dirty) {
            if (*pp == q) {
                *pp = q->next_dirty;
                break;
            }
        }
        q->dirty = 0;
    }
    release_pend(q);
}


void veil__outq_flush_all(veil__worker_t *w)
{
    /* Owners may write again from their callbacks (a pipelined request
       goes upstream): such queues join the list and are flushed too. */
    while (w->dirty != NULL) {
        veil__outq_t *q = w->dirty;

        w->dirty = q->next_dirty;
        q->dirty = 0;
        q->next_dirty = NULL;
        veil__outq_flush(q);
        if (q->error_pending) {
            q->error_pending = 0;
            if (q->on_written != NULL) {
                q->on_written(q->owner, q->error);
            }
        } else if (q->notify_flush && q->error == 0 && q->on_written != NULL) {
            q->on_written(q->owner, 0);
        }
    }
    /* The access-log records of this loop iteration, in one write. A
       record is written once its exchange's bytes have left (or failed),
       so it reports what the client was actually sent. */
    veil_log_flush_batch();
}


int veil__outq_write(veil__outq_t *q, const void *data, size_t len)
{
    uv_buf_t b = uv_buf_init((char *)data, (unsigned)len);

    return veil__outq_writev(q, &b, 1);
}
