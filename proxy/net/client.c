/*
 * Client connections: accept, read into a bounded buffer, run the request
 * state machine, timers, and closing (with a lingering close so that an
 * error response is not destroyed by a reset while the client still
 * sends).
 *
 * A connection serves one exchange at a time; bytes of a pipelined
 * request wait in the buffer until the exchange before it has finished,
 * which answers pipelined requests in order.
 *
 * The connection reads and writes through its transport (transport.h):
 * plain TCP, or on a listener with `tls:` a TLS session in the server
 * role (tls.c), with the same code above it as on upstream connections:
 * what libuv reads is fed to the transport, the handshake advanced until
 * it is done (under the header timer, as nginx does), and the plaintext
 * pulled into c->in; plaintext a session still holds when c->in is full
 * is handed on from an idle handle once there is room.
 */
#include <stdlib.h>
#include <string.h>

#include "proxy_int.h"

enum {
    TK_NONE,
    TK_HEADER,
    TK_KEEPALIVE,
    TK_BODY,
    TK_SEND,
    TK_TUNNEL,
    TK_LINGER
};

#define LINGER_MS 2000

static void client_close_cb(uv_handle_t *h)
{
    veil__client_t *c = h->data;

    if (--c->pending_close == 0) {
        veil__outq_dispose(&c->out);
        veil__transport_free(c->tr);
        veil__buf_put(c->w, c->in, c->in_used);
        free(c);
    }
}


static void unlink_client(veil__client_t *c)
{
    veil__worker_t *w = c->w;

    if (c->prev != NULL) {
        c->prev->next = c->next;
    } else {
        w->clients = c->next;
    }
    if (c->next != NULL) {
        c->next->prev = c->prev;
    }
    c->next = c->prev = NULL;
    w->nclients--;
    atomic_fetch_sub(w->conn_count, 1);
}


void veil__client_close(veil__client_t *c)
{
    if (c->closing) {
        return;
    }
    c->closing = 1;
    c->state = VEIL__C_CLOSED;
    if (c->x != NULL) {
        veil__xchg_abort(c->x, c->w->stopping ? "shutdown" : "client_aborted");
    }
    if (c->done_x != NULL) {
        veil__xchg_settle(c, 1);
    }
    unlink_client(c);
    uv_timer_stop(&c->timer);
    /* TLS close_notify only when every byte before it went out: a clean
       end must not be claimed for a response that was cut. */
    if (c->tr->hs_done && !c->tr->failed && !c->lingering && veil__outq_size(&c->out) == 0 &&
        c->out.error == 0) {
        c->tr->type->shutdown(c->tr);
    }
    c->pending_close = 3;
    uv_close((uv_handle_t *)&c->tls_idle, client_close_cb);
    uv_close((uv_handle_t *)&c->timer, client_close_cb);
    uv_close((uv_handle_t *)&c->tcp, client_close_cb);
    veil__worker_check_idle(c->w);
}


static void set_timer(veil__client_t *c, int kind, int restart);
static void update_timer(veil__client_t *c, int progress);


static void linger_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    veil__client_t *c = s->data;

    /* Discard what the client still sends; close at its end. */
    if (n < 0) {
        veil__client_close(c);
    }
}


static void linger_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    veil__client_t *c = h->data;

    if (c->in == NULL) {
        c->in = veil__buf_get(c->w);
    }
    buf->base = c->in;
    buf->len = c->in != NULL ? VEIL__IO_BUF : 0;
    c->in_used = VEIL__IO_BUF; /* discarded bytes land anywhere */
}


static void shutdown_cb(uv_shutdown_t *req, int status)
{
    veil__client_t *c = req->data;

    free(req);
    if (c->closing) {
        return;
    }
    if (status < 0) {
        veil__client_close(c);
        return;
    }
    c->in_len = 0;
    uv_read_stop((uv_stream_t *)&c->tcp);
    if (uv_read_start((uv_stream_t *)&c->tcp, linger_alloc, linger_read) != 0) {
        veil__client_close(c);
        return;
    }
    c->reading = 1;
    set_timer(c, TK_LINGER, 1);
}


static void start_linger(veil__client_t *c)
{
    uv_shutdown_t *req;

    if (c->lingering) {
        return;
    }
    c->lingering = 1;
    if (c->eof || c->out.error != 0) {
        veil__client_close(c);
        return;
    }
    req = malloc(sizeof(*req));
    if (req == NULL) {
        veil__client_close(c);
        return;
    }
    req->data = c;
    /* TLS: the close_notify goes ahead of the FIN. */
    if (c->tr->hs_done && !c->tr->failed) {
        c->tr->type->shutdown(c->tr);
    }
    if (uv_shutdown(req, (uv_stream_t *)&c->tcp, shutdown_cb) != 0) {
        free(req);
        veil__client_close(c);
    }
}


void veil__client_close_after_flush(veil__client_t *c)
{
    if (c->closing || c->close_after_flush) {
        return;
    }
    c->close_after_flush = 1;
    c->state = VEIL__C_CLOSED;
    if (c->reading) {
        uv_read_stop((uv_stream_t *)&c->tcp);
        c->reading = 0;
    }
    veil__outq_flush(&c->out);
    if (c->out.queued == 0) {
        start_linger(c);
    } else {
        set_timer(c, TK_SEND, 1);
    }
}


/*
 * The client's read side ended (or it left in the middle of a head):
 * what is queued for it still goes out first. A half-close after a
 * request is allowed (RFC 9112 section 9.6): its response must not be
 * lost with the connection.
 */
static void end_on_eof(veil__client_t *c)
{
    if (veil__outq_size(&c->out) > 0 || c->done_x != NULL) {
        veil__client_close_after_flush(c);
    } else {
        veil__client_close(c);
    }
}


void veil__client_drain(veil__client_t *c)
{
    if (c->x == NULL && c->state == VEIL__C_HEAD && c->in_len == 0) {
        veil__client_close(c);
    }
}


static void timer_cb(uv_timer_t *t)
{
    veil__client_t *c = t->data;
    veil__xchg_t *x = c->x;
    char buf[512];
    size_t n;

    switch (c->timer_kind) {
    case TK_HEADER:
        /* A TLS handshake not done by now is counted as timed out. */
        c->tr->hs_timed_out = !c->tr->hs_done;
        if (c->in_len == 0 && c->served == 0) {
            /* A connection that never sent a byte: nothing to answer. */
            veil__client_close(c);
            return;
        }
        if (c->in_len == 0) {
            veil__client_close(c);
            return;
        }
        n = veil__error_response(408, "header_timeout", buf, sizeof(buf));
        veil__outq_write(&c->out, buf, n);
        veil__log_rejected(c->w, c, 408, "header_timeout", c->head_start, c->in_len, n);
        c->in_len = 0;
        veil__client_close_after_flush(c);
        return;
    case TK_SEND:
        if (veil__outq_size(&c->out) == 0 && !c->close_after_flush) {
            /* Everything went out meanwhile: not stuck. */
            c->timer_kind = TK_NONE;
            update_timer(c, 1);
            return;
        }
        if (x == NULL) {
            x = c->done_x; /* its bytes are what is stuck */
        }
        if (x != NULL && x->error == NULL) {
            x->error = "send_timeout";
        }
        veil__client_close(c);
        return;
    case TK_KEEPALIVE:
    case TK_LINGER:
        veil__client_close(c);
        return;
    case TK_BODY:
        if (x != NULL && x->u != NULL && veil__outq_size(&x->u->out) > 0) {
            /* We stopped reading the client because the upstream does
               not take the body: the upstream is the slow side. */
            veil__xchg_error(x, 504, "upstream_send_timeout");
        } else if (x != NULL) {
            veil__xchg_error(x, 408, "body_timeout");
        } else {
            veil__client_close(c);
        }
        return;
    case TK_TUNNEL:
        if (x != NULL) {
            veil__xchg_tunnel_end(x);
        } else {
            veil__client_close(c);
        }
        return;
    default:
        return;
    }
}


/*
 * set_timer(): arms the timer for <kind>. The header timer is never
 * restarted by progress (a slow client must not stretch it byte by byte);
 * the idle timers are restarted when <restart> says something moved.
 */
static void set_timer(veil__client_t *c, int kind, int restart)
{
    const veil_server_settings_t *sv = veil__srv(c->w);
    uint64_t ms = 0;

    if (c->closing) {
        return;
    }
    if (kind == c->timer_kind && !restart) {
        return;
    }
    if (kind == c->timer_kind && kind == TK_HEADER) {
        return;
    }
    c->timer_kind = kind;
    switch (kind) {
    case TK_HEADER:
        ms = sv->header_timeout_ms;
        break;
    case TK_KEEPALIVE:
        ms = sv->keepalive_timeout_ms;
        break;
    case TK_BODY:
        ms = sv->body_timeout_ms;
        break;
    case TK_SEND:
        ms = sv->body_timeout_ms;
        break;
    case TK_TUNNEL:
        /* Idle tunnels: the response timeout of the tunnel's upstream. */
        ms = c->x != NULL && c->x->up != NULL
                 ? c->x->up->set.response_timeout_ms
                 : veil_config_upstream(veil__worker_conf(c->w), 0)->response_timeout_ms;
        break;
    case TK_LINGER:
        ms = LINGER_MS;
        break;
    default:
        uv_timer_stop(&c->timer);
        return;
    }
    uv_timer_start(&c->timer, timer_cb, ms, 0);
}


static void update_timer(veil__client_t *c, int progress)
{
    int kind;

    switch (c->state) {
    case VEIL__C_HEAD:
        kind = (c->in_len == 0 && c->served > 0) ? TK_KEEPALIVE : TK_HEADER;
        if (kind == TK_HEADER && c->head_start == 0) {
            c->head_start = uv_hrtime();
        }
        break;
    case VEIL__C_BODY:
        kind = TK_BODY;
        break;
    case VEIL__C_WAIT:
        kind = veil__outq_size(&c->out) > 0 ? TK_SEND : TK_NONE;
        break;
    case VEIL__C_TUNNEL:
        kind = TK_TUNNEL;
        break;
    default:
        return; /* closing: the linger/send timer stays */
    }
    set_timer(c, kind, progress);
}


void veil__client_touch(veil__client_t *c)
{
    if (!c->closing) {
        update_timer(c, 0);
    }
}


void veil__client_progress(veil__client_t *c)
{
    if (!c->closing && c->state == VEIL__C_BODY) {
        set_timer(c, TK_BODY, 1);
    }
}


static void client_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    veil__client_t *c = h->data;

    if (c->in == NULL) {
        c->in = veil__buf_get(c->w);
        if (c->in == NULL) {
            buf->base = NULL;
            buf->len = 0; /* UV_ENOBUFS: try again later */
            return;
        }
    }
    c->tr->type->read_buf(c->tr, c->in + c->in_len, VEIL__IO_BUF - c->in_len, buf);
}


/* An idle connection gives its read buffer back. */
static void release_input(veil__client_t *c)
{
    if (c->in != NULL && c->in_len == 0) {
        veil__buf_put(c->w, c->in, c->in_used);
        c->in = NULL;
        c->in_used = 0;
    }
}


/* The stream ended (a FIN, a TLS close_notify, or a TLS stream cut):
   what is buffered is processed, then the state decides. */
static void on_end(veil__client_t *c)
{
    if (c->reading) {
        uv_read_stop((uv_stream_t *)&c->tcp);
        c->reading = 0;
    }
    c->eof = 1;
    switch (c->state) {
    case VEIL__C_HEAD:
        if (c->x == NULL && c->in_len == 0) {
            end_on_eof(c);
            return;
        }
        break;
    case VEIL__C_BODY:
        /* The request body was cut: process what is buffered, then
           the exchange aborts below. */
        break;
    case VEIL__C_TUNNEL:
        if (c->x != NULL) {
            veil__xchg_tunnel_end(c->x);
        }
        return;
    default:
        break;
    }
    veil__client_process(c);
}


/* Hands on the plaintext the transport holds, then its end. */
static void pump(veil__client_t *c)
{
    int got, end;

    if (c->closing || c->eof) {
        return;
    }
    if (c->in == NULL && (c->in = veil__buf_get(c->w)) == NULL) {
        veil__client_close(c); /* out of memory */
        return;
    }
    end = veil__transport_pull(c->tr, c->in, &c->in_len, VEIL__IO_BUF, &got);
    if (c->in_len > c->in_used) {
        c->in_used = c->in_len;
    }
    if (got && c->state == VEIL__C_HEAD && c->head_start == 0) {
        c->head_start = uv_hrtime();
    }
    if (end == VEIL__TR_ERR) {
        /* A broken session carries no answer. */
        veil__client_close(c);
        return;
    }
    if (end != 0) {
        on_end(c);
        return;
    }
    if (!got) {
        return;
    }
    veil__client_process(c);
    if (!c->closing) {
        update_timer(c, 1);
    }
}


static void pump_idle_cb(uv_idle_t *h)
{
    veil__client_t *c = h->data;

    uv_idle_stop(h);
    pump(c);
}


static void client_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    veil__client_t *c = s->data;
    int rc;

    if (n == 0 || c->closing) {
        return;
    }
    if (n == UV_ENOBUFS) {
        if (c->in == NULL) {
            veil__client_close(c); /* out of memory */
        } else {
            veil__client_update_reading(c);
        }
        return;
    }
    if (n < 0) {
        uv_read_stop(s);
        c->reading = 0;
        if (n != UV_EOF) {
            veil__client_close(c); /* reset: nothing more can be sent */
            return;
        }
        (void)c->tr->type->feed(c->tr, NULL, 0);
    } else if (c->tr->type->feed(c->tr, buf->base, (size_t)n) != 0) {
        veil__client_close(c);
        return;
    }
    if (!c->tr->hs_done) {
        rc = c->tr->type->handshake(c->tr);
        if (rc < 0) {
            /* No HTTP answer is possible: the session's alert said it. */
            veil__client_close_after_flush(c);
            return;
        }
        if (rc == 0) {
            return;
        }
    }
    pump(c);
}


void veil__client_update_reading(veil__client_t *c)
{
    veil__xchg_t *x = c->x;
    int want = 0;

    if (c->closing || c->close_after_flush) {
        return;
    }
    if (!c->eof && c->in_len < VEIL__IO_BUF) {
        switch (c->state) {
        case VEIL__C_HEAD:
            want = 1;
            break;
        case VEIL__C_BODY:
        case VEIL__C_TUNNEL:
            /* A held body (policy.c) is read before any upstream is
               involved; veil__held_add() bounds it. */
            want = x != NULL && ((c->state == VEIL__C_BODY && x->half[0].hold) ||
                                 (x->up_ready && x->u != NULL && x->u->out.queued <= VEIL__HWM));
            break;
        case VEIL__C_WAIT:
            /* Keep reading (pipelined requests, an early close) while
               there is room, but never let a client flood us. */
            want = c->in_len < VEIL__IO_BUF / 2;
            break;
        default:
            break;
        }
    }
    if (want && (c->tr->type->pending(c->tr) || (c->tr->sock_eof && !c->tr->end_done))) {
        /* The transport holds plaintext (or the end) that found no room
           before: handed on from the loop, not from inside the caller. */
        uv_idle_start(&c->tls_idle, pump_idle_cb);
    }
    if (c->tr->sock_eof) {
        want = 0;
    }
    if (want && !c->reading) {
        if (uv_read_start((uv_stream_t *)&c->tcp, client_alloc, client_read) == 0) {
            c->reading = 1;
        }
    } else if (!want && c->reading) {
        uv_read_stop((uv_stream_t *)&c->tcp);
        c->reading = 0;
    }
}


static void consume(veil__client_t *c, size_t n)
{
    if (n >= c->in_len) {
        c->in_len = 0;
        return;
    }
    memmove(c->in, c->in + n, c->in_len - n);
    c->in_len -= n;
}


static void reject(veil__client_t *c, int status, const char *reason)
{
    char buf[512];
    size_t n = veil__error_response(status, reason, buf, sizeof(buf));

    veil__outq_write(&c->out, buf, n);
    veil__log_rejected(c->w, c, status, reason, c->head_start, c->in_len, n);
    c->in_len = 0;
    veil__client_close_after_flush(c);
}


/* One step of the state machine; returns 1 to run again, 0 to wait. */
static int step(veil__client_t *c)
{
    const veil_server_settings_t *sv = veil__srv(c->w);
    veil_h1_limits_t lim = {sv->max_header_bytes, sv->max_headers};
    veil_h1_verdict_t v = {0, NULL};
    veil__xchg_t *x = c->x;
    long end;

    switch (c->state) {
    case VEIL__C_HEAD:
        if (c->in_len == 0) {
            return 0;
        }
        end = veil_h1_head_scan(&c->scan, c->in, c->in_len, &lim, &v);
        if (end < 0) {
            reject(c, v.status ? v.status : 400, v.reason ? v.reason : "bad_head");
            return 0;
        }
        if (end == 0) {
            if (c->in_len >= VEIL__IO_BUF) {
                reject(c, 431, "header_too_large");
            } else if (c->eof) {
                /* The client closed in the middle of a head. */
                end_on_eof(c);
            }
            return 0;
        }
        if (veil__xchg_start(c, (size_t)end) != 0) {
            return 0;
        }
        return 1;

    case VEIL__C_BODY:
        if (x == NULL) {
            return 0;
        }
        if (!x->half[0].hold && (!x->up_ready || x->u == NULL || x->u->out.queued > VEIL__HWM)) {
            return 0;
        }
        if (c->in_len == 0) {
            if (c->eof) {
                veil__xchg_error(x, 400, "client_closed_in_body");
            }
            return 0;
        }
        end = veil__xchg_request_body(x, c->in, c->in_len);
        if (end < 0) {
            return 0; /* the exchange ended with an error */
        }
        consume(c, (size_t)end);
        return c->state != VEIL__C_BODY || c->in_len > 0 ? 1 : 0;

    case VEIL__C_TUNNEL:
        if (x != NULL && c->in_len > 0 && x->u != NULL) {
            veil__xchg_tunnel_from_client(x);
        }
        return 0;

    default:
        return 0;
    }
}


void veil__client_process(veil__client_t *c)
{
    if (c->in_process) {
        c->process_again = 1;
        return;
    }
    c->in_process = 1;
    do {
        c->process_again = 0;
        while (!c->closing && c->state != VEIL__C_CLOSED && step(c)) {
        }
    } while (c->process_again && !c->closing);
    c->in_process = 0;
    if (!c->closing) {
        if (c->state == VEIL__C_HEAD && c->eof && c->in_len == 0 && c->x == NULL) {
            end_on_eof(c);
            return;
        }
        veil__client_update_reading(c);
        update_timer(c, 0);
    }
}


void veil__client_next(veil__client_t *c)
{
    release_input(c);
    memset(&c->scan, 0, sizeof(c->scan));
    c->head_start = 0;
    c->state = VEIL__C_HEAD;
    c->timer_kind = TK_NONE;
    veil__client_process(c);
}


static void client_written(void *owner, int status)
{
    veil__client_t *c = owner;

    if (c->closing) {
        return;
    }
    if (status < 0) {
        veil__client_close(c);
        return;
    }
    if (c->done_x != NULL) {
        /* A finished exchange waits for its bytes to leave. */
        veil__xchg_settle(c, 0);
        if (c->closing) {
            return;
        }
    }
    if (c->close_after_flush) {
        if (veil__outq_size(&c->out) == 0) {
            start_linger(c);
        } else {
            set_timer(c, TK_SEND, 1);
        }
        return;
    }
    update_timer(c, 1);
    if (c->out.queued <= VEIL__LWM && c->x != NULL) {
        veil__xchg_client_drained(c->x);
    }
}


int veil__client_accept(veil__worker_t *w, uv_stream_t *listener, unsigned k, veil__tls_srv_t *tls)
{
    veil__client_t *c = calloc(1, sizeof(*c));
    struct sockaddr_storage ss;
    int len = sizeof(ss);

    if (c == NULL) {
        return UV_ENOMEM;
    }
    c->w = w;
    uv_tcp_init(&w->loop, &c->tcp);
    uv_timer_init(&w->loop, &c->timer);
    c->tcp.data = c;
    c->timer.data = c;
    c->next = w->clients;
    if (w->clients != NULL) {
        w->clients->prev = c;
    }
    w->clients = c;
    w->nclients++;
    {
        unsigned now = atomic_fetch_add(w->conn_count, 1) + 1;

        if (now > atomic_load_explicit(w->conn_peak, memory_order_relaxed)) {
            atomic_store_explicit(w->conn_peak, now, memory_order_relaxed);
        }
    }
    veil__outq_init(&c->out, (uv_stream_t *)&c->tcp, w, client_written, c);
    c->out.notify_flush = 1;
    veil__transport_tcp_init(&c->tcp_tr, &c->out);
    c->tr = &c->tcp_tr;
    c->out.tr = c->tr;
    c->listener = k;
    uv_idle_init(&w->loop, &c->tls_idle);
    c->tls_idle.data = c;
    if (tls != NULL) {
        veil__transport_t *t = veil__tls_server_new(tls, &c->out, w->shard);

        if (t == NULL) {
            c->tr->failed = 1;
            veil__client_close(c);
            return 0;
        }
        c->tr = t;
        c->out.tr = t;
    }
    if (uv_accept(listener, (uv_stream_t *)&c->tcp) != 0) {
        veil__client_close(c);
        return 0;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    strcpy(c->addr, "unknown");
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) == 0) {
        if (ss.ss_family == AF_INET) {
            uv_ip4_name((struct sockaddr_in *)&ss, c->addr, sizeof(c->addr));
        } else if (ss.ss_family == AF_INET6) {
            uv_ip6_name((struct sockaddr_in6 *)&ss, c->addr, sizeof(c->addr));
        }
    }
    if (atomic_load(w->conn_count) > veil__srv(w)->max_connections) {
        if (!c->tr->hs_done) {
            /* Nothing can be said before a handshake: logged, closed. */
            veil__log_rejected(w, c, 503, "max_connections", 0, 0, 0);
            veil__client_close(c);
        } else {
            reject(c, 503, "max_connections");
        }
        return 0;
    }
    c->state = VEIL__C_HEAD;
    c->head_start = 0;
    set_timer(c, TK_HEADER, 1);
    veil__client_update_reading(c);
    return 0;
}
