/*
 * Heads that veil writes: the request head sent upstream and the response
 * heads sent to the client. Field lines are copied from the validated head
 * except the hop-by-hop ones; framing (Content-Length, Transfer-Encoding,
 * Connection) is regenerated from what veil itself will send, never
 * copied; forwarding fields (X-Forwarded-For, X-Forwarded-Proto, Via) are
 * appended.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proxy_int.h"
#include "veil/credentials.h"

static int span_ieq(veil_h1_span_t s, const char *lc)
{
    return veil_h1_span_eq(s, lc);
}


int veil__hop_by_hop(const char *head, size_t len, veil_h1_span_t name)
{
    static const char *const fixed[] = {
        "connection", "keep-alive",        "proxy-connection", "te",
        "trailer",    "transfer-encoding", "upgrade",          "content-length",
    };
    size_t i;

    for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        if (span_ieq(name, fixed[i])) {
            return 1;
        }
    }
    return 0;
}


/* Credential headers are masked whole in the log: judged by the words of
   their name, the same judge as JSON and form keys (veil/credentials.h). */
int veil__sensitive_header(veil_h1_span_t name)
{
    if (name.len > 128) {
        return 1; /* unusually long names are masked, fail closed */
    }
    return veil_name_is_credential(name.ptr, name.len);
}


static int put(veil_jbuf_t *b, const char *s, size_t len)
{
    return len > 0 ? veil_jbuf_raw(b, s, len) : 0;
}


static int puts_(veil_jbuf_t *b, const char *s)
{
    return veil_jbuf_raw(b, s, strlen(s));
}


/* <prefix>, <v> in decimal, <suffix>: the head's numbers without an
   snprintf() each (two to three an exchange, a tenth of its head's
   cost). */
static int put_num(veil_jbuf_t *b, const char *prefix, uint64_t v, const char *suffix)
{
    return puts_(b, prefix) | veil_jbuf_u64(b, v) | puts_(b, suffix);
}


/* A part of the head of direction <dir> that may carry tokens: turned
   back when <x>'s route detokenizes that direction (tokens_transit.c),
   else as it is. <target>: a part of the request target (restored bytes
   are percent-encoded); <fmt>: how its values are read (a query string
   is a form). */
static int put_detok(const veil__xchg_t *x, int dir, veil_jbuf_t *b, const char *s, size_t len,
                     int target, veil_format_t fmt)
{
    if (!veil__xchg_detokenizes(x, dir)) {
        return put(b, s, len);
    }
    /* A request head built again for a retry counts nothing again. */
    return veil__detok_put(x, dir, b, s, len, target,
                           dir == VEIL_DIR_RESPONSE || !x->detok_head_counted, fmt);
}


/* A request target in origin form (<t>): its path as text, its query as
   a form, so that a token's place in the query is its field. */
static int put_detok_target(const veil__xchg_t *x, veil_jbuf_t *b, veil_h1_span_t t)
{
    const char *q = t.len > 0 ? memchr(t.ptr, '?', t.len) : NULL;
    size_t plen = q != NULL ? (size_t)(q - t.ptr) : t.len;
    int rc = put_detok(x, VEIL_DIR_REQUEST, b, t.ptr, plen, 1, VEIL_FMT_TEXT);

    if (q != NULL) {
        rc |= puts_(b, "?");
        rc |= put_detok(x, VEIL_DIR_REQUEST, b, q + 1, t.len - plen - 1, 1, VEIL_FMT_FORM);
    }
    return rc;
}


/* A field the connection named: only looked up when Connection listed
   names other than close/keep-alive/upgrade. */
static int listed(const char *head, size_t len, unsigned connection, veil_h1_span_t name)
{
    return (connection & VEIL_H1_CONN_OTHER) && veil_h1_connection_lists(head, len, name);
}


int veil__head_request(const veil__xchg_t *x, const veil__upsettings_t *us, veil_jbuf_t *b)
{
    const veil_h1_head_t *rq = &x->half[0].h;
    const char *head = x->half[0].head;
    size_t len = x->half[0].head_len, pos = 0;
    veil_h1_span_t name, value;
    int rc = 0;
    int pass_underscores = veil_config_server(x->conf)->pass_underscore_headers;
    int rewrites_response =
        (x->policy != NULL && x->c->w->inspect &&
         (x->policy->dir[VEIL_DIR_RESPONSE].mode == VEIL_MODE_REDACT ||
          x->policy->dir[VEIL_DIR_RESPONSE].mode == VEIL_MODE_TOKENIZE ||
          veil__ph_count(x->ph) > 0)) ||              /* placeholders are restored in it */
        veil__xchg_detokenizes(x, VEIL_DIR_RESPONSE); /* tokens turned back in it */

    const veil__headscan_t *hs = x->half[0].hs;
    size_t k = 0;

    rc |= put(b, rq->method.ptr, rq->method.len);
    rc |= puts_(b, " ");
    if (hs != NULL && hs->rewrite && (hs->fwd_path_changed || hs->fwd_query_changed)) {
        /* Modes redact and tokenize: findings in the path or the query
           go on transformed (head_inspect.c). */
        veil_h1_span_t p = hs->fwd_path_changed ? hs->fwd_path : hs->path;

        if (p.len == 0 || p.ptr[0] != '/') {
            rc |= puts_(b, "/");
        }
        rc |= put_detok(x, VEIL_DIR_REQUEST, b, p.ptr, p.len, 1, VEIL_FMT_TEXT);
        if (hs->has_query) {
            rc |= puts_(b, "?");
            p = hs->fwd_query_changed ? hs->fwd_query : hs->query;
            rc |= put_detok(x, VEIL_DIR_REQUEST, b, p.ptr, p.len, 1, VEIL_FMT_FORM);
        }
    } else if (rq->target_form == VEIL_H1_TARGET_ABSOLUTE) {
        /* A reverse proxy sends origin-form; the authority becomes Host. */
        if (rq->path.len == 0 || rq->path.ptr[0] != '/') {
            rc |= puts_(b, "/");
        }
        rc |= put_detok_target(x, b, rq->path);
    } else {
        rc |= put_detok_target(x, b, rq->target);
    }
    rc |= puts_(b, " HTTP/1.1\r\n");
    if (rq->target_form == VEIL_H1_TARGET_ABSOLUTE) {
        rc |= puts_(b, "Host: ");
        rc |= put(b, rq->authority.ptr, rq->authority.len);
        rc |= puts_(b, "\r\n");
    } else if (rq->host.ptr == NULL) {
        rc |= puts_(b, "Host: ");
        rc |= puts_(b, us->authority);
        rc |= puts_(b, "\r\n");
    }
    while (veil_h1_next_header(head, len, &pos, &name, &value)) {
        /* The field as inspected, when it goes on rewritten. */
        const veil__hfield_t *f = hs != NULL && hs->rewrite && k < hs->n ? &hs->f[k] : NULL;

        k++;
        if (f != NULL && f->fwd_state == VEIL__FWD_DROP) {
            continue;
        }
        if (f != NULL && f->fwd_state == VEIL__FWD_NEW) {
            value.ptr = hs->fwd.data + f->fwd_off;
            value.len = f->fwd_len;
        }
        if (veil__hop_by_hop(head, len, name) || listed(head, len, rq->connection, name) ||
            span_ieq(name, "x-forwarded-proto")) {
            continue;
        }
        if (rq->target_form == VEIL_H1_TARGET_ABSOLUTE && span_ieq(name, "host")) {
            continue;
        }
        if (x->reqid_generated && span_ieq(name, "x-request-id")) {
            continue;
        }
        if (span_ieq(name, "x-forwarded-for")) {
            continue; /* joined below */
        }
        if (rewrites_response && span_ieq(name, "accept-encoding")) {
            continue; /* identity asked for below */
        }
        if (span_ieq(name, "http2-settings")) {
            continue; /* only meaningful to an h2c upgrade, never forwarded */
        }
        if (!pass_underscores && memchr(name.ptr, '_', name.len) != NULL) {
            /* Some servers (CGI-style environments) read X_Auth_User as
               X-Auth-User: a client could pose as a header the upstream
               trusts. Dropped, never rewritten (nginx's default too). */
            continue;
        }
        if (x->held_flush && span_ieq(name, "expect")) {
            /* The body was held and is sent whole right after this head;
               veil itself answered the client's 100-continue. */
            continue;
        }
        rc |= put(b, name.ptr, name.len);
        rc |= puts_(b, ": ");
        rc |= put_detok(x, VEIL_DIR_REQUEST, b, value.ptr, value.len, 0, VEIL_FMT_TEXT);
        rc |= puts_(b, "\r\n");
    }
    /* X-Forwarded-For: earlier values in order, then this client. */
    rc |= puts_(b, "X-Forwarded-For: ");
    pos = 0;
    k = 0;
    while (veil_h1_next_header(head, len, &pos, &name, &value)) {
        const veil__hfield_t *f = hs != NULL && hs->rewrite && k < hs->n ? &hs->f[k] : NULL;

        k++;
        if (f != NULL && f->fwd_state == VEIL__FWD_DROP) {
            continue; /* a rule drops it */
        }
        if (f != NULL && f->fwd_state == VEIL__FWD_NEW) {
            value.ptr = hs->fwd.data + f->fwd_off;
            value.len = f->fwd_len;
        }
        /* A value Connection names is hop-by-hop: dropped like the rest,
           while veil's own address is still added. */
        if (span_ieq(name, "x-forwarded-for") && value.len > 0 &&
            !listed(head, len, rq->connection, name)) {
            rc |= put(b, value.ptr, value.len);
            rc |= puts_(b, ", ");
        }
    }
    rc |= puts_(b, x->c->addr);
    rc |= puts_(b, x->c->tr->type->secure ? "\r\nX-Forwarded-Proto: https\r\n"
                                          : "\r\nX-Forwarded-Proto: http\r\n");
    rc |= puts_(b, rq->version_minor == 0 ? "Via: 1.0 veil\r\n" : "Via: 1.1 veil\r\n");
    if (rewrites_response) {
        /* veil rewrites the response body, and cannot rewrite a
           compressed one (it would refuse it): ask for it uncompressed,
           as proxies that rewrite bodies do. */
        rc |= puts_(b, "Accept-Encoding: identity\r\n");
    }
    if (x->reqid_generated) {
        rc |= puts_(b, "X-Request-Id: ");
        rc |= puts_(b, x->reqid);
        rc |= puts_(b, "\r\n");
    }
    if (x->half[0].body == VEIL_H1_BODY_CHUNKED) {
        rc |= puts_(b, "Transfer-Encoding: chunked\r\n");
    } else if (rq->has_content_length) {
        /* A body rewritten in transit has its own length. */
        rc |= put_num(b, "Content-Length: ",
                      x->half[0].rewritten ? (uint64_t)x->half[0].held.len : rq->content_length,
                      "\r\n");
    }
    if (x->upgrade) {
        rc |= puts_(b, "Upgrade: ");
        rc |= put(b, rq->upgrade.ptr, rq->upgrade.len);
        rc |= puts_(b, "\r\nConnection: upgrade\r\n");
    }
    rc |= puts_(b, "\r\n");
    return rc ? -1 : 0;
}


int veil__head_response(veil__xchg_t *x, const char *head, size_t len, const veil_h1_head_t *rs,
                        int interim, veil_jbuf_t *b)
{
    veil_h1_span_t name, value;
    size_t pos = 0;
    int rc = 0, tunnel = rs->status_code == 101;

    rc |= put_num(b, "HTTP/1.1 ", (uint64_t)rs->status_code, " ");
    if (rs->reason_phrase.len > 0) {
        rc |= put(b, rs->reason_phrase.ptr, rs->reason_phrase.len);
    } else {
        rc |= puts_(b, veil_h1_status_text(rs->status_code));
    }
    rc |= puts_(b, "\r\n");
    /* A final head as inspected, when it goes on rewritten (an interim
       head is relayed as it came). */
    const veil__headscan_t *hs = !interim || tunnel ? x->half[1].hs : NULL;
    size_t k = 0;

    while (veil_h1_next_header(head, len, &pos, &name, &value)) {
        const veil__hfield_t *f = hs != NULL && hs->rewrite && k < hs->n ? &hs->f[k] : NULL;

        k++;
        if (f != NULL && f->fwd_state == VEIL__FWD_DROP) {
            continue;
        }
        if (f != NULL && f->fwd_state == VEIL__FWD_NEW) {
            value.ptr = hs->fwd.data + f->fwd_off;
            value.len = f->fwd_len;
        }
        if (veil__hop_by_hop(head, len, name) || listed(head, len, rs->connection, name)) {
            continue;
        }
        rc |= put(b, name.ptr, name.len);
        rc |= puts_(b, ": ");
        if (interim) {
            rc |= put(b, value.ptr, value.len);
        } else {
            rc |= put_detok(x, VEIL_DIR_RESPONSE, b, value.ptr, value.len, 0, VEIL_FMT_TEXT);
        }
        rc |= puts_(b, "\r\n");
    }
    rc |= puts_(b, rs->version_minor == 0 ? "Via: 1.0 veil\r\n" : "Via: 1.1 veil\r\n");
    if (interim) {
        if (tunnel) {
            rc |= puts_(b, "Upgrade: ");
            rc |= put(b, rs->upgrade.ptr, rs->upgrade.len);
            rc |= puts_(b, "\r\nConnection: upgrade\r\n");
        }
        rc |= puts_(b, "\r\n");
        return rc ? -1 : 0;
    }

    /* Framing towards the client. */
    x->half[1].chunked_out = 0;
    switch (x->half[1].body) {
    case VEIL_H1_BODY_NONE:
        /* HEAD and 304 describe the representation: keep its framing. */
        if (rs->status_code != 204 && rs->status_code >= 200) {
            if (rs->has_content_length) {
                rc |= put_num(b, "Content-Length: ", rs->content_length, "\r\n");
            } else if (rs->chunked && x->half[0].h.version_minor == 1) {
                rc |= puts_(b, "Transfer-Encoding: chunked\r\n");
            }
        }
        break;
    case VEIL_H1_BODY_LENGTH:
        if (!x->restoring) {
            rc |= put_num(b, "Content-Length: ", rs->content_length, "\r\n");
            break;
        }
        /* Placeholders restored as it streams: the length changes, so it
           goes like a body of unknown length. */
        /* fall through */
    default:
        /* Chunked or close-delimited upstream: an HTTP/1.1 client gets
           chunked (so the connection can stay open); HTTP/1.0 gets the
           body delimited by the close. */
        if (x->half[0].h.version_minor == 1) {
            rc |= puts_(b, "Transfer-Encoding: chunked\r\n");
            x->half[1].chunked_out = 1;
        } else {
            x->keepalive = 0;
        }
        break;
    }
    if (!x->keepalive) {
        rc |= puts_(b, "Connection: close\r\n");
    } else if (x->half[0].h.version_minor == 0) {
        rc |= puts_(b, "Connection: keep-alive\r\n");
    }
    rc |= puts_(b, "\r\n");
    return rc ? -1 : 0;
}


size_t veil__error_response(int status, const char *reason, char *buf, size_t cap)
{
    const char *err;
    char body[128];
    int blen, n;

    switch (status) {
    case 400:
        err = "bad_request";
        break;
    case 405:
        err = "method_not_allowed";
        break;
    case 408:
        err = "request_timeout";
        break;
    case 413:
        err = "content_too_large";
        break;
    case 417:
        err = "expectation_failed";
        break;
    case 431:
        err = "request_header_fields_too_large";
        break;
    case 501:
        err = "not_implemented";
        break;
    case 502:
        err = (reason != NULL && strcmp(reason, "upstream_unavailable") != 0)
                  ? "bad_gateway"
                  : "upstream_unavailable";
        break;
    case 503:
        err = "overloaded";
        break;
    case 504:
        err = "upstream_timeout";
        break;
    case 505:
        err = "http_version_not_supported";
        break;
    default:
        err = "error";
        break;
    }
    /* A policy's refusal (any status the config chose) says which. */
    if (reason != NULL && strncmp(reason, "blocked_", 8) == 0) {
        err = reason;
    }
    blen = snprintf(body, sizeof(body), "{\"error\":\"%s\"}\n", err);
    n = snprintf(buf, cap,
                 "HTTP/1.1 %d %s\r\n"
                 "Content-Type: application/json\r\n"
                 "Content-Length: %d\r\n"
                 "Connection: close\r\n"
                 "\r\n%s",
                 status, veil_h1_status_text(status), blen, body);
    return n < 0 ? 0 : (size_t)n >= cap ? cap - 1 : (size_t)n;
}
