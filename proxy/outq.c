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


void veil__outq_init(veil__outq_t *q, uv_stream_t *s,
                     void (*on_written)(void *, int), void *owner)
{
    memset(q, 0, sizeof(*q));
    q->stream = s;
    q->on_written = on_written;
    q->owner = owner;
}


static void write_cb(uv_write_t *req, int status)
{
    wreq_t *w = (wreq_t *)req;
    veil__outq_t *q = w->q;

    q->queued -= w->len;
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


int veil__outq_writev(veil__outq_t *q, const uv_buf_t *bufs, unsigned n)
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
        } else if (rc != UV_EAGAIN && rc != UV_ENOSYS) {
            q->error = rc;
            return rc;
        }
        if (done == total) {
            return 0;
        }
    }
    w = malloc(sizeof(*w) + (total - done));
    if (w == NULL) {
        q->error = UV_ENOMEM;
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
        q->error = rc;
        return rc;
    }
    q->queued += w->len;
    return 0;
}


int veil__outq_write(veil__outq_t *q, const void *data, size_t len)
{
    uv_buf_t b = uv_buf_init((char *)data, (unsigned)len);

    return veil__outq_writev(q, &b, 1);
}
