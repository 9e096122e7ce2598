/*
 * Upstream connections and the per-worker pools of idle ones, one pool
 * per upstream (upstream_set.c): a connection is only ever reused for an
 * exchange to the upstream it was opened to, and its timeouts are that
 * upstream's.
 *
 * A connection goes back to the pool only when the exchange on it ended
 * cleanly (request fully sent, response fully read with nothing after it,
 * the upstream did not ask to close); any anomaly closes it. An idle
 * pooled connection keeps reading: a byte or an end of stream from it
 * means it is no longer usable, and it is closed at once.
 *
 * A new connection goes to the address that worked last; when connecting
 * fails (refused, unreachable, timed out), the next address of the
 * upstream's answer is tried, each address at most once per request.
 *
 * Every connection reads and writes through its transport (transport.h):
 * plain TCP, or for an https upstream a TLS session in the client role
 * (tls.c). The same code runs over both: the handshake runs right after
 * connect, under the connect timer (TCP's is done at once), and the
 * exchange is told the connection is ready only once it completed; what
 * libuv reads is fed to the transport and the plaintext pulled into u->in;
 * plaintext a session still holds when u->in is full is handed on from an
 * idle handle once there is room.
 */
#include <stdlib.h>
#include <string.h>

#include "proxy_int.h"

static void up_close_cb(uv_handle_t *h)
{
    veil__upconn_t *u = h->data;

    if (--u->pending_close == 0) {
        veil__outq_dispose(&u->out);
        veil__transport_free(u->tr);
        veil__buf_put(u->w, u->in, u->in_used);
        free(u);
    }
}


static void pool_remove(veil__upconn_t *u)
{
    veil__pool_t *p = u->pool;
    veil__upconn_t **pp = &p->idle;

    while (*pp != NULL) {
        if (*pp == u) {
            *pp = u->next;
            u->next = NULL;
            p->nidle--;
            return;
        }
        pp = &(*pp)->next;
    }
}


/* Frees the pools of retired upstreams that have no connection left. */
static void pools_sweep(veil__worker_t *w)
{
    veil__pool_t **pp = &w->pools;

    while (*pp != NULL) {
        veil__pool_t *p = *pp;

        if (p->nconns == 0 && atomic_load(&p->up->retired)) {
            *pp = p->next;
            veil__upstream_unref(p->up);
            free(p);
        } else {
            pp = &p->next;
        }
    }
}


/* The worker's pool for <up>, created on first use; NULL: no memory. */
static veil__pool_t *pool_of(veil__worker_t *w, veil__upstream_t *up)
{
    veil__pool_t *p;

    for (p = w->pools; p != NULL; p = p->next) {
        if (p->up == up) {
            return p;
        }
    }
    p = calloc(1, sizeof(*p));
    if (p == NULL) {
        return NULL;
    }
    p->up = veil__upstream_ref(up);
    p->next = w->pools;
    w->pools = p;
    return p;
}


void veil__upstream_close(veil__upconn_t *u)
{
    veil__worker_t *w = u->w;

    if (u->closing) {
        return;
    }
    u->closing = 1;
    if (u->state == VEIL__U_IDLE) {
        pool_remove(u);
    }
    u->x = NULL;
    uv_timer_stop(&u->timer);
    /* TLS close_notify only on a sound session with nothing queued
       before it; a peer that misses it sees the end of the stream. */
    if (u->tr->hs_done && !u->tr->failed && u->out.queued == 0 && u->out.error == 0 &&
        !u->tr->sock_eof) {
        u->tr->type->shutdown(u->tr);
    }
    u->pending_close = 3;
    uv_close((uv_handle_t *)&u->tls_idle, up_close_cb);
    uv_close((uv_handle_t *)&u->timer, up_close_cb);
    uv_close((uv_handle_t *)&u->tcp, up_close_cb);
    w->nupconns--;
    /* The pool stays until the next sweep: a caller may still read it
       (connect_failed tries the next address). */
    u->pool->nconns--;
    veil__worker_check_idle(w);
}


static void connect_new(veil__xchg_t *x, veil__pool_t *p, unsigned idx, unsigned tries);


/* Connecting <u> failed: the next address, or the exchange fails. */
static void connect_failed(veil__upconn_t *u, const char *reason)
{
    veil__xchg_t *x = u->x;
    veil__worker_t *w = u->w;
    veil__pool_t *p = u->pool;
    unsigned idx = u->addr_i, tries = u->tries;

    veil__upstream_close(u);
    if (x == NULL) {
        return;
    }
    if (tries + 1 < p->n && !w->stopping) {
        connect_new(x, p, (idx + 1) % p->n, tries + 1);
        return;
    }
    veil__xchg_upstream_failed(x, 502, reason);
}


static void arm(veil__upconn_t *u, uint64_t ms);


static void up_timer_cb(uv_timer_t *t)
{
    veil__upconn_t *u = t->data;
    veil__xchg_t *x = u->x;

    switch (u->state) {
    case VEIL__U_CONNECTING:
        connect_failed(u, "upstream_connect_timeout");
        return;
    case VEIL__U_IDLE:
        veil__upstream_close(u);
        return;
    default:
        if (x == NULL || u->close_after_flush) {
            veil__upstream_close(u);
            return;
        }
        /* Not reading because the client is slow: not the upstream's
           fault; the client's send timer covers that case. */
        if (!u->reading && x->rstate == VEIL__R_BODY) {
            arm(u, u->pool->up->set.response_timeout_ms);
            return;
        }
        veil__xchg_upstream_timeout(x);
        return;
    }
}


static void arm(veil__upconn_t *u, uint64_t ms)
{
    if (!u->closing) {
        uv_timer_start(&u->timer, up_timer_cb, ms, 0);
    }
}


void veil__upstream_timer(veil__upconn_t *u)
{
    arm(u, u->pool->up->set.response_timeout_ms);
}


static void up_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    veil__upconn_t *u = h->data;

    (void)hint;
    if (u->in == NULL) {
        u->in = veil__buf_get(u->w);
        if (u->in == NULL) {
            buf->base = NULL;
            buf->len = 0;
            return;
        }
    }
    u->tr->type->read_buf(u->tr, u->in + u->in_len, VEIL__IO_BUF - u->in_len, buf);
}


static void hs_step(veil__upconn_t *u);
static void pump(veil__upconn_t *u);

static void up_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    veil__upconn_t *u = s->data;
    veil__xchg_t *x = u->x;

    if (n == 0 || u->closing) {
        return;
    }
    if (n == UV_ENOBUFS) {
        if (u->in == NULL || x == NULL) {
            veil__upstream_close(u);
            if (x != NULL) {
                veil__xchg_upstream_failed(x, 502, "no_memory");
            }
        } else {
            veil__upstream_update_reading(u);
        }
        return;
    }
    if (n < 0) {
        uv_read_stop(s);
        u->reading = 0;
        u->reusable = 0;
        (void)u->tr->type->feed(u->tr, NULL, 0);
    } else if (u->tr->type->feed(u->tr, buf->base, (size_t)n) != 0) {
        u->tr->failed = 1;
        (void)u->tr->type->feed(u->tr, NULL, 0);
    }
    if (u->state == VEIL__U_CONNECTING) {
        if (!u->tr->hs_done) {
            hs_step(u);
        }
        return;
    }
    pump(u);
}


static void tls_idle_cb(uv_idle_t *h);

void veil__upstream_update_reading(veil__upconn_t *u)
{
    veil__xchg_t *x = u->x;
    int want;

    if (u->closing) {
        return;
    }
    if (u->state == VEIL__U_CONNECTING) {
        /* Only a handshake (TLS) reads before the connection is ready. */
        if (u->tr->hs_done) {
            return;
        }
        want = 1;
    } else if (u->state == VEIL__U_IDLE) {
        want = 1;
    } else {
        want = !u->eof && x != NULL && u->in_len < VEIL__IO_BUF && x->c->out.queued <= VEIL__HWM;
    }
    if (u->state == VEIL__U_ACTIVE && want &&
        (u->tr->type->pending(u->tr) || (u->tr->sock_eof && !u->tr->end_done))) {
        /* The transport holds plaintext (or the end) that found no room
           before: handed on from the loop, not from inside the caller. */
        uv_idle_start(&u->tls_idle, tls_idle_cb);
    }
    if (u->tr->sock_eof) {
        want = 0;
    }
    if (want && !u->reading) {
        if (uv_read_start((uv_stream_t *)&u->tcp, up_alloc, up_read) == 0) {
            u->reading = 1;
        }
    } else if (!want && u->reading) {
        uv_read_stop((uv_stream_t *)&u->tcp);
        u->reading = 0;
    }
}


static void up_written(void *owner, int status)
{
    veil__upconn_t *u = owner;
    veil__xchg_t *x = u->x;

    if (u->closing) {
        return;
    }
    if (u->state == VEIL__U_CONNECTING) {
        /* Handshake records. */
        if (status < 0) {
            u->tr->failed = 1;
            connect_failed(u, "upstream_unavailable");
        }
        return;
    }
    if (u->close_after_flush) {
        if (status < 0 || u->out.queued == 0) {
            veil__upstream_close(u);
        }
        return;
    }
    if (status < 0) {
        u->reusable = 0;
        if (x == NULL) {
            veil__upstream_close(u);
        } else if (!u->reading) {
            veil__upstream_close(u);
            veil__xchg_upstream_failed(x, 502, "upstream_unavailable");
        }
        /* Otherwise the upstream may still have answered before it went
           away: the read side reports what happened. */
        return;
    }
    if (x != NULL) {
        veil__client_progress(x->c);
    }
    if (x != NULL && u->out.queued <= VEIL__LWM) {
        /* Room again: the client's body may flow. */
        veil__client_update_reading(x->c);
        if (x->c->in_len > 0) {
            veil__client_process(x->c);
        }
    }
}


/* The handshake moved (connected, or bytes arrived): on success the
   exchange may send its request; a failure is the exchange's 502. */
static void hs_step(veil__upconn_t *u)
{
    veil__xchg_t *x = u->x;
    int rc = u->tr->type->handshake(u->tr);

    if (rc == 0) {
        veil__upstream_update_reading(u);
        return;
    }
    if (rc < 0) {
        u->tr->failed = 1;
        u->reusable = 0;
        veil__upstream_close(u);
        if (x != NULL) {
            veil__xchg_upstream_failed(x, 502, "upstream_tls_failed");
        }
        return;
    }
    uv_timer_stop(&u->timer);
    if (x == NULL) {
        veil__upstream_close(u);
        return;
    }
    u->state = VEIL__U_ACTIVE;
    uv_tcp_nodelay(&u->tcp, 1);
    veil__upstream_update_reading(u);
    veil__xchg_upstream_ready(x);
}


/* Hands on the plaintext the transport holds: into u->in while there is
   room, then the end of the stream once everything before it was
   taken. */
static void pump(veil__upconn_t *u)
{
    for (;;) {
        veil__xchg_t *x = u->x;
        veil__client_t *c;
        int got, end;

        if (u->closing) {
            return;
        }
        if (u->state == VEIL__U_IDLE || x == NULL) {
            /* An idle connection must stay silent; session tickets and
               other handshake messages are not application bytes. */
            char tmp[64];
            long r = u->tr->type->read(u->tr, tmp, sizeof(tmp));

            if (r != VEIL__TR_MORE || u->tr->sock_eof) {
                veil__upstream_close(u);
            } else if (u->in_len == 0) {
                veil__buf_put(u->w, u->in, u->in_used);
                u->in = NULL;
                u->in_used = 0;
            }
            return;
        }
        if (u->in == NULL && (u->in = veil__buf_get(u->w)) == NULL) {
            veil__upstream_close(u);
            veil__xchg_upstream_failed(x, 502, "no_memory");
            return;
        }
        end = veil__transport_pull(u->tr, u->in, &u->in_len, VEIL__IO_BUF, &got) != 0;
        if (!got && !end) {
            return;
        }
        if (u->in_len > u->in_used) {
            u->in_used = u->in_len;
        }
        c = x->c;
        if (end) {
            if (u->reading) {
                uv_read_stop((uv_stream_t *)&u->tcp);
                u->reading = 0;
            }
            u->reusable = 0;
            veil__xchg_upstream_data(x, 1);
            veil__client_touch(c); /* <x> may be gone, <c> is not */
            return;
        }
        if (x->rstate != VEIL__R_DONE && !x->tunnel && x->half[0].done) {
            arm(u, u->pool->up->set.response_timeout_ms);
        }
        veil__xchg_upstream_data(x, 0);
        veil__client_touch(c);
        if (u->closing || u->x != x || u->in_len >= VEIL__IO_BUF || !u->tr->type->pending(u->tr)) {
            veil__upstream_update_reading(u);
            return;
        }
    }
}


static void tls_idle_cb(uv_idle_t *h)
{
    veil__upconn_t *u = h->data;

    uv_idle_stop(h);
    pump(u);
}


static void up_connect_cb(uv_connect_t *req, int status)
{
    veil__upconn_t *u = req->data;
    veil__xchg_t *x = u->x;

    if (status == UV_ECANCELED || u->closing) {
        return;
    }
    if (status < 0) {
        connect_failed(u, "upstream_unavailable");
        return;
    }
    u->pool->pref = u->addr_i;
    if (x == NULL) {
        veil__upstream_close(u);
        return;
    }
    /* The connect timer keeps running: a handshake is part of
       connecting. */
    hs_step(u);
}


/* Opens a connection for <x> to address <idx> of pool <p>'s copy;
   <tries> addresses were tried before it. */
static void connect_new(veil__xchg_t *x, veil__pool_t *p, unsigned idx, unsigned tries)
{
    veil__worker_t *w = x->c->w;
    veil__upconn_t *u;
    int rc;

    u = calloc(1, sizeof(*u));
    if (u == NULL) {
        veil__xchg_upstream_failed(x, 502, "no_memory");
        return;
    }
    u->w = w;
    u->pool = p;
    p->nconns++;
    u->state = VEIL__U_CONNECTING;
    u->reusable = 1;
    u->addr_i = idx;
    u->tries = tries;
    uv_tcp_init(&w->loop, &u->tcp);
    uv_timer_init(&w->loop, &u->timer);
    u->tcp.data = u;
    u->timer.data = u;
    u->creq.data = u;
    w->nupconns++;
    veil__outq_init(&u->out, (uv_stream_t *)&u->tcp, w, up_written, u);
    veil__transport_tcp_init(&u->tcp_tr, &u->out);
    u->tr = &u->tcp_tr;
    uv_idle_init(&w->loop, &u->tls_idle);
    u->tls_idle.data = u;
    if (p->up->tls_ctx != NULL) {
        veil__transport_t *t =
            veil__tls_client_new(p->up->tls_ctx, &p->up->set, p->up->name, &u->out);
        if (t == NULL) {
            u->x = x;
            x->u = u;
            u->tr->failed = 1;
            veil__upstream_close(u);
            veil__xchg_upstream_failed(x, 502, "no_memory");
            return;
        }
        u->tr = t;
    }
    u->out.tr = u->tr;
    u->x = x;
    x->u = u;
    rc = uv_tcp_connect(&u->creq, &u->tcp, (const struct sockaddr *)&p->addr[idx], up_connect_cb);
    if (rc != 0) {
        /* Refused at once (an address family this host cannot reach):
           the next address, if any. */
        connect_failed(u, "upstream_unavailable");
        return;
    }
    arm(u, p->up->set.connect_timeout_ms);
}


void veil__upstream_pick(veil__xchg_t *x)
{
    if (x->up == NULL) {
        x->up = veil__upstreams_find(x->c->w->ups, x->conf, x->route ? x->route->upstream : NULL);
    }
}


void veil__upstream_acquire(veil__xchg_t *x)
{
    veil__worker_t *w = x->c->w;
    veil__pool_t *p;
    veil__upconn_t *u;

    veil__upstream_pick(x);
    if (x->up == NULL) {
        /* Its config is older than the kept sets: no upstream rather
           than another one. */
        veil__xchg_upstream_failed(x, 502, "upstream_unavailable");
        return;
    }
    pools_sweep(w);
    p = pool_of(w, x->up);
    if (p == NULL) {
        veil__xchg_upstream_failed(x, 502, "no_memory");
        return;
    }
    u = p->idle;
    if (u != NULL) {
        pool_remove(u);
        uv_timer_stop(&u->timer);
        u->state = VEIL__U_ACTIVE;
        u->reused = 1;
        u->x = x;
        x->u = u;
        veil__xchg_upstream_ready(x);
        return;
    }
    veil__upaddrs_refresh(p);
    if (p->n == 0) {
        veil__xchg_upstream_failed(x, 502, "upstream_unavailable");
        return;
    }
    connect_new(x, p, p->pref < p->n ? p->pref : 0, 0);
}


void veil__upstream_release(veil__upconn_t *u)
{
    veil__worker_t *w = u->w;
    veil__pool_t *p = u->pool;

    u->x = NULL;
    veil__outq_flush(&u->out);
    if (!u->reusable || u->eof || u->in_len > 0 || u->out.queued > 0 || u->tr->failed ||
        u->tr->sock_eof || u->tr->type->pending(u->tr) || u->out.error != 0 || w->draining ||
        w->stopping || p->nidle >= p->up->set.pool_size || atomic_load(&p->up->retired) ||
        u->state != VEIL__U_ACTIVE) {
        veil__upstream_close(u);
        return;
    }
    u->state = VEIL__U_IDLE;
    veil__buf_put(w, u->in, u->in_used);
    u->in = NULL;
    u->in_used = 0;
    u->next = p->idle;
    p->idle = u;
    p->nidle++;
    arm(u, p->up->set.idle_timeout_ms);
    veil__upstream_update_reading(u);
}


void veil__upstream_close_after_flush(veil__upconn_t *u)
{
    u->x = NULL;
    if (!u->closing) {
        veil__outq_flush(&u->out);
    }
    if (u->out.queued == 0 || u->closing) {
        veil__upstream_close(u);
        return;
    }
    u->close_after_flush = 1;
    u->reusable = 0;
    if (u->reading) {
        uv_read_stop((uv_stream_t *)&u->tcp);
        u->reading = 0;
    }
    /* Bounded: a peer that stops reading does not keep us. */
    arm(u, veil__srv(u->w)->body_timeout_ms);
}


void veil__upstream_close_idle(veil__worker_t *w)
{
    for (veil__pool_t *p = w->pools; p != NULL; p = p->next) {
        while (p->idle != NULL) {
            veil__upstream_close(p->idle);
        }
    }
}


void veil__upstream_prune(veil__worker_t *w)
{
    for (veil__pool_t *p = w->pools; p != NULL; p = p->next) {
        if (atomic_load(&p->up->retired)) {
            while (p->idle != NULL) {
                veil__upstream_close(p->idle);
            }
        }
    }
    pools_sweep(w);
}


void veil__upstream_pools_free(veil__worker_t *w)
{
    while (w->pools != NULL) {
        veil__pool_t *p = w->pools;

        w->pools = p->next;
        veil__upstream_unref(p->up);
        free(p);
    }
}
