/*
 * POST /detokenize (include/veil/detokenize.h): a listener of its own,
 * on its own thread and libuv loop, like the admin listener, so it
 * depends on nothing inside the workers.
 *
 * One request per connection, answered with Connection: close: the head
 * is read and judged first (path, method, the caller's bearer token, the
 * body's length, then its rate: a request refused for anything else
 * spends nothing of it), so a caller that is refused never gets a byte
 * of its body read; then the body, held whole up to
 * detokenize.max_body_size, goes through the pipeline of veil detokenize
 * (the redactor with the token op DETOKENIZE, then the tagged-token
 * stream) with the caller's types only, and comes back.
 *
 * The configuration is read per request from the holder, so a reload
 * changes callers, tokens, types, rates and keys at once; the buckets of
 * the rates are kept by caller name across reloads.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <uv.h>

#include "veil/config.h"
#include "veil/detokenize.h"
#include "veil/stats.h"
#include "veil/tokens.h"
#include "veil/transform.h"
#include "http_validate.h"

#define API_HEAD_MAX 8192
#define API_MAX_CONNS 64
#define API_IDLE_MS 10000

typedef struct conn conn_t;

typedef struct bucket {
    char name[65];
    double tokens;
    uint64_t last_ns;
} bucket_t;

struct veil_detok_api {
    uv_loop_t loop;
    uv_tcp_t tcp;
    uv_pipe_t pipe;
    int tcp_on, pipe_on, pipe_bound;
    char sock_path[108];
    uv_async_t stop;
    uv_thread_t thread;
    int port;
    veil_config_holder_t *holder;
    veil_log_t *log;
    veil_stats_t *stats;
    conn_t *conns;
    unsigned nconns;
    bucket_t *buckets;
    size_t nbuckets;
};

enum {
    C_HEAD,
    C_BODY,
    C_DONE
};

struct conn {
    union {
        uv_tcp_t tcp;
        uv_pipe_t pipe;
        uv_stream_t stream;
        uv_handle_t handle;
    } h;
    uv_timer_t timer;
    uv_shutdown_t shut;
    veil_detok_api_t *a;
    conn_t *next, *prev;
    int state;
    int pending_close, closing, lingering;
    char in[API_HEAD_MAX];
    size_t in_len;
    veil_h1_scan_t scan;
    /* The request being served. */
    veil_config_t *conf; /* taken at its head */
    const veil_detokenize_caller_t *caller;
    char ctype[64]; /* the answer's media type */
    veil_body_type_t type;
    char *body;
    size_t body_len, body_want;
};

typedef struct wreq {
    uv_write_t req;
    conn_t *c;
    veil_jbuf_t buf;
} wreq_t;


static void rate_give_back(veil_detok_api_t *a, const veil_detokenize_caller_t *dc);


/* ---- connections ---- */

static void conn_free_cb(uv_handle_t *h)
{
    conn_t *c = h->data;

    if (--c->pending_close == 0) {
        free(c);
    }
}


static void request_release(conn_t *c)
{
    if (c->body != NULL) {
        OPENSSL_cleanse(c->body, c->body_want);
        free(c->body);
        c->body = NULL;
    }
    veil_config_release(c->conf);
    c->conf = NULL;
    c->caller = NULL;
}


static void conn_close(conn_t *c)
{
    veil_detok_api_t *a = c->a;

    if (c->closing) {
        return;
    }
    c->closing = 1;
    if (c->prev) {
        c->prev->next = c->next;
    } else {
        a->conns = c->next;
    }
    if (c->next) {
        c->next->prev = c->prev;
    }
    a->nconns--;
    if (c->state == C_BODY && c->caller != NULL) {
        /* The body never came whole: nothing was turned back, so the
           request spends nothing of the caller's rate. */
        rate_give_back(a, c->caller);
    }
    request_release(c);
    OPENSSL_cleanse(c->in, sizeof(c->in));
    c->pending_close = 2;
    uv_timer_stop(&c->timer);
    uv_close((uv_handle_t *)&c->timer, conn_free_cb);
    uv_close(&c->h.handle, conn_free_cb);
}


static void alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *buf);
static void read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf);


static void linger_cb(uv_timer_t *t)
{
    conn_close(t->data);
}


static void shutdown_cb(uv_shutdown_t *req, int status)
{
    (void)req;
    (void)status;
}


/* The answer is on its way: the write side is shut, and what the client
   still sends is read and dropped (for at most a second) so that the
   kernel does not answer it with a reset that could destroy the answer. */
static void linger(conn_t *c)
{
    c->lingering = 1;
    c->state = C_DONE;
    if (uv_shutdown(&c->shut, &c->h.stream, shutdown_cb) != 0) {
        conn_close(c);
        return;
    }
    uv_timer_start(&c->timer, linger_cb, 1000, 0);
    (void)uv_read_start(&c->h.stream, alloc_cb, read_cb);
}


static void write_cb(uv_write_t *req, int status)
{
    wreq_t *w = (wreq_t *)req;
    conn_t *c = w->c;

    veil_jbuf_dispose(&w->buf); /* the answer may hold values: wiped */
    free(w);
    if (c->closing) {
        return;
    }
    if (status < 0) {
        conn_close(c);
        return;
    }
    linger(c);
}


static const char *status_text(int status)
{
    return status == 401   ? "Unauthorized"
           : status == 429 ? "Too Many Requests"
           : status == 411 ? "Length Required"
                           : veil_h1_status_text(status);
}


/* Sends the whole answer and closes the connection after it. */
static void respond(conn_t *c, int status, const char *ctype, const char *body, size_t len,
                    const char *extra)
{
    wreq_t *w = calloc(1, sizeof(*w));
    char head[512];
    uv_buf_t b;
    int n;

    request_release(c);
    c->state = C_DONE;
    if (w == NULL) {
        conn_close(c);
        return;
    }
    n = snprintf(head, sizeof(head),
                 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                 "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n%s"
                 "Connection: close\r\n\r\n",
                 status, status_text(status), ctype, len, extra ? extra : "");
    veil_jbuf_init(&w->buf, (size_t)n + len + 1);
    if (n < 0 || (size_t)n >= sizeof(head) || veil_jbuf_raw(&w->buf, head, (size_t)n) != 0 ||
        (len > 0 && veil_jbuf_raw(&w->buf, body, len) != 0)) {
        veil_jbuf_dispose(&w->buf);
        free(w);
        conn_close(c);
        return;
    }
    w->c = c;
    uv_read_stop(&c->h.stream);
    b = uv_buf_init(w->buf.data, (unsigned)w->buf.len);
    if (uv_write(&w->req, &c->h.stream, &b, 1, write_cb) != 0) {
        veil_jbuf_dispose(&w->buf);
        free(w);
        conn_close(c);
    }
}


static void respond_text(conn_t *c, int status, const char *text, const char *extra)
{
    respond(c, status, "text/plain; charset=utf-8", text, strlen(text), extra);
}


/* ---- the audit line ---- */

static void timestamp(veil_jbuf_t *b)
{
    struct timespec ts;
    struct tm tm;
    char buf[96];
    time_t sec;

    clock_gettime(CLOCK_REALTIME, &ts);
    sec = ts.tv_sec;
    gmtime_r(&sec, &tm);
    snprintf(buf, sizeof(buf), "\"%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ\"", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
    veil_jbuf_cstr(b, buf);
}


static const char *slot_key(const veil_token_ring_t *ring, int slot)
{
    for (size_t i = 0; ring != NULL && i < veil_token_ring_count(ring); i++) {
        if (veil_token_ring_slot(ring, i) == slot) {
            return veil_token_ring_id(ring, i);
        }
    }
    return "none";
}


/* {type, key, outcome, count} of every counter that is not zero, the
   restored ones (<restored> 1) or the others. */
static void audit_counts(veil_jbuf_t *b, const char *name, const veil_token_stats_t *st,
                         const veil_token_ring_t *ring, int restored)
{
    veil_jbuf_key(b, name);
    veil_jbuf_raw(b, "[", 1);
    for (unsigned t = 0; st != NULL && t < VEIL_TOKEN_STAT_TYPES; t++) {
        for (int s = 0; s <= VEIL_TOKEN_SLOTS; s++) {
            for (int o = 0; o < VEIL_TOKEN_OUTCOME__COUNT; o++) {
                uint64_t n = st->reversed[t][s][o];

                if (n == 0 || (o == VEIL_TOKEN_RESTORED) != restored) {
                    continue;
                }
                if (b->data[b->len - 1] != '[') {
                    veil_jbuf_raw(b, ",", 1);
                }
                veil_jbuf_raw(b, "{", 1);
                veil_jbuf_key(b, "type");
                veil_jbuf_str(b, veil_token_stat_type_name(t),
                              strlen(veil_token_stat_type_name(t)));
                veil_jbuf_key(b, "key");
                veil_jbuf_str(b, slot_key(ring, s), strlen(slot_key(ring, s)));
                veil_jbuf_key(b, "outcome");
                veil_jbuf_cstr(b, "\"");
                veil_jbuf_cstr(b, veil_token_outcome_name((veil_token_outcome_t)o));
                veil_jbuf_cstr(b, "\"");
                veil_jbuf_key(b, "count");
                veil_jbuf_u64(b, n);
                veil_jbuf_raw(b, "}", 1);
            }
        }
    }
    veil_jbuf_raw(b, "]", 1);
}


/*
 * One line per request: when, who (the caller's configured name, or
 * null), what came of it, and the counts per type, key and outcome.
 * Never a value, a token or the caller's bearer token. Where it goes:
 * detokenize.audit of the configuration the request was served with.
 */
static void audit(veil_detok_api_t *a, const veil_config_t *conf, const char *caller, int status,
                  const char *outcome, size_t bytes_in, size_t bytes_out,
                  const veil_token_stats_t *st, const veil_token_ring_t *ring)
{
    const veil_detokenize_settings_t *d = conf ? veil_config_detokenize(conf) : NULL;
    veil_jbuf_t b;

    veil_jbuf_init(&b, 1 << 20);
    veil_jbuf_raw(&b, "{", 1);
    veil_jbuf_key(&b, "@timestamp");
    timestamp(&b);
    veil_jbuf_key(&b, "event.kind");
    veil_jbuf_cstr(&b, "\"audit\"");
    veil_jbuf_key(&b, "event.action");
    veil_jbuf_cstr(&b, "\"veil.detokenize\"");
    veil_jbuf_key(&b, "veil.caller");
    if (caller != NULL) {
        veil_jbuf_str(&b, caller, strlen(caller));
    } else {
        veil_jbuf_cstr(&b, "null");
    }
    veil_jbuf_key(&b, "http.response.status_code");
    veil_jbuf_u64(&b, (uint64_t)status);
    veil_jbuf_key(&b, "event.outcome");
    veil_jbuf_str(&b, outcome, strlen(outcome));
    veil_jbuf_key(&b, "http.request.body.bytes");
    veil_jbuf_u64(&b, bytes_in);
    veil_jbuf_key(&b, "http.response.body.bytes");
    veil_jbuf_u64(&b, bytes_out);
    audit_counts(&b, "veil.restored", st, ring, 1);
    audit_counts(&b, "veil.refused", st, ring, 0);
    veil_jbuf_raw(&b, "}\n", 2);
    if (!b.overflow) {
        if (a->log != NULL && (d == NULL || !d->audit_stderr)) {
            veil_log_write(a->log, b.data, b.len);
        } else {
            fwrite(b.data, 1, b.len, stderr);
            fflush(stderr);
        }
    }
    veil_jbuf_dispose(&b);
}


/* A refusal: answered, audited, counted. */
static void refuse(conn_t *c, int status, const char *outcome, const char *text, const char *extra)
{
    veil_detok_api_t *a = c->a;
    const char *who = c->caller ? c->caller->name : NULL;

    audit(a, c->conf, who, status, outcome, 0, 0, NULL, NULL);
    if (a->stats != NULL) {
        veil_stats_detokenize_request(veil_stats_shard(a->stats, VEIL_STATS_SHARD_MAIN), who,
                                      status);
    }
    respond_text(c, status, text, extra);
}


/* ---- callers ---- */

/* The caller whose bearer token the Authorization field gives, or NULL.
   Every caller's token is compared in full, in time that depends only on
   the tokens' lengths. */
static const veil_detokenize_caller_t *authenticate(const veil_detokenize_settings_t *d,
                                                    const char *head, size_t len)
{
    veil_h1_span_t name, value, v = {NULL, 0};
    const veil_detokenize_caller_t *found = NULL;
    size_t pos = 0;

    while (veil_h1_next_header(head, len, &pos, &name, &value)) {
        if (veil_h1_span_eq(name, "authorization")) {
            v = value;
            break;
        }
    }
    if (d == NULL || v.len < 7 || strncasecmp(v.ptr, "bearer ", 7) != 0) {
        return NULL;
    }
    v.ptr += 7;
    v.len -= 7;
    while (v.len > 0 && v.ptr[0] == ' ') {
        v.ptr++;
        v.len--;
    }
    for (size_t k = 0; k < d->ncallers; k++) {
        const veil_detokenize_caller_t *dc = &d->callers[k];
        unsigned char diff = (unsigned char)(v.len != dc->token_len);

        for (size_t i = 0; i < dc->token_len; i++) {
            diff |= (unsigned char)(dc->token[i] ^ (i < v.len ? v.ptr[i] : 0));
        }
        if (diff == 0) {
            found = dc;
        }
    }
    return found;
}


static int caller_allows(void *ud, const char *type, size_t len)
{
    const veil_detokenize_caller_t *dc = ud;

    for (size_t i = 0; i < dc->ntypes; i++) {
        if (strlen(dc->types[i]) == len && memcmp(dc->types[i], type, len) == 0) {
            return 1;
        }
    }
    return 0;
}


/* The token bucket of <dc>: 1 when a request may go now; else 0 with the
   seconds to wait in *retry. Buckets are kept by name, so a reload that
   keeps a caller keeps what it has used. */
static int rate_take(veil_detok_api_t *a, const veil_detokenize_caller_t *dc, unsigned *retry)
{
    uint64_t now = uv_hrtime();
    bucket_t *bk = NULL;

    for (size_t i = 0; i < a->nbuckets; i++) {
        if (strcmp(a->buckets[i].name, dc->name) == 0) {
            bk = &a->buckets[i];
        }
    }
    if (bk == NULL) {
        bucket_t *n = realloc(a->buckets, (a->nbuckets + 1) * sizeof(*n));

        if (n == NULL) {
            *retry = 1;
            return 0; /* no memory for its bucket: refused, never unlimited */
        }
        a->buckets = n;
        bk = &a->buckets[a->nbuckets++];
        memset(bk, 0, sizeof(*bk));
        snprintf(bk->name, sizeof(bk->name), "%s", dc->name);
        bk->tokens = (double)dc->burst;
        bk->last_ns = now;
    }
    bk->tokens += (double)(now - bk->last_ns) / 1e9 * dc->rate;
    bk->last_ns = now;
    if (bk->tokens > (double)dc->burst) {
        bk->tokens = (double)dc->burst;
    }
    if (bk->tokens >= 1.0) {
        bk->tokens -= 1.0;
        return 1;
    }
    {
        double wait = (1.0 - bk->tokens) / dc->rate;

        *retry = (unsigned)wait;
        if ((double)*retry < wait || *retry == 0) {
            (*retry)++;
        }
    }
    return 0;
}


/* Gives back the request rate_take() let go for <dc>: one refused after
   it (no memory) or whose body never came whole spends nothing of the
   rate. */
static void rate_give_back(veil_detok_api_t *a, const veil_detokenize_caller_t *dc)
{
    for (size_t i = 0; i < a->nbuckets; i++) {
        if (strcmp(a->buckets[i].name, dc->name) == 0) {
            bucket_t *bk = &a->buckets[i];

            bk->tokens += 1.0;
            if (bk->tokens > (double)dc->burst) {
                bk->tokens = (double)dc->burst;
            }
            return;
        }
    }
}


/* ---- a request ---- */

static int jbuf_write(void *ud, const char *data, size_t len)
{
    return veil_jbuf_raw(ud, data, len);
}


static int stream_write(void *ud, const char *data, size_t len)
{
    return veil_token_stream_feed(ud, data, len) == 0 ? 0 : -1;
}


/* The body is whole: turned back, answered, audited, counted. */
static void serve(conn_t *c)
{
    veil_detok_api_t *a = c->a;
    const veil_detokenize_settings_t *d = veil_config_detokenize(c->conf);
    const veil_policy_t *pol = d ? veil_config_policy(c->conf, d->policy) : NULL;
    const veil_policy_dir_t *pd = pol ? &pol->dir[VEIL_DIR_REQUEST] : NULL;
    const veil_detokenize_caller_t *dc = c->caller;
    veil_token_stats_t *st = calloc(1, sizeof(*st));
    veil_token_stream_t *ts = NULL;
    veil_redactor_t *r = NULL;
    veil_redactor_options_t ro;
    veil_tokens_t t;
    veil_jbuf_t out;
    char who[65];
    int rc = -1;

    memset(&t, 0, sizeof(t));
    snprintf(who, sizeof(who), "%s", dc->name);
    veil_jbuf_init(&out, 2 * c->body_len + 65536);
    if (st != NULL && pd != NULL && pd->tokens != NULL) {
        t = *pd->tokens;
        t.rewrap_from = -1;
        t.type_allowed = caller_allows;
        t.type_ud = (void *)dc;
        ts = veil_token_stream_new(&t, VEIL_TOKEN_OP_DETOKENIZE, st, jbuf_write, &out);
    }
    if (ts != NULL) {
        rc = 0;
        if (pd->engine != NULL) {
            /* Format-preserving tokens at their places (cards and IBANs in
               their fields, e-mail addresses anywhere), then the tagged
               ones by their grammar: the pipeline of veil detokenize. */
            memset(&ro, 0, sizeof(ro));
            ro.type = &c->type;
            ro.keep_skipped = 1;
            ro.action = VEIL_ACT_TOKENIZE;
            ro.tokens = &t;
            ro.token_stats = st;
            ro.token_op = VEIL_TOKEN_OP_DETOKENIZE;
            ro.write = stream_write;
            ro.write_ud = ts;
            r = veil_redactor_new(pd->engine, &ro);
            rc = r == NULL ? -1 : c->body_len ? veil_redactor_feed(r, c->body, c->body_len) : 0;
            if (rc == 0) {
                rc = veil_redactor_finish(r);
            }
            veil_redactor_free(r);
        } else if (c->body_len > 0) {
            rc = veil_token_stream_feed(ts, c->body, c->body_len);
        }
        if (rc == 0) {
            rc = veil_token_stream_finish(ts);
        }
        veil_token_stream_free(ts);
    }
    if (rc != 0 || out.overflow) {
        audit(a, c->conf, who, 500, "error", c->body_len, 0, st,
              pd && pd->tokens ? pd->tokens->ring : NULL);
        if (a->stats != NULL) {
            veil_stats_detokenize_request(veil_stats_shard(a->stats, VEIL_STATS_SHARD_MAIN), who,
                                          500);
        }
        veil_jbuf_dispose(&out);
        free(st);
        respond_text(c, 500, "cannot detokenize\n", NULL);
        return;
    }
    audit(a, c->conf, who, 200, "success", c->body_len, out.len, st, t.ring);
    if (a->stats != NULL) {
        veil_stats_shard_t *m = veil_stats_shard(a->stats, VEIL_STATS_SHARD_MAIN);

        veil_stats_tokens(m, t.ring, st);
        veil_stats_detokenize_request(m, who, 200);
    }
    free(st);
    {
        char ctype[64];

        snprintf(ctype, sizeof(ctype), "%s", c->ctype);
        respond(c, 200, ctype, out.data ? out.data : "", out.len, NULL);
    }
    veil_jbuf_dispose(&out);
}


static int path_is(veil_h1_span_t path, const char *p)
{
    size_t n = strlen(p);

    return path.len >= n && memcmp(path.ptr, p, n) == 0 && (path.len == n || path.ptr[n] == '?');
}


/* The answer's media type: the request's JSON or form type, else text. */
static void answer_type(conn_t *c, const char *head, size_t len)
{
    veil_h1_span_t name, value, ct = {NULL, 0};
    size_t pos = 0;

    while (veil_h1_next_header(head, len, &pos, &name, &value)) {
        if (veil_h1_span_eq(name, "content-type")) {
            ct = value;
        }
    }
    veil_body_type_from_content_type(ct.ptr ? ct.ptr : "", ct.len, &c->type);
    snprintf(c->ctype, sizeof(c->ctype), "%s",
             c->type.format == VEIL_FMT_JSON   ? "application/json"
             : c->type.format == VEIL_FMT_FORM ? "application/x-www-form-urlencoded"
                                               : "text/plain; charset=utf-8");
    if (c->type.format != VEIL_FMT_JSON && c->type.format != VEIL_FMT_FORM) {
        c->type.format = VEIL_FMT_TEXT; /* multipart, XML: read as text */
        c->type.boundary_len = 0;
    }
}


/* A whole head: judged before any byte of the body is read. */
static void on_head(conn_t *c, const char *head, size_t len, const veil_h1_head_t *h)
{
    veil_detok_api_t *a = c->a;
    const veil_detokenize_settings_t *d;
    unsigned retry = 0;
    char extra[64];

    c->conf = veil_config_holder_get(a->holder);
    d = c->conf ? veil_config_detokenize(c->conf) : NULL;
    if (h->target_form != VEIL_H1_TARGET_ORIGIN || !path_is(h->path, "/detokenize")) {
        refuse(c, 404, "not_found", "not found\n", NULL);
        return;
    }
    if (!(h->method.len == 4 && memcmp(h->method.ptr, "POST", 4) == 0)) {
        refuse(c, 405, "method_not_allowed", "POST only\n", "Allow: POST\r\n");
        return;
    }
    if (d == NULL) {
        /* A reload took the section away: the listener stays until a
           restart, but nothing is served. */
        refuse(c, 503, "not_configured", "detokenize is not configured\n", NULL);
        return;
    }
    c->caller = authenticate(d, head, len);
    if (c->caller == NULL) {
        refuse(c, 401, "unauthorized", "a caller's bearer token is required\n",
               "WWW-Authenticate: Bearer realm=\"veil-detokenize\"\r\n");
        return;
    }
    switch (veil_h1_request_body(h)) {
    case VEIL_H1_BODY_CHUNKED:
        refuse(c, 411, "length_required", "a Content-Length is required\n", NULL);
        return;
    case VEIL_H1_BODY_LENGTH:
        if (h->content_length > d->max_body_size) {
            refuse(c, 413, "too_large", "the body is over detokenize.max_body_size\n", NULL);
            return;
        }
        c->body_want = (size_t)h->content_length;
        break;
    default:
        c->body_want = 0;
        break;
    }
    /* The rate last: a request refused for its framing or its size
       spends nothing of it (only a request that is served does). */
    if (!rate_take(a, c->caller, &retry)) {
        snprintf(extra, sizeof(extra), "Retry-After: %u\r\n", retry);
        refuse(c, 429, "rate_limited", "too many requests\n", extra);
        return;
    }
    answer_type(c, head, len);
    c->body = malloc(c->body_want ? c->body_want : 1);
    if (c->body == NULL) {
        rate_give_back(a, c->caller);
        refuse(c, 503, "no_memory", "no memory\n", NULL);
        return;
    }
    c->body_len = 0;
    c->state = C_BODY;
    if (h->expect_continue && c->body_want > 0) {
        static char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        uv_buf_t b = uv_buf_init(cont, sizeof(cont) - 1);

        (void)uv_try_write(&c->h.stream, &b, 1);
    }
}


/* Bytes of the body arrived (at <p>): kept; served once whole. */
static void on_body(conn_t *c, const char *p, size_t n)
{
    size_t take = c->body_want - c->body_len;

    if (take > n) {
        take = n;
    }
    memcpy(c->body + c->body_len, p, take);
    c->body_len += take;
    if (c->body_len == c->body_want) {
        serve(c);
    }
}


static void process(conn_t *c)
{
    veil_h1_limits_t lim = {API_HEAD_MAX, 50};
    veil_h1_verdict_t v;
    veil_h1_head_t h;
    long end;

    if (c->state != C_HEAD) {
        return;
    }
    end = veil_h1_head_scan(&c->scan, c->in, c->in_len, &lim, &v);
    if (end == 0) {
        if (c->in_len == sizeof(c->in)) {
            refuse(c, 431, "head_too_large", "request head too large\n", NULL);
        }
        return;
    }
    if (end < 0 || veil_h1_parse_request(c->in, (size_t)end, &lim, &h, &v) != 0) {
        refuse(c,
               end < 0    ? v.status
               : v.status ? v.status
                          : 400,
               "bad_request", "bad request\n", NULL);
        return;
    }
    on_head(c, c->in, (size_t)end, &h);
    if (c->state == C_BODY) {
        size_t rest = c->in_len - (size_t)end;

        /* Bytes of the body that came with the head. */
        if (c->body_want == 0) {
            serve(c);
        } else if (rest > 0) {
            on_body(c, c->in + end, rest);
        }
    }
    OPENSSL_cleanse(c->in, c->in_len);
    c->in_len = 0;
}


static void alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    conn_t *c = h->data;

    (void)hint;
    if (c->state == C_BODY) {
        /* Straight into the body: it was sized by its Content-Length. */
        *buf = uv_buf_init(c->body + c->body_len, (unsigned)(c->body_want - c->body_len));
    } else if (c->state == C_DONE) {
        *buf = uv_buf_init(c->in, sizeof(c->in)); /* lingering: dropped */
    } else {
        *buf = uv_buf_init(c->in + c->in_len, (unsigned)(sizeof(c->in) - c->in_len));
    }
}


static void read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    conn_t *c = s->data;

    if (n < 0) {
        conn_close(c);
        return;
    }
    if (c->state == C_DONE) {
        OPENSSL_cleanse(buf->base, (size_t)n);
        return;
    }
    uv_timer_again(&c->timer);
    if (c->state == C_BODY) {
        c->body_len += (size_t)n;
        if (c->body_len == c->body_want) {
            serve(c);
        }
        return;
    }
    c->in_len += (size_t)n;
    process(c);
}


static void idle_cb(uv_timer_t *t)
{
    conn_close(t->data);
}


static void on_connection(uv_stream_t *server, int status)
{
    veil_detok_api_t *a = server->data;
    conn_t *c;
    int rc;

    if (status < 0 || (c = calloc(1, sizeof(*c))) == NULL) {
        return;
    }
    c->a = a;
    if (server == (uv_stream_t *)&a->tcp) {
        uv_tcp_init(&a->loop, &c->h.tcp);
    } else {
        uv_pipe_init(&a->loop, &c->h.pipe, 0);
    }
    uv_timer_init(&a->loop, &c->timer);
    c->h.handle.data = c->timer.data = c;
    rc = uv_accept(server, &c->h.stream);
    c->next = a->conns;
    if (a->conns) {
        a->conns->prev = c;
    }
    a->conns = c;
    a->nconns++;
    if (rc != 0) {
        conn_close(c);
        return;
    }
    if (a->nconns > API_MAX_CONNS) {
        refuse(c, 503, "overloaded", "too many connections\n", NULL);
        return;
    }
    uv_timer_start(&c->timer, idle_cb, API_IDLE_MS, API_IDLE_MS);
    (void)uv_read_start(&c->h.stream, alloc_cb, read_cb);
}


/* ---- the listener ---- */

static void stop_cb(uv_async_t *h)
{
    veil_detok_api_t *a = h->data;

    while (a->conns != NULL) {
        conn_close(a->conns);
    }
    if (a->tcp_on) {
        uv_close((uv_handle_t *)&a->tcp, NULL);
    }
    if (a->pipe_on) {
        uv_close((uv_handle_t *)&a->pipe, NULL);
    }
    uv_close((uv_handle_t *)&a->stop, NULL);
}


static void thread_main(void *arg)
{
    veil_detok_api_t *a = arg;

    uv_run(&a->loop, UV_RUN_DEFAULT);
}


/* Closes what was opened and frees, on a failed start. */
static void abandon(veil_detok_api_t *a)
{
    if (a->tcp_on) {
        uv_close((uv_handle_t *)&a->tcp, NULL);
    }
    if (a->pipe_on) {
        uv_close((uv_handle_t *)&a->pipe, NULL);
    }
    if (a->pipe_bound) {
        unlink(a->sock_path);
    }
    uv_run(&a->loop, UV_RUN_DEFAULT);
    uv_loop_close(&a->loop);
    free(a);
}


/* HOST:PORT or [v6]:PORT, as the loader checked it. */
static int split_address(const char *s, char *host, size_t hcap, int *port)
{
    const char *colon = strrchr(s, ':');
    const char *h = s;
    size_t hl;

    if (colon == NULL) {
        return -1;
    }
    hl = (size_t)(colon - s);
    if (s[0] == '[' && hl >= 2 && colon[-1] == ']') {
        h++;
        hl -= 2;
    }
    if (hl == 0 || hl >= hcap) {
        return -1;
    }
    memcpy(host, h, hl);
    host[hl] = '\0';
    *port = atoi(colon + 1);
    return *port > 0 && *port <= 65535 ? 0 : -1;
}


static int listen_tcp(veil_detok_api_t *a, const char *address, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    char host[64];
    int port, rc, len = sizeof(ss);

    if (split_address(address, host, sizeof(host), &port) != 0) {
        snprintf(err, errlen, "detokenize.listen: expected HOST:PORT");
        return -EINVAL;
    }
    if (strcmp(host, "localhost") == 0) {
        snprintf(host, sizeof(host), "127.0.0.1");
    }
    if (uv_ip4_addr(host, port, (struct sockaddr_in *)&ss) != 0 &&
        uv_ip6_addr(host, port, (struct sockaddr_in6 *)&ss) != 0) {
        snprintf(err, errlen, "detokenize.listen: not an IP address and port");
        return -EINVAL;
    }
    uv_tcp_init(&a->loop, &a->tcp);
    a->tcp.data = a;
    a->tcp_on = 1;
    if ((rc = uv_tcp_bind(&a->tcp, (struct sockaddr *)&ss, 0)) != 0 ||
        (rc = uv_listen((uv_stream_t *)&a->tcp, 64, on_connection)) != 0) {
        snprintf(err, errlen, "detokenize.listen: cannot listen on %s: %s", address,
                 uv_strerror(rc));
        return rc;
    }
    if (uv_tcp_getsockname(&a->tcp, (struct sockaddr *)&ss, &len) == 0) {
        a->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    }
    return 0;
}


static int listen_unix(veil_detok_api_t *a, const char *path, char *err, size_t errlen)
{
    struct stat st;
    int rc;

    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            snprintf(err, errlen, "detokenize.socket: %s exists and is no socket", path);
            return -EEXIST;
        }
        unlink(path); /* left by a veil that did not stop cleanly */
    }
    snprintf(a->sock_path, sizeof(a->sock_path), "%s", path);
    uv_pipe_init(&a->loop, &a->pipe, 0);
    a->pipe.data = a;
    a->pipe_on = 1;
    if ((rc = uv_pipe_bind(&a->pipe, path)) == 0) {
        a->pipe_bound = 1;
    }
    if (rc != 0 || (rc = uv_listen((uv_stream_t *)&a->pipe, 64, on_connection)) != 0) {
        snprintf(err, errlen, "detokenize.socket: cannot listen on %s: %s", path, uv_strerror(rc));
        return rc;
    }
    /* The owner and its group may connect; each caller still needs its
       token. */
    if (chmod(path, 0660) != 0) {
        rc = -errno;
        snprintf(err, errlen, "detokenize.socket: %s: %s", path, strerror(errno));
        return rc;
    }
    return 0;
}


int veil_detok_api_start(veil_detok_api_t **out, const veil_detok_api_options_t *o, char *err,
                         size_t errlen)
{
    const veil_detokenize_settings_t *d = veil_config_detokenize(o->conf);
    veil_detok_api_t *a;
    int rc = 0;

    *out = NULL;
    if (d == NULL) {
        return 0;
    }
    a = calloc(1, sizeof(*a));
    if (a == NULL) {
        snprintf(err, errlen, "detokenize: out of memory");
        return -ENOMEM;
    }
    a->holder = o->holder;
    a->log = o->log;
    a->stats = o->stats;
    uv_loop_init(&a->loop);
    if (d->listen != NULL) {
        rc = listen_tcp(a, d->listen, err, errlen);
    }
    if (rc == 0 && d->socket != NULL) {
        rc = listen_unix(a, d->socket, err, errlen);
    }
    if (rc != 0) {
        abandon(a);
        return rc;
    }
    uv_async_init(&a->loop, &a->stop, stop_cb);
    a->stop.data = a;
    if (uv_thread_create(&a->thread, thread_main, a) != 0) {
        snprintf(err, errlen, "detokenize: cannot start its thread");
        uv_close((uv_handle_t *)&a->stop, NULL);
        abandon(a);
        return -EAGAIN;
    }
    *out = a;
    return 0;
}


int veil_detok_api_port(const veil_detok_api_t *a)
{
    return a ? a->port : 0;
}


void veil_detok_api_stop(veil_detok_api_t *a)
{
    if (a == NULL) {
        return;
    }
    uv_async_send(&a->stop);
    uv_thread_join(&a->thread);
    uv_loop_close(&a->loop);
    if (a->pipe_bound) {
        unlink(a->sock_path);
    }
    free(a->buckets);
    free(a);
}
