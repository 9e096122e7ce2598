/*
 * One exchange: a request head accepted from the client, its body streamed
 * upstream (framing regenerated from llhttp's on_body), and the end of the
 * exchange (log record, upstream release, next pipelined request).
 * The response side is in response.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "proxy_int.h"

/* A client's X-Request-Id is kept when it is a plain short token. */
static int reqid_ok(veil_h1_span_t v)
{
    size_t i;

    if (v.len == 0 || v.len > 36) {
        return 0;
    }
    for (i = 0; i < v.len; i++) {
        char ch = v.ptr[i];

        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_' || ch == '.')) {
            return 0;
        }
    }
    return 1;
}


/* Whether the Upgrade list <v> offers h2c (any case, any version). */
static int names_h2c(veil_h1_span_t v)
{
    size_t i = 0;

    while (i < v.len) {
        size_t a, e;

        while (i < v.len && (v.ptr[i] == ' ' || v.ptr[i] == '\t' || v.ptr[i] == ',')) {
            i++;
        }
        a = i;
        while (i < v.len && v.ptr[i] != ',' && v.ptr[i] != '/' && v.ptr[i] != ' ' &&
               v.ptr[i] != '\t') {
            i++;
        }
        e = i;
        if (e - a == 3 && strncasecmp(v.ptr + a, "h2c", 3) == 0) {
            return 1;
        }
        while (i < v.len && v.ptr[i] != ',') {
            i++;
        }
    }
    return 0;
}


static int64_t wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}


static void refuse(veil__client_t *c, veil__xchg_t *x, int status, const char *reason)
{
    char buf[512];
    size_t n = veil__error_response(status, reason, buf, sizeof(buf));

    veil__outq_write(&c->out, buf, n);
    veil__log_rejected(c->w, c, status, reason, c->head_start, x->half[0].head_len, n);
    c->x = NULL;
    veil__xchg_free(x);
    c->in_len = 0;
    veil__client_close_after_flush(c);
}


/* Validates the head, starts the exchange, asks for an upstream. */
int veil__xchg_start(veil__client_t *c, size_t head_len)
{
    const veil_server_settings_t *sv;
    veil_h1_limits_t lim;
    veil_h1_verdict_t v = {0, NULL};
    veil__xchg_t *x;
    veil_h1_span_t rid;
    llhttp_errno_t err;

    x = calloc(1, sizeof(*x));
    if (x == NULL || (x->half[0].head = malloc(head_len)) == NULL) {
        free(x);
        veil__client_close(c);
        return -1;
    }
    /* The exchange's configuration, from its head to its end (a reload
       meanwhile does not change what it is served with). */
    x->conf = veil_config_acquire((veil_config_t *)veil__worker_conf(c->w));
    sv = veil_config_server(x->conf);
    lim.max_header_bytes = sv->max_header_bytes;
    lim.max_headers = sv->max_headers;
    c->x = x;
    x->c = c;
    x->out_mark = c->out.accepted;
    x->rscan.is_response = 1;
    x->t_start_ns = c->head_start ? c->head_start : uv_hrtime();
    x->t_wall_ms = wall_ms();
    memcpy(x->half[0].head, c->in, head_len);
    x->half[0].head_len = head_len;
    x->bytes_in = head_len;
    memmove(c->in, c->in + head_len, c->in_len - head_len);
    c->in_len -= head_len;

    if (veil_h1_parse_request(x->half[0].head, head_len, &lim, &x->half[0].h, &v) != 0) {
        refuse(c, x, v.status ? v.status : 400, v.reason ? v.reason : "bad_request");
        return -1;
    }
    if (x->half[0].h.target_form == VEIL_H1_TARGET_AUTHORITY) {
        refuse(c, x, 405, "connect_not_allowed");
        return -1;
    }
    if (x->half[0].h.expect_other) {
        refuse(c, x, 417, "expectation_failed");
        return -1;
    }
    x->half[0].body = veil_h1_request_body(&x->half[0].h);
    /* Its framing upstream is veil's own: chunks of its own for a chunked
       body (the client's sizes and extensions never copied). */
    x->half[0].chunked_out = x->half[0].body == VEIL_H1_BODY_CHUNKED;
    x->is_head = veil_h1_span_eq(x->half[0].h.method, "head");
    /* RFC 9110 7.8: an upgrade needs HTTP/1.1 and Connection naming it.
       h2c is never passed on: veil speaks HTTP/1.1 to the upstream and
       inspects what it carries; such a request is served as plain
       HTTP/1.1 (Upgrade and HTTP2-Settings are not forwarded). */
    x->upgrade = (x->half[0].h.connection & VEIL_H1_CONN_UPGRADE) &&
                 x->half[0].h.version_minor == 1 && x->half[0].h.upgrade.len > 0 &&
                 x->half[0].body == VEIL_H1_BODY_NONE && !names_h2c(x->half[0].h.upgrade);
    x->keepalive = x->half[0].h.keep_alive && !c->w->draining;

    /* llhttp parses the head veil has already validated: a second,
       independent opinion; any disagreement refuses the request. It reads
       an HTAB in the framing fields differently: it gets them as SP. */
    veil_h1_normalize_ows(x->half[0].head, head_len);
    veil__body_parser_init(x, VEIL_DIR_REQUEST);
    err = llhttp_execute(&x->half[0].p, x->half[0].head, head_len);
    if (err != HPE_OK && err != HPE_PAUSED && err != HPE_PAUSED_UPGRADE) {
        refuse(c, x, 400, "parser_rejected");
        return -1;
    }
    /* Refused before an upstream is involved: nothing is forwarded, and
       a client waiting for 100 Continue gets the 413 instead. */
    if (x->half[0].body == VEIL_H1_BODY_LENGTH && sv->max_body_size != 0 &&
        x->half[0].h.content_length > sv->max_body_size) {
        refuse(c, x, 413, "body_too_large");
        return -1;
    }

    rid = x->half[0].h.request_id;
    if (reqid_ok(rid)) {
        memcpy(x->reqid, rid.ptr, rid.len);
        x->reqid[rid.len] = '\0';
    } else {
        veil__request_id(c->w, x->reqid);
        x->reqid_generated = 1;
    }

    switch (x->half[0].body) {
    case VEIL_H1_BODY_LENGTH:
        x->half[0].left = x->half[0].h.content_length;
        break;
    case VEIL_H1_BODY_CHUNKED:
        memset(&x->half[0].chunk, 0, sizeof(x->half[0].chunk));
        break;
    default:
        break;
    }
    veil__xchg_policy(x);
    veil__upstream_pick(x);
    if (x->half[0].body != VEIL_H1_BODY_NONE) {
        veil__inspect_begin(&x->half[0].ins, x, 0, x->half[0].h.content_type,
                            x->half[0].h.content_encoding, &x->findings, VEIL__LOC_REQ_BODY);
    }
    if (x->half[0].body == VEIL_H1_BODY_NONE ||
        (x->half[0].body == VEIL_H1_BODY_LENGTH && x->half[0].left == 0)) {
        x->half[0].done = 1;
        veil__inspect_end(&x->half[0].ins, 1);
        c->state = VEIL__C_WAIT;
    } else {
        c->state = VEIL__C_BODY;
    }
    x->status = 0;
    /* Path, query and fields are read now: the policy may refuse them,
       and in modes redact and tokenize they go on rewritten. */
    const char *why = veil__head_inspect(x, VEIL_DIR_REQUEST);
    if (why != NULL) {
        veil__xchg_error(x, (int)x->policy->dir[VEIL_DIR_REQUEST].block_status, why);
        return -1;
    }
    if (x->half[0].hold && x->half[0].ins.state == VEIL__INS_SKIPPED &&
        x->policy->dir[0].uninspectable_block) {
        /* Known at the head (binary, an encoding veil cannot read). */
        veil__xchg_error(x, (int)x->policy->dir[0].block_status, "blocked_uninspectable");
        return -1;
    }
    if (x->half[0].hold && !x->half[0].done) {
        /* Block mode: the body is read before any upstream is involved;
           a client waiting for 100 Continue gets it from us. */
        if (x->half[0].h.expect_continue) {
            veil__outq_write(&c->out, "HTTP/1.1 100 Continue\r\n\r\n", 25);
            x->out_mark += 25; /* not part of the logged response */
        }
        return 0;
    }
    x->half[0].hold = 0;
    veil__upstream_acquire(x);
    return 0;
}


/* The whole request is queued upstream: wait for the response. */
static void request_sent(veil__xchg_t *x)
{
    if (x->u != NULL && x->rstate == VEIL__R_HEAD) {
        veil__upstream_timer(x->u);
    }
}


long veil__xchg_request_body(veil__xchg_t *x, const char *data, size_t len)
{
    veil__client_t *c = x->c;
    veil_h1_verdict_t v = {0, NULL};
    size_t n = len;
    int rc = VEIL_CHUNKED_AGAIN, last;
    llhttp_errno_t err;

    if (x->half[0].body == VEIL_H1_BODY_LENGTH) {
        if (n > x->half[0].left) {
            n = (size_t)x->half[0].left;
        }
    } else {
        rc = veil_chunked_feed(&x->half[0].chunk, data, len, &n, &v);
        if (rc == VEIL_CHUNKED_ERROR) {
            veil__xchg_error(x, 400, v.reason ? v.reason : "bad_chunked");
            return -1;
        }
    }
    err = llhttp_execute(&x->half[0].p, data, n);
    if (err == HPE_USER && x->req_over_max) {
        /* A chunked body crossed max_body_size: 413 while no response
           head has gone to the client (the upstream, which got part of
           the body but never its last chunk, is cut), else both
           connections are cut. */
        veil__xchg_error(x, 413, "body_too_large");
        return -1;
    }
    if (err == HPE_USER && x->half[0].hold) {
        /* Over the inspection limit: it cannot be judged, so it is
           refused (fail closed) whatever uninspectable says. */
        veil__xchg_error(x, 413, "blocked_uninspectable");
        return -1;
    }
    if (err != HPE_OK && err != HPE_PAUSED) {
        veil__xchg_error(x, 400, "parser_rejected_body");
        return -1;
    }
    x->bytes_in += n;
    if (x->half[0].body == VEIL_H1_BODY_LENGTH) {
        x->half[0].left -= n;
        last = x->half[0].left == 0;
    } else {
        last = rc == VEIL_CHUNKED_DONE;
    }
    if (last) {
        if (!x->half[0].msg_done) {
            veil__xchg_error(x, 400, "parser_disagrees");
            return -1;
        }
        veil__body_complete(x, VEIL_DIR_REQUEST);
        if (c->state == VEIL__C_BODY) {
            c->state = VEIL__C_WAIT;
        }
        if (x->half[0].hold) {
            const char *why = veil__xchg_verdict(x, VEIL_DIR_REQUEST, &x->half[0].rewritten);

            if (why != NULL) {
                veil__xchg_error(x, (int)x->policy->dir[0].block_status, why);
                return -1;
            }
            /* Judged (and rewritten in redact and tokenize modes): now
               the upstream gets head and body. */
            x->half[0].hold = 0;
            x->held_flush = 1;
            veil__upstream_acquire(x);
            return (long)n;
        }
        request_sent(x);
        veil__xchg_maybe_finish(x);
    }
    return (long)n;
}


void veil__xchg_upstream_ready(veil__xchg_t *x)
{
    veil__worker_t *w = x->c->w;
    veil_jbuf_t *b = &w->logbuf;

    veil_jbuf_reset(b);
    /* The upstream's settings: its authority is the Host of a request
       that came without one. */
    if (veil__head_request(x, &x->up->set, b) != 0) {
        veil_jbuf_reset(b);
        veil__xchg_error(x, 500, "request_head_too_large");
        return;
    }
    x->detok_head_counted = 1;
    if (x->t_up_start_ns == 0) {
        x->t_up_start_ns = uv_hrtime();
    }
    veil__outq_write(&x->u->out, b->data, b->len);
    veil_jbuf_reset(b);
    if (x->held_flush) {
        /* A held body judged clean (rewritten in redact and tokenize
           modes) goes right after its head. */
        x->held_flush = 0;
        veil__body_send_held(x, VEIL_DIR_REQUEST);
    }
    x->up_ready = 1;
    if (x->half[0].done) {
        request_sent(x);
    }
    veil__client_process(x->c);
}


void veil__xchg_upstream_failed(veil__xchg_t *x, int status, const char *reason)
{
    x->u = NULL;
    x->up_ready = 0;
    veil__xchg_error(x, status, reason);
}


void veil__xchg_free(veil__xchg_t *x)
{
    if (x == NULL) {
        return;
    }
    veil__inspect_dispose(&x->half[0].ins);
    veil__inspect_dispose(&x->half[1].ins);
    veil__headscan_free(x->half[0].hs);
    veil__headscan_free(x->half[1].hs);
    veil__ph_free(x->ph);
    veil__xchg_policy_release(x);
    veil__upstream_unref(x->up);
    if (x->half[0].head != NULL) {
        explicit_bzero(x->half[0].head, x->half[0].head_len);
        free(x->half[0].head);
    }
    if (x->half[1].head != NULL) {
        explicit_bzero(x->half[1].head, x->half[1].head_len);
        free(x->half[1].head);
    }
    free(x);
}


/* Whether every response byte of <x> has been written to the client. */
static int all_sent(const veil__xchg_t *x)
{
    return x->c->out.sent >= x->out_mark + x->bytes_out;
}


/* The record of <x>, with the bytes the client was actually sent. */
static void log_and_free(veil__xchg_t *x)
{
    veil__client_t *c = x->c;
    uint64_t sent = c->out.sent > x->out_mark ? c->out.sent - x->out_mark : 0;

    if (sent < x->bytes_out) {
        uint64_t body = sent > x->head_bytes_out ? sent - x->head_bytes_out : 0;

        if (x->error == NULL && !x->tunnel) {
            /* The connection failed with bytes of ours still queued. */
            x->error = c->w->stopping ? "shutdown" : "client_aborted";
        }
        x->bytes_out = sent;
        /* The body's count is what could have reached the client (chunk
           framing, when veil adds it, counted as body: an upper bound). */
        if (x->half[1].ins.raw_bytes > body) {
            x->half[1].ins.raw_bytes = body;
        }
    }
    veil__log_exchange(c->w, x);
    veil__xchg_free(x);
}


/*
 * end_exchange(): detaches <x> from its upstream (pooled when
 * <upstream_ok>, else closed) and from the client. Its record is written
 * now if its bytes have all left, or the connection is closing; else the
 * exchange waits in c->done_x (veil__xchg_settle). Returns 1 when it
 * waits.
 */
static int end_exchange(veil__xchg_t *x, int upstream_ok)
{
    veil__client_t *c = x->c;
    veil__upconn_t *u = x->u;

    if (x->half[0].body != VEIL_H1_BODY_NONE && !x->half[0].done) {
        veil__inspect_end(&x->half[0].ins, 0);
    }
    if (x->half[1].head != NULL && !x->tunnel && x->rstate != VEIL__R_DONE) {
        veil__inspect_end(&x->half[1].ins, 0);
    }
    x->u = NULL;
    c->x = NULL;
    if (u != NULL) {
        u->x = NULL;
        if (upstream_ok) {
            veil__upstream_release(u);
        } else if (x->tunnel) {
            veil__upstream_close_after_flush(u);
        } else {
            veil__upstream_close(u);
        }
    }
    if (c->closing || all_sent(x)) {
        log_and_free(x);
        return 0;
    }
    c->done_x = x;
    return 1;
}


/* What a connection does once an exchange is over and logged. */
static void go_on(veil__client_t *c, int next)
{
    if (!next || c->eof) {
        veil__client_close_after_flush(c);
        return;
    }
    veil__client_next(c);
}


int veil__xchg_settle(veil__client_t *c, int closing)
{
    veil__xchg_t *x = c->done_x;
    int next;

    if (x == NULL || (!closing && !all_sent(x))) {
        return 0;
    }
    c->done_x = NULL;
    next = x->then_next;
    log_and_free(x);
    if (!closing && !c->closing) {
        go_on(c, next);
    }
    return 1;
}


void veil__xchg_maybe_finish(veil__xchg_t *x)
{
    veil__client_t *c = x->c;
    int keep;

    if (x->rstate != VEIL__R_DONE || x->tunnel) {
        return;
    }
    if (!x->half[0].done && x->keepalive) {
        return; /* the response is out; the request body still comes */
    }
    if (x->u != NULL && (!x->half[0].done || x->u->out.error != 0)) {
        x->u->reusable = 0;
    }
    keep = x->keepalive && x->half[0].done && !c->w->draining;
    x->then_next = keep;
    c->served++;
    if (end_exchange(x, 1)) {
        return; /* veil__xchg_settle() goes on once the bytes are out */
    }
    go_on(c, keep);
}


void veil__xchg_error(veil__xchg_t *x, int status, const char *reason)
{
    veil__client_t *c = x->c;
    char buf[512];
    size_t n;

    if (x->error == NULL) {
        x->error = reason;
    }
    if (!x->rsp_head_sent && !x->tunnel) {
        n = veil__error_response(status, reason, buf, sizeof(buf));
        veil__outq_write(&c->out, buf, n);
        x->bytes_out += n;
        x->status = status;
    }
    x->keepalive = 0;
    end_exchange(x, 0);
    c->in_len = 0;
    veil__client_close_after_flush(c);
}


/* The client connection is going away under the exchange. */
void veil__xchg_abort(veil__xchg_t *x, const char *reason)
{
    if (x->error == NULL && !x->tunnel) {
        x->error = reason;
    }
    if (x->status == 0 && strcmp(reason, "shutdown") != 0) {
        x->status = 499; /* nginx's "client closed request" */
    }
    end_exchange(x, 0);
}


/* ---- upgraded connections: raw bytes both ways ---- */

void veil__xchg_tunnel_from_client(veil__xchg_t *x)
{
    veil__client_t *c = x->c;

    veil__outq_write(&x->u->out, c->in, c->in_len);
    x->bytes_in += c->in_len;
    c->in_len = 0;
}


void veil__xchg_tunnel_end(veil__xchg_t *x)
{
    veil__client_t *c = x->c;

    end_exchange(x, 0);
    veil__client_close_after_flush(c);
}
