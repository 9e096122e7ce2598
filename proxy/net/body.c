/*
 * The body stage, one for both directions of an exchange: llhttp parses a
 * half's body again (its framing already read and checked by veil); each
 * piece is held for the policy's verdict, or forwarded with the framing
 * veil writes itself (one chunk per piece, never the peer's chunk sizes
 * or extensions), and fed to the inspection either way. The request
 * goes to the upstream's queue, the response to the client's.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "proxy_int.h"
#include "veil/tokens.h"


static int half_of(const veil__xchg_t *x, const llhttp_t *p)
{
    return p == &x->half[VEIL_DIR_REQUEST].p ? VEIL_DIR_REQUEST : VEIL_DIR_RESPONSE;
}


/* Where a direction's bytes go. */
static veil__outq_t *sink(veil__xchg_t *x, int dir)
{
    return dir == VEIL_DIR_REQUEST ? &x->u->out : &x->c->out;
}


static void forward_framed(veil__xchg_t *x, int dir, const char *at, size_t len);


static int collect(void *ud, const char *data, size_t len)
{
    return veil__held_add(ud, data, len, SIZE_MAX);
}


/* <len> body bytes of <dir> go on; a response whose placeholders are
   restored goes through the restorer first (what it holds back of a
   placeholder cut by the piece's end waits for the next piece). */
static void forward(veil__xchg_t *x, int dir, const char *at, size_t len)
{
    veil__held_t out = {NULL, 0, 0};

    if (dir != VEIL_DIR_RESPONSE || !x->restoring) {
        forward_framed(x, dir, at, len);
        return;
    }
    if (veil__ph_restore(&x->restore, at, len, collect, &out) != 0) {
        /* No memory for the restored copy: the bytes as they came (no PII
           in them: the upstream never had the values). */
        veil__held_free(&out);
        forward_framed(x, dir, at, len);
        return;
    }
    if (out.len > 0) {
        forward_framed(x, dir, out.data, out.len);
    }
    veil__held_free(&out);
}


/* The end of a restored response: what the restorer held back. */
static void forward_restore_end(veil__xchg_t *x)
{
    veil__held_t out = {NULL, 0, 0};

    if (veil__ph_restore_finish(&x->restore, collect, &out) == 0 && out.len > 0) {
        forward_framed(x, VEIL_DIR_RESPONSE, out.data, out.len);
    }
    veil__held_free(&out);
}


/* <len> body bytes of <dir> go on, framed by veil (a chunk of their own
   when the half is sent chunked). Response bytes count as sent. */
static void forward_framed(veil__xchg_t *x, int dir, const char *at, size_t len)
{
    veil__half_t *h = &x->half[dir];
    veil__outq_t *q = sink(x, dir);
    size_t out = len;

    if (h->chunked_out) {
        char hdr[24];
        int n = snprintf(hdr, sizeof(hdr), "%zx\r\n", len);
        uv_buf_t b[3] = {uv_buf_init(hdr, (unsigned)n), uv_buf_init((char *)at, (unsigned)len),
                         uv_buf_init("\r\n", 2)};

        veil__outq_writev(q, b, 3);
        out += (size_t)n + 2;
    } else {
        veil__outq_write(q, at, len);
    }
    if (dir == VEIL_DIR_RESPONSE) {
        x->bytes_out += out;
    }
}


static int on_headers_complete(llhttp_t *p)
{
    veil__xchg_t *x = p->data;

    /* 1: no body for llhttp to expect (veil decided the framing). */
    return x->half[half_of(x, p)].body == VEIL_H1_BODY_NONE ? 1 : 0;
}


static int on_body(llhttp_t *p, const char *at, size_t len)
{
    veil__xchg_t *x = p->data;
    int dir = half_of(x, p);
    veil__half_t *h = &x->half[dir];
    const veil_server_settings_t *sv = veil_config_server(x->conf);

    if (dir == VEIL_DIR_REQUEST && sv->max_body_size != 0) {
        /* A chunked body announces no size: it is refused when it crosses
           the limit, before the crossing bytes go anywhere. */
        uint64_t max = sv->max_body_size;

        if (x->req_body_seen > max || len > max - x->req_body_seen) {
            x->req_over_max = 1;
            return HPE_USER;
        }
    }
    if (dir == VEIL_DIR_REQUEST) {
        x->req_body_seen += len;
    }
    if (h->hold) {
        /* Held: nothing leaves before the whole body is judged. */
        if (veil__held_add(&h->held, at, len, sv->inspect_limit) != 0) {
            h->over_limit = 1;
            return HPE_USER;
        }
        veil__inspect_feed(&h->ins, at, len);
        return 0;
    }
    if (dir == VEIL_DIR_REQUEST && x->u == NULL) {
        return HPE_USER;
    }
    forward(x, dir, at, len);
    veil__inspect_feed(&h->ins, at, len);
    return 0;
}


static int on_message_complete(llhttp_t *p)
{
    veil__xchg_t *x = p->data;

    x->half[half_of(x, p)].msg_done = 1;
    return HPE_PAUSED;
}


static const llhttp_settings_t settings = {
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};


void veil__body_parser_init(veil__xchg_t *x, int dir)
{
    llhttp_init(&x->half[dir].p, dir == VEIL_DIR_REQUEST ? HTTP_REQUEST : HTTP_RESPONSE, &settings);
    x->half[dir].p.data = x;
}


void veil__body_complete(veil__xchg_t *x, int dir)
{
    veil__half_t *h = &x->half[dir];

    if (dir == VEIL_DIR_RESPONSE && x->restoring && !h->hold) {
        forward_restore_end(x);
    }
    if (h->chunked_out && !h->hold) {
        veil__outq_write(sink(x, dir), "0\r\n\r\n", 5);
        if (dir == VEIL_DIR_RESPONSE) {
            x->bytes_out += 5;
        }
    }
    h->done = 1;
    veil__inspect_end(&h->ins, 1);
}


void veil__body_send_held(veil__xchg_t *x, int dir)
{
    veil__half_t *h = &x->half[dir];

    if (h->held.len > 0) {
        forward(x, dir, h->held.data, h->held.len);
    }
    if (h->chunked_out) {
        veil__outq_write(sink(x, dir), "0\r\n\r\n", 5);
        if (dir == VEIL_DIR_RESPONSE) {
            x->bytes_out += 5;
        }
    }
    if (dir == VEIL_DIR_RESPONSE) {
        veil__held_free(&h->held); /* a request's stays: its length is in its head */
    }
}


void veil__body_restore_begin(veil__xchg_t *x, veil_h1_span_t content_encoding)
{
    veil_h1_span_t ce = content_encoding;

    /* A compressed body hides its placeholders: it goes as it came (veil
       asked for identity; an upstream may answer otherwise). */
    x->restoring = veil__ph_count(x->ph) > 0 && x->half[1].body != VEIL_H1_BODY_NONE &&
                   x->half[1].body != VEIL_H1_BODY_TUNNEL &&
                   (ce.len == 0 || veil_h1_span_eq(ce, "identity"));
    if (x->restoring) {
        veil__ph_restorer_init(&x->restore, x->ph);
    }
}


int veil__body_restore_held(veil__xchg_t *x)
{
    veil__held_t *h = &x->half[VEIL_DIR_RESPONSE].held, out = {NULL, 0, 0};

    if (!x->restoring) {
        return 0;
    }
    x->restoring = 0; /* restored whole here: not again on its way out */
    if ((h->len > 0 && veil__ph_restore(&x->restore, h->data, h->len, collect, &out) != 0) ||
        veil__ph_restore_finish(&x->restore, collect, &out) != 0) {
        veil__held_free(&out);
        return -1;
    }
    veil__held_free(h);
    *h = out;
    return 0;
}


/* ---- detokenize routes: a held body with its tokens turned back ---- */

static int stream_write(void *ud, const char *data, size_t len)
{
    return veil_token_stream_feed(ud, data, len) == 0 ? 0 : -1;
}


/* Whether the held body of <in> was inspected whole as text veil reads as
   it is (no content coding, no transcoding), so its tokens can be found;
   a body veil does not inspect (binary, encoded, inspection off) goes as
   it came. */
static int detok_readable(const veil__inspect_t *in)
{
    return in->state == VEIL__INS_DONE && in->skip == NULL && in->zmode == 0 &&
           !veil_charset_transcodes(&in->cs);
}


/*
 * The pipeline of veil detokenize, on the held body: the redactor over
 * the policy's engine with the token op DETOKENIZE (format-preserving
 * tokens at their places: cards and IBANs in their fields, e-mail
 * addresses anywhere), writing into the tagged-token stream (tokens found
 * by their grammar), writing into the new body. Only the route's types
 * are opened; every other byte, and every token that cannot be opened,
 * goes as it came.
 */
int veil__body_detokenize_held(veil__xchg_t *x, int dir, int *rewritten)
{
    veil__half_t *h = &x->half[dir];
    const veil_policy_dir_t *pd = &x->policy->dir[dir];
    veil__held_t out = {NULL, 0, 0};
    veil_redactor_options_t ro;
    veil_redactor_t *r = NULL;
    veil_token_stream_t *ts;
    veil_tokens_t t;
    int rc = 0;

    if (!detok_readable(&h->ins) || h->held.len == 0) {
        return 0;
    }
    veil__xchg_detok_tokens(x, dir, &t);
    ts = veil_token_stream_new(&t, VEIL_TOKEN_OP_DETOKENIZE, veil__xchg_token_stats(x), collect,
                               &out);
    if (ts == NULL) {
        return -1;
    }
    if (pd->engine != NULL && x->c->w->inspect) {
        memset(&ro, 0, sizeof(ro));
        ro.type = &h->ins.type;
        ro.keep_skipped = 1; /* a file in a multipart body goes as it came */
        ro.action = VEIL_ACT_TOKENIZE;
        ro.tokens = &t;
        ro.token_stats = veil__xchg_token_stats(x);
        ro.token_op = VEIL_TOKEN_OP_DETOKENIZE;
        ro.write = stream_write;
        ro.write_ud = ts;
        r = veil_redactor_new(pd->engine, &ro);
        if (r == NULL) {
            veil_token_stream_free(ts);
            return -1;
        }
        rc = veil_redactor_feed(r, h->held.data, h->held.len);
        if (rc == 0) {
            rc = veil_redactor_finish(r);
        }
        veil_redactor_free(r);
    } else {
        rc = veil_token_stream_feed(ts, h->held.data, h->held.len);
    }
    if (rc == 0) {
        rc = veil_token_stream_finish(ts);
    }
    veil_token_stream_free(ts);
    veil__xchg_tokens_counted(x, &t);
    if (rc != 0) {
        veil__held_free(&out);
        return -1;
    }
    veil__held_free(&h->held);
    h->held = out;
    *rewritten = 1;
    return 0;
}
