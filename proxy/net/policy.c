/*
 * veil run -c: each exchange takes the current config from the holder
 * when its request head has arrived, matches its route (on the head, and
 * on the client certificate a TLS listener verified), applies consent
 * (Sec-GPC: 1, DNT: 1), and keeps that config until the exchange ends, so
 * a reload never changes an exchange in flight.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy_int.h"
#include "veil/config.h"
#include "veil/stats.h"

static int is_one(veil_h1_span_t v)
{
    return v.len == 1 && v.ptr[0] == '1';
}


void veil__xchg_policy(veil__xchg_t *x)
{
    veil_route_request_t q;
    veil_h1_span_t path, host, ct;
    const veil__tls_info_t *tls;
    size_t i;

    path = x->half[0].h.target_form == VEIL_H1_TARGET_ABSOLUTE ? x->half[0].h.path
                                                               : x->half[0].h.target;
    for (i = 0; i < path.len && path.ptr[i] != '?'; i++) {
    }
    host = x->half[0].h.host.len ? x->half[0].h.host : x->half[0].h.authority;
    ct = x->half[0].h.content_type;
    memset(&q, 0, sizeof(q));
    q.method = x->half[0].h.method.ptr;
    q.method_len = x->half[0].h.method.len;
    q.host = host.ptr;
    q.host_len = host.len;
    q.path = path.ptr;
    q.path_len = i;
    q.content_type = ct.ptr;
    q.content_type_len = ct.len;
    /* match.listener: by the name the exchange's config gives the
       listener it came on ("" when that config has fewer listeners than
       were started: then no named listener matches). */
    q.listener = x->c->listener < veil_config_listener_count(x->conf)
                     ? veil_config_listener(x->conf, x->c->listener)->name
                     : "";
    tls = veil__tls_info(x->c->tr);
    /* Who the client is, as its listener verified it. */
    veil_client_cert_route(tls != NULL ? &tls->client : NULL, &q);
    x->route = veil_config_route_match(x->conf, &q);
    if (x->route->detokenize && !x->c->w->listener_trusted[x->c->listener]) {
        /* The file was checked against its own listeners; the ones that
           run came from the file veil started with (a reload that changes
           them needs a restart). Tokens go on as they are. */
        static atomic_int warned;

        if (atomic_exchange(&warned, 1) == 0) {
            fprintf(stderr,
                    "veil: route %s: detokenize is off on a listener that is neither "
                    "on loopback nor requires client certificates (restart veil to "
                    "use the listeners of the current file)\n",
                    x->route->name);
        }
    }
    x->policy = veil_policy_for_consent(x->route->policy, is_one(x->half[0].h.sec_gpc),
                                        is_one(x->half[0].h.dnt));
    x->half[0].hold = x->half[0].body != VEIL_H1_BODY_NONE && veil__xchg_holds(x, VEIL_DIR_REQUEST);
}


int veil__xchg_holds(const veil__xchg_t *x, int dir)
{
    /* uninspectable: block needs the verdict before anything is sent
       too (a body may turn out over the limit only at its end). */
    return (x->policy != NULL && x->c->w->inspect &&
            (x->policy->dir[dir].mode != VEIL_MODE_OBSERVE ||
             x->policy->dir[dir].uninspectable_block)) ||
           veil__xchg_detokenizes(x, dir); /* turned back whole, then sent */
}


const veil_engine_t *veil__xchg_engine(veil__worker_t *w, const veil__xchg_t *x, int dir,
                                       const uint8_t **actions)
{
    if (x == NULL || x->policy == NULL) {
        *actions = NULL;
        veil__worker_conf(w);
        return w->engine;
    }
    /* server.inspect: false still wins: no engine, metadata-only records. */
    if (!w->inspect) {
        *actions = NULL;
        return NULL;
    }
    *actions = x->policy->dir[dir].actions;
    return x->policy->dir[dir].engine;
}


int veil__held_add(veil__held_t *h, const char *data, size_t len, size_t limit)
{
    if (h->len + len > limit) {
        return -1;
    }
    if (h->len + len > h->cap) {
        size_t cap = h->cap ? h->cap : 16384;
        char *n;

        while (cap < h->len + len) {
            cap *= 2;
        }
        n = malloc(cap);
        if (n == NULL) {
            return -1;
        }
        if (h->len) {
            memcpy(n, h->data, h->len);
        }
        veil__held_free(h);
        h->data = n;
        h->cap = cap;
    }
    memcpy(h->data + h->len, data, len);
    h->len += len;
    return 0;
}


void veil__held_free(veil__held_t *h)
{
    if (h->data != NULL) {
        explicit_bzero(h->data, h->cap);
        free(h->data);
    }
    h->data = NULL;
    h->len = h->cap = 0;
}


/* The per-detector actions of a rewrite in transit: the policy's, or in
   mode tokenize a token for every detector (tagged, or format-preserving
   where the policy's format says so), the keyed hash where the config has
   no key slot. malloc'd. */
static uint8_t *transit_actions(const veil_policy_dir_t *pd)
{
    size_t n = veil_engine_detector_count(pd->engine);
    uint8_t *acts = malloc(n ? n : 1);
    uint8_t tok = (uint8_t)(pd->tokens != NULL ? VEIL_ACT_TOKENIZE : VEIL_ACT_HASH);

    for (size_t d = 0; acts != NULL && d < n; d++) {
        acts[d] = pd->mode == VEIL_MODE_TOKENIZE ? tok : pd->actions[d];
    }
    return acts;
}


/* A held body that the inspection read from UTF-16/UTF-32: rewritten as
   UTF-8 (the log's copy when it is the same rewrite, as below), then put
   back in its encoding, so the receiver gets the encoding it was sent.
   0, or -1 (the body is then refused). */
static int rewrite_transcoded(veil__xchg_t *x, int dir, int *rewritten)
{
    const veil_policy_dir_t *pd = &x->policy->dir[dir];
    const veil__inspect_t *in = dir == VEIL_DIR_REQUEST ? &x->half[0].ins : &x->half[1].ins;
    veil__held_t *h = dir == VEIL_DIR_REQUEST ? &x->half[0].held : &x->half[1].held;
    veil__held_t text = {NULL, 0, 0}, out = {NULL, 0, 0};
    uint8_t *acts;
    int rc;

    if (pd->mode == VEIL_MODE_REDACT && pd->body_log != VEIL_BODY_LOG_ALLOWLIST && in->log_on &&
        !in->truncated && in->raw_bytes == h->len && !veil__dir_tokenizes(pd)) {
        rc = veil__charset_encode_held(in, in->log.data, in->log.len, &out);
    } else if (veil__charset_decode_held(in, h, &text) != 0 ||
               (acts = transit_actions(pd)) == NULL) {
        veil__held_free(&text);
        return -1;
    } else {
        rc = veil__rewrite_body(pd->engine, acts, pd->key, &in->type, pd, &text,
                                veil__xchg_issues_placeholders(x, dir) ? x : NULL,
                                veil__dir_tokenizes(pd) ? veil__xchg_token_stats(x) : NULL);
        if (veil__dir_tokenizes(pd)) {
            veil__xchg_tokens_counted(x, pd->tokens);
        }
        free(acts);
        rc = rc == 0 ? veil__charset_encode_held(in, text.data, text.len, &out) : -1;
        veil__held_free(&text);
    }
    if (rc != 0) {
        return -1;
    }
    veil__held_free(h);
    *h = out;
    *rewritten = 1;
    return 0;
}


/* The policy's verdict on a held body of <dir>: veil__xchg_verdict()
   before a detokenize route's step. */
static const char *policy_verdict(veil__xchg_t *x, int dir, int *rewritten)
{
    const veil_policy_dir_t *pd = &x->policy->dir[dir];
    const veil__inspect_t *in = dir == VEIL_DIR_REQUEST ? &x->half[0].ins : &x->half[1].ins;
    int loc = dir == VEIL_DIR_REQUEST ? VEIL__LOC_REQ_BODY : VEIL__LOC_RSP_BODY;
    veil__held_t *h = dir == VEIL_DIR_REQUEST ? &x->half[0].held : &x->half[1].held;
    unsigned i;

    *rewritten = 0;
    if (in->state != VEIL__INS_DONE || in->skip != NULL) {
        /* Not inspected (binary, an unknown encoding): what the policy
           says for such bodies; pass sends the bytes on as they are. */
        return pd->uninspectable_block ? "blocked_uninspectable" : NULL;
    }
    if (in->parts_skipped > 0 && pd->uninspectable_block) {
        /* A multipart body with parts veil could not read (files). */
        return "blocked_uninspectable";
    }
    if (pd->mode == VEIL_MODE_BLOCK) {
        /* A finding kind that did not fit the table could be a blocking
           one: fail closed. */
        if (x->findings.dropped > 0) {
            return "blocked_by_policy";
        }
        for (i = 0; i < x->findings.n; i++) {
            if (x->findings.kind[i].loc == loc && pd->blocks[x->findings.kind[i].detector]) {
                return "blocked_by_policy";
            }
        }
        return NULL;
    }
    if (pd->mode != VEIL_MODE_REDACT && pd->mode != VEIL_MODE_TOKENIZE) {
        return NULL;
    }
    if (in->zmode) {
        /* Read through gzip/deflate, but the bytes in transit are the
           encoded ones: they cannot be rewritten, so they do not go. */
        return "blocked_unrewritable";
    }
    if (veil_charset_transcodes(&in->cs)) {
        /* UTF-16/32: redacted as UTF-8, sent on in its own encoding. */
        return rewrite_transcoded(x, dir, rewritten) ? "blocked_unrewritable" : NULL;
    }
    if (pd->mode == VEIL_MODE_REDACT && pd->body_log != VEIL_BODY_LOG_ALLOWLIST && in->log_on &&
        !in->truncated && in->decoded == h->len && in->parts_skipped == 0 &&
        !veil__dir_tokenizes(pd)) {
        /* The log's redactor read these very bytes with the same engine,
           actions, key and field rules: its output is the rewritten body.
           One pass of the engine instead of two. (Not when it writes
           tokens: the tokens sent on are counted, by the pass below.) */
        veil__held_t out = {NULL, 0, 0};
        if (in->log.len > 0 && veil__held_add(&out, in->log.data, in->log.len, SIZE_MAX) != 0) {
            return "blocked_unrewritable";
        }
        veil__held_free(h);
        *h = out;
        *rewritten = 1;
        return NULL;
    }
    uint8_t *acts = transit_actions(pd);
    int rc;

    if (acts == NULL) {
        return "blocked_unrewritable";
    }
    rc = veil__rewrite_body(pd->engine, acts, pd->key, &in->type, pd, h,
                            veil__xchg_issues_placeholders(x, dir) ? x : NULL,
                            veil__dir_tokenizes(pd) ? veil__xchg_token_stats(x) : NULL);
    if (veil__dir_tokenizes(pd)) {
        veil__xchg_tokens_counted(x, pd->tokens);
    }
    free(acts);
    if (rc != 0) {
        return "blocked_unrewritable";
    }
    *rewritten = 1;
    return NULL;
}


const char *veil__xchg_verdict(veil__xchg_t *x, int dir, int *rewritten)
{
    const char *why = policy_verdict(x, dir, rewritten);

    /* A detokenize route: the body as the policy lets it go, its tokens
       turned back last, right before it leaves (the log and the policy
       saw the tokens). A body that cannot be read or rewritten goes
       with its tokens: never a value where a token should be. */
    if (why == NULL && veil__xchg_detokenizes(x, dir)) {
        int changed = 0;

        if (veil__body_detokenize_held(x, dir, &changed) == 0 && changed) {
            *rewritten = 1;
        }
    }
    return why;
}


void veil__xchg_policy_release(veil__xchg_t *x)
{
    veil__held_free(&x->half[0].held);
    veil__held_free(&x->half[1].held);
    veil_config_release(x->conf);
    x->conf = NULL;
    x->route = NULL;
    x->policy = NULL;
}


int veil__transit_action(const veil__xchg_t *x, int loc, unsigned d, int kept)
{
    const veil_policy_dir_t *pd;
    const uint8_t *actions;

    if (x->policy == NULL || kept || !x->c->w->inspect) {
        return VEIL_STATS_ACT_OBSERVE; /* forwarded as it came */
    }
    pd = &x->policy->dir[veil__loc_dir(loc)];
    actions = pd->actions;
    switch (pd->mode) {
    case VEIL_MODE_BLOCK:
        return pd->blocks != NULL && pd->blocks[d] && x->error != NULL &&
                       strcmp(x->error, "blocked_by_policy") == 0
                   ? VEIL_STATS_ACT_BLOCK
                   : VEIL_STATS_ACT_OBSERVE;
    case VEIL_MODE_TOKENIZE:
        return x->error == NULL ? VEIL_STATS_ACT_TOKENIZE : VEIL_STATS_ACT_OBSERVE;
    case VEIL_MODE_REDACT:
        if (x->error != NULL || actions == NULL || d >= veil_engine_detector_count(pd->engine)) {
            return VEIL_STATS_ACT_OBSERVE;
        }
        switch ((veil_action_t)actions[d]) {
        case VEIL_ACT_MASK:
            return VEIL_STATS_ACT_MASK;
        case VEIL_ACT_LABEL:
            return VEIL_STATS_ACT_LABEL;
        case VEIL_ACT_HASH:
            return VEIL_STATS_ACT_HASH;
        case VEIL_ACT_DROP:
            return VEIL_STATS_ACT_DROP;
        case VEIL_ACT_TOKENIZE:
            return VEIL_STATS_ACT_TOKENIZE;
        case VEIL_ACT_PLACEHOLDER:
            return VEIL_STATS_ACT_PLACEHOLDER;
        default:
            return VEIL_STATS_ACT_MASK;
        }
    default:
        return VEIL_STATS_ACT_OBSERVE;
    }
}


int veil__xchg_issues_placeholders(const veil__xchg_t *x, int dir)
{
    /* Only where the request goes on rewritten: in other modes the
       upstream sees the values, and nothing would come back to restore. */
    return x != NULL && dir == VEIL_DIR_REQUEST && x->policy != NULL && x->c->w->inspect &&
           x->policy->dir[VEIL_DIR_REQUEST].mode == VEIL_MODE_REDACT;
}


long veil__xchg_placeholder(void *ud, const char *label, const char *raw, size_t len, char *out,
                            size_t cap)
{
    veil__xchg_t *x = ud;

    if (x->ph == NULL && (x->ph = veil__ph_new()) == NULL) {
        return -1;
    }
    return veil__ph_issue(x->ph, label, raw, len, out, cap);
}
