/*
 * The plain TCP transport, and what the connection code does the same way
 * over any transport (transport.h).
 *
 * Plain TCP copies nothing: libuv reads straight into the connection's
 * input buffer (read_buf hands it back), feed() notes how many bytes
 * landed there and read() reports them in place.
 */
#include <string.h>

#include "proxy_int.h"


static void tcp_read_buf(veil__transport_t *t, char *dst, size_t room, uv_buf_t *out)
{
    (void)t;
    out->base = dst;
    out->len = room;
}


static int tcp_feed(veil__transport_t *t, const char *p, size_t n)
{
    if (p == NULL) {
        t->sock_eof = 1;
        return 0;
    }
    t->fresh_at = (char *)p;
    t->fresh += n;
    return 0;
}


static long tcp_read(veil__transport_t *t, char *buf, size_t len)
{
    size_t n = t->fresh;

    if (n == 0) {
        return t->sock_eof ? VEIL__TR_EOF : VEIL__TR_MORE;
    }
    /* The bytes are where read_buf put them, which is where the caller
       reads to; a caller that moved its buffer gets them moved. */
    if (n > len) {
        n = len;
    }
    if (buf != t->fresh_at) {
        memmove(buf, t->fresh_at, n);
    }
    t->fresh -= n;
    t->fresh_at += n;
    return (long)n;
}


static int tcp_write(veil__transport_t *t, const uv_buf_t *bufs, unsigned n)
{
    return veil__outq_send_raw(t->q, bufs, n);
}


static int tcp_handshake(veil__transport_t *t)
{
    t->hs_done = 1;
    return 1;
}


static int tcp_pending(const veil__transport_t *t)
{
    return t->fresh > 0;
}


static void tcp_shutdown(veil__transport_t *t)
{
    (void)t;
}


static void tcp_free(veil__transport_t *t)
{
    (void)t; /* embedded in its connection */
}


const veil__transport_type_t veil__transport_tcp = {
    "tcp",         0,           tcp_read_buf, tcp_feed, tcp_read, tcp_write,
    tcp_handshake, tcp_pending, tcp_shutdown, tcp_free,
};


void veil__transport_tcp_init(veil__transport_t *t, veil__outq_t *q)
{
    memset(t, 0, sizeof(*t));
    t->type = &veil__transport_tcp;
    t->q = q;
    t->hs_done = 1;
}


int veil__transport_pull(veil__transport_t *t, char *in, size_t *len, size_t cap, int *got)
{
    *got = 0;
    if (t->end_done) {
        return VEIL__TR_EOF;
    }
    while (*len < cap) {
        long r = t->type->read(t, in + *len, cap - *len);

        if (r > 0) {
            *len += (size_t)r;
            *got = 1;
            continue;
        }
        if (r == VEIL__TR_MORE) {
            return 0;
        }
        /* The end. Over TLS without a close_notify anyone on the path
           can forge the FIN, so a body delimited by the close is not
           known to be complete (RFC 9112 section 9.8): the owner is told
           through <truncated>. */
        t->end_done = 1;
        t->sock_eof = 1;
        if (r == VEIL__TR_CUT) {
            t->truncated = 1;
        } else if (r == VEIL__TR_ERR) {
            t->failed = 1;
        }
        return (int)r;
    }
    return 0;
}


void veil__transport_free(veil__transport_t *t)
{
    if (t != NULL) {
        t->type->free(t);
    }
}
