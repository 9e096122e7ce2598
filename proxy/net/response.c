/*
 * The response path: the upstream's head is validated (veil_h1_*), parsed
 * by llhttp, rewritten for the client; interim 1xx heads are relayed; the
 * body is streamed to the client with framing veil generates, inspected on
 * the way; a 101 to an upgrade request turns the exchange into a tunnel.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy_int.h"

static void up_consume(veil__upconn_t *u, size_t n)
{
    if (n >= u->in_len) {
        u->in_len = 0;
        return;
    }
    memmove(u->in, u->in + n, u->in_len - n);
    u->in_len -= n;
}


/* RFC 9110 9.2.2: a request that may be sent twice. */
static int idempotent(const veil__xchg_t *x)
{
    static const char *const m[] = {"get", "head", "options", "trace", "put", "delete"};
    size_t i;

    for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
        if (veil_h1_span_eq(x->half[0].h.method, m[i])) {
            return 1;
        }
    }
    return 0;
}


/* The upstream misbehaved: 502 (or a cut) and the connection is dropped. */
static void bad_upstream(veil__xchg_t *x, const char *reason)
{
    if (x->u != NULL) {
        x->u->reusable = 0;
    }
    veil__xchg_error(x, 502, reason);
}


/* Sends the final head with the framing of a body of <len> bytes. */
static int send_head(veil__xchg_t *x)
{
    veil_jbuf_t *b = &x->c->w->logbuf;

    veil_jbuf_reset(b);
    if (veil__head_response(x, x->half[1].head, x->half[1].head_len, &x->half[1].h, 0, b) != 0) {
        veil_jbuf_reset(b);
        bad_upstream(x, "response_head_too_large");
        return -1;
    }
    veil__outq_write(&x->c->out, b->data, b->len);
    x->bytes_out += b->len;
    x->head_bytes_out += b->len;
    veil_jbuf_reset(b);
    x->rsp_head_sent = 1;
    return 0;
}


/* A held response body is complete: refused, or sent (rewritten in modes
   redact and tokenize) with a Content-Length of its own. -1 when the
   exchange is gone. */
static int release_held_response(veil__xchg_t *x)
{
    int rewritten = 0;
    const char *why = veil__xchg_verdict(x, VEIL_DIR_RESPONSE, &rewritten);

    x->half[1].hold = 0;
    if (why != NULL) {
        /* The upstream's response was read whole; the connection could
           be reused, but a refused exchange ends both sides (as for a
           refused request). */
        veil__xchg_error(x, (int)x->policy->dir[VEIL_DIR_RESPONSE].block_status, why);
        return -1;
    }
    if (veil__body_restore_held(x) != 0) {
        veil__xchg_error(x, 502, "no_memory");
        return -1;
    }
    x->half[1].body = VEIL_H1_BODY_LENGTH;
    x->half[1].h.has_content_length = 1;
    x->half[1].h.content_length = x->half[1].held.len;
    if (send_head(x) != 0) {
        return -1;
    }
    veil__body_send_held(x, VEIL_DIR_RESPONSE);
    return 0;
}


static void response_complete(veil__xchg_t *x)
{
    veil__upconn_t *u = x->u;

    x->rstate = VEIL__R_DONE;
    x->t_up_end_ns = uv_hrtime();
    if (x->half[1].body != VEIL_H1_BODY_NONE) {
        veil__body_complete(x, VEIL_DIR_RESPONSE);
    }
    if (x->half[1].hold && release_held_response(x) != 0) {
        return;
    }
    if (u != NULL) {
        /* Bytes after the end of a response: the upstream is not
           speaking HTTP the way we understood it. Never reuse. */
        if (u->in_len > 0 || x->half[1].body == VEIL_H1_BODY_UNTIL_CLOSE) {
            u->reusable = 0;
        }
        uv_timer_stop(&u->timer);
    }
    veil__xchg_maybe_finish(x);
}


/* Relays a 1xx head (not 101). HTTP/1.0 clients do not get them. */
static int interim(veil__xchg_t *x, const char *head, size_t len, const veil_h1_head_t *rs)
{
    veil_jbuf_t *b = &x->c->w->logbuf;

    if (x->half[0].h.version_minor == 0) {
        return 0;
    }
    veil_jbuf_reset(b);
    if (veil__head_response(x, head, len, rs, 1, b) != 0) {
        veil_jbuf_reset(b);
        return -1;
    }
    veil__outq_write(&x->c->out, b->data, b->len);
    x->bytes_out += b->len;
    x->head_bytes_out += b->len;
    veil_jbuf_reset(b);
    return 0;
}


/* Parses a complete response head at u->in[0..end). 0, or -1 on error
   (the exchange is then gone). */
static int response_head(veil__xchg_t *x, size_t end)
{
    const veil_server_settings_t *sv = veil_config_server(x->conf);
    veil_h1_limits_t lim = {sv->max_header_bytes, sv->max_headers};
    veil_h1_verdict_t v = {0, NULL};
    veil__upconn_t *u = x->u;
    veil_jbuf_t *b = &x->c->w->logbuf;
    veil_h1_head_t rs;
    llhttp_errno_t err;
    char *copy;

    if (veil_h1_parse_response(u->in, end, &lim, &rs, &v) != 0) {
        bad_upstream(x, v.reason ? v.reason : "bad_response_head");
        return -1;
    }
    if (rs.status_code < 200 && rs.status_code != 101) {
        if (interim(x, u->in, end, &rs) != 0) {
            bad_upstream(x, "interim_head_too_large");
            return -1;
        }
        up_consume(u, end);
        memset(&x->rscan, 0, sizeof(x->rscan));
        x->rscan.is_response = 1;
        return 0;
    }
    if (rs.status_code == 101 && !x->upgrade) {
        bad_upstream(x, "unexpected_upgrade");
        return -1;
    }

    /* A final head: keep a copy for the log and for the spans. */
    copy = malloc(end);
    if (copy == NULL) {
        bad_upstream(x, "no_memory");
        return -1;
    }
    memcpy(copy, u->in, end);
    x->half[1].head = copy;
    x->half[1].head_len = end;
    /* The head parsed above, its spans moved onto the copy. */
    x->half[1].h = rs;
    veil_h1_head_rebase(&x->half[1].h, u->in, copy);
    up_consume(u, end);
    x->status = x->half[1].h.status_code;
    /* Its fields are read before anything of it reaches the client. */
    const char *why = veil__head_inspect(x, VEIL_DIR_RESPONSE);
    if (why != NULL) {
        /* The upstream answered; its answer is refused (mode block). */
        u->reusable = 0;
        veil__xchg_error(x, (int)x->policy->dir[VEIL_DIR_RESPONSE].block_status, why);
        return -1;
    }

    if (x->half[1].h.status_code == 101) {
        veil_jbuf_reset(b);
        if (veil__head_response(x, copy, end, &x->half[1].h, 1, b) != 0) {
            veil_jbuf_reset(b);
            bad_upstream(x, "response_head_too_large");
            return -1;
        }
        veil__outq_write(&x->c->out, b->data, b->len);
        x->bytes_out += b->len;
        x->head_bytes_out += b->len;
        veil_jbuf_reset(b);
        x->rsp_head_sent = 1;
        x->tunnel = 1;
        x->half[1].body = VEIL_H1_BODY_TUNNEL;
        x->rstate = VEIL__R_BODY;
        x->t_up_end_ns = uv_hrtime();
        u->reusable = 0;
        uv_timer_stop(&u->timer);
        x->c->state = VEIL__C_TUNNEL;
        /* Bytes the client sent after its head belong to the tunnel. */
        veil__client_process(x->c);
        return x->u != NULL ? 0 : -1;
    }

    x->half[1].body = veil_h1_response_body(&x->half[1].h, x->is_head, 0);
    if (x->half[1].body == VEIL_H1_BODY_TUNNEL) {
        bad_upstream(x, "unexpected_tunnel");
        return -1;
    }
    if (!x->half[0].done || x->c->w->draining) {
        x->keepalive = 0;
    }
    if (!x->half[1].h.keep_alive) {
        u->reusable = 0;
    }
    veil_h1_normalize_ows(copy, end); /* as for requests (exchange.c) */
    veil__body_parser_init(x, VEIL_DIR_RESPONSE);
    err = llhttp_execute(&x->half[1].p, copy, end);
    if (err != HPE_OK && err != HPE_PAUSED) {
        bad_upstream(x, "parser_rejected_response");
        return -1;
    }

    veil__body_restore_begin(x, x->half[1].h.content_encoding);
    /* Modes block, redact and tokenize: the head waits for the body's
       verdict (its length may change). */
    x->half[1].hold =
        x->half[1].body != VEIL_H1_BODY_NONE && veil__xchg_holds(x, VEIL_DIR_RESPONSE);
    if (!x->half[1].hold && send_head(x) != 0) {
        return -1;
    }
    x->rstate = VEIL__R_BODY;

    if (x->half[1].body == VEIL_H1_BODY_NONE) {
        response_complete(x);
        return -1; /* the exchange may be gone: stop here */
    }
    veil__inspect_begin(&x->half[1].ins, x, 1, x->half[1].h.content_type,
                        x->half[1].h.content_encoding, &x->findings, VEIL__LOC_RSP_BODY);
    if (x->half[1].hold && x->half[1].ins.state == VEIL__INS_SKIPPED) {
        /* Known from the head (binary, an encoding veil cannot read). */
        if (x->policy->dir[VEIL_DIR_RESPONSE].uninspectable_block) {
            veil__xchg_error(x, (int)x->policy->dir[VEIL_DIR_RESPONSE].block_status,
                             "blocked_uninspectable");
            return -1;
        }
        x->half[1].hold = 0;
        if (send_head(x) != 0) {
            return -1;
        }
    }
    if (x->half[1].body == VEIL_H1_BODY_LENGTH) {
        x->half[1].left = x->half[1].h.content_length;
        if (x->half[1].left == 0) {
            response_complete(x);
            return -1;
        }
    } else if (x->half[1].body == VEIL_H1_BODY_CHUNKED) {
        memset(&x->half[1].chunk, 0, sizeof(x->half[1].chunk));
        x->half[1].chunk.is_response = 1;
    }
    /* From here the upstream timer measures idle gaps in the body. */
    veil__upstream_timer(u);
    return 0;
}


/* Feeds buffered body bytes. 0 to go on, -1 when the exchange ended. */
static int response_body(veil__xchg_t *x, int eof)
{
    veil__upconn_t *u = x->u;
    veil_h1_verdict_t v = {0, NULL};
    size_t n = u->in_len;
    int rc = VEIL_CHUNKED_AGAIN, last = 0;
    llhttp_errno_t err;

    if (n == 0) {
        if (!eof) {
            return 0;
        }
        if (x->half[1].body == VEIL_H1_BODY_UNTIL_CLOSE) {
            if (u->tr->truncated) {
                /* Over TLS only a close_notify ends such a body. */
                bad_upstream(x, "upstream_truncated");
                return -1;
            }
            err = llhttp_finish(&x->half[1].p);
            if (err != HPE_OK && err != HPE_PAUSED) {
                bad_upstream(x, "parser_rejected_response");
                return -1;
            }
            response_complete(x);
            return -1;
        }
        bad_upstream(x, "upstream_truncated");
        return -1;
    }
    if (x->half[1].body == VEIL_H1_BODY_LENGTH) {
        if (n > x->half[1].left) {
            n = (size_t)x->half[1].left;
        }
    } else if (x->half[1].body == VEIL_H1_BODY_CHUNKED) {
        rc = veil_chunked_feed(&x->half[1].chunk, u->in, u->in_len, &n, &v);
        if (rc == VEIL_CHUNKED_ERROR) {
            bad_upstream(x, v.reason ? v.reason : "bad_chunked_response");
            return -1;
        }
    }
    err = llhttp_execute(&x->half[1].p, u->in, n);
    if (err == HPE_USER && x->half[1].over_limit) {
        /* A held body over the inspection limit cannot be judged: it is
           refused (fail closed) whatever uninspectable says. */
        if (x->u != NULL) {
            x->u->reusable = 0;
        }
        veil__xchg_error(x, 502, "blocked_uninspectable");
        return -1;
    }
    if (err != HPE_OK && err != HPE_PAUSED) {
        bad_upstream(x, "parser_rejected_response");
        return -1;
    }
    up_consume(u, n);
    if (x->half[1].body == VEIL_H1_BODY_LENGTH) {
        x->half[1].left -= n;
        last = x->half[1].left == 0;
    } else if (x->half[1].body == VEIL_H1_BODY_CHUNKED) {
        last = rc == VEIL_CHUNKED_DONE;
    }
    if (last) {
        if (!x->half[1].msg_done) {
            bad_upstream(x, "parser_disagrees");
            return -1;
        }
        response_complete(x);
        return -1;
    }
    if (eof && u->in_len == 0) {
        return response_body(x, eof);
    }
    return 0;
}


void veil__xchg_upstream_data(veil__xchg_t *x, int eof)
{
    const veil_server_settings_t *sv = veil_config_server(x->conf);
    veil_h1_limits_t lim = {sv->max_header_bytes, sv->max_headers};
    veil_h1_verdict_t v = {0, NULL};
    veil__upconn_t *u;
    long end;

    if (x->u != NULL && eof) {
        x->u->eof = 1;
    }
    for (;;) {
        u = x->u;
        if (u == NULL) {
            return;
        }
        if (x->c->out.error != 0) {
            /* The client is gone (a write to it failed): nothing more is
               read from the upstream for it, and that connection is not
               reused with a response half read. */
            veil__client_close(x->c);
            return;
        }
        eof = u->eof;
        if (x->tunnel) {
            if (u->in_len > 0) {
                veil__outq_write(&x->c->out, u->in, u->in_len);
                x->bytes_out += u->in_len;
                u->in_len = 0;
            }
            if (eof) {
                veil__xchg_tunnel_end(x);
            } else {
                veil__upstream_update_reading(u);
            }
            return;
        }
        if (x->rstate == VEIL__R_HEAD) {
            if (u->in_len == 0) {
                if (eof) {
                    if (u->reused && x->half[0].body == VEIL_H1_BODY_NONE && x->bytes_out == 0 &&
                        idempotent(x)) {
                        /* A pooled connection the upstream had closed:
                           the request was never processed; try again
                           on a fresh connection. */
                        veil__upconn_t *old = u;

                        x->u = NULL;
                        x->up_ready = 0;
                        old->x = NULL;
                        veil__upstream_close(old);
                        veil__upstream_acquire(x);
                        return;
                    }
                    bad_upstream(x, "upstream_unavailable");
                }
                return;
            }
            end = veil_h1_head_scan(&x->rscan, u->in, u->in_len, &lim, &v);
            if (end < 0) {
                bad_upstream(x, v.reason ? v.reason : "bad_response_head");
                return;
            }
            if (end == 0) {
                if (eof) {
                    bad_upstream(x, "upstream_truncated_head");
                } else if (u->in_len >= VEIL__IO_BUF) {
                    bad_upstream(x, "response_head_too_large");
                }
                return;
            }
            if (response_head(x, (size_t)end) != 0) {
                return;
            }
            continue;
        }
        if (x->rstate == VEIL__R_BODY) {
            if (x->c->out.queued > VEIL__HWM) {
                veil__upstream_update_reading(u);
                return;
            }
            if (response_body(x, eof) != 0) {
                return;
            }
            veil__upstream_update_reading(u);
            return;
        }
        return;
    }
}


void veil__xchg_upstream_timeout(veil__xchg_t *x)
{
    if (x->rstate == VEIL__R_HEAD) {
        if (x->u != NULL) {
            x->u->reusable = 0;
        }
        veil__xchg_error(x, 504, "upstream_timeout");
    } else if (x->tunnel) {
        veil__xchg_tunnel_end(x);
    } else {
        veil__xchg_error(x, 504, "upstream_body_timeout");
    }
}


void veil__xchg_client_drained(veil__xchg_t *x)
{
    veil__upconn_t *u = x->u;

    if (u == NULL) {
        return;
    }
    if (u->in_len > 0 && x->rstate == VEIL__R_BODY) {
        veil__xchg_upstream_data(x, u->eof);
        return;
    }
    veil__upstream_update_reading(u);
}
