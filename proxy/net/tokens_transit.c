/*
 * Reversible tokens in transit: the counters of the passes that write or
 * open tokens, and detokenize routes (docs/tokens.md).
 *
 * Counting: a token transform counts into a plain veil_token_stats_t, by
 * key slot. Each worker has one; every pass whose output goes on (the
 * rewrite of a held body, the transit pass over a head, a detokenize
 * step) counts into it, and right after the pass its counts go to the
 * worker's shard under the key ids of the ring that pass used
 * (veil_stats_tokens(), which zeroes it again). Passes run whole within
 * one callback of the worker's loop, so nothing of another exchange is
 * ever in it.
 *
 * Detokenize routes: the body (held like a policy's) goes through the
 * redactor with the token op DETOKENIZE (format-preserving tokens at their
 * places) and the tagged-token stream (body.c). A head's values take the
 * same two steps here: the redactor over each value (the query in form
 * syntax, so that a card's field name makes its place; the path and
 * field values as text, where e-mail tokens are found), then its tagged
 * tokens, found by their grammar and opened one by one.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "proxy_int.h"
#include "veil/stats.h"
#include "veil/tokens.h"
#include "veil/veil.h"


veil_token_stats_t *veil__xchg_token_stats(const veil__xchg_t *x)
{
    return x != NULL && x->c->w->shard != NULL ? x->c->w->tok : NULL;
}


void veil__xchg_tokens_counted(const veil__xchg_t *x, const veil_tokens_t *t)
{
    veil_token_stats_t *st = veil__xchg_token_stats(x);

    if (st != NULL) {
        veil_stats_tokens(x->c->w->shard, t != NULL ? t->ring : NULL, st);
    }
}


int veil__dir_tokenizes(const veil_policy_dir_t *pd)
{
    size_t n;

    if (pd == NULL || pd->tokens == NULL || pd->engine == NULL) {
        return 0;
    }
    if (pd->mode == VEIL_MODE_TOKENIZE) {
        return 1;
    }
    if (pd->mode != VEIL_MODE_REDACT) {
        return 0;
    }
    for (size_t i = 0; i < pd->nfields; i++) {
        if (pd->fields[i].action == VEIL_ACT_TOKENIZE) {
            return 1; /* a field rule's tokens */
        }
    }
    if (pd->actions == NULL) {
        return 0;
    }
    n = veil_engine_detector_count(pd->engine);
    for (size_t d = 0; d < n; d++) {
        if (pd->actions[d] == VEIL_ACT_TOKENIZE) {
            return 1;
        }
    }
    return 0;
}


int veil__xchg_detokenizes(const veil__xchg_t *x, int dir)
{
    return x != NULL && x->route != NULL && (x->route->detokenize & (1u << dir)) &&
           x->policy != NULL && x->policy->dir[dir].tokens != NULL &&
           x->c->listener < VEIL_MAX_LISTENERS && x->c->w->listener_trusted[x->c->listener];
}


static int route_type_allowed(void *ud, const char *type, size_t len)
{
    return veil_route_detokenizes_type(ud, type, len);
}


void veil__xchg_detok_tokens(const veil__xchg_t *x, int dir, veil_tokens_t *out)
{
    *out = *x->policy->dir[dir].tokens;
    out->rewrap_from = -1;
    out->type_allowed = route_type_allowed;
    out->type_ud = (void *)x->route;
}


/* ---- heads ---- */

/* A restored value in the request target: what a URI does not allow
   there, and what would change its structure ('/', '?', '#', '&', '=',
   '+', '%'), percent-encoded. */
static int target_put(veil_jbuf_t *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || c == '@' || c == ':') {
            rc |= veil_jbuf_raw(b, (const char *)&c, 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            rc |= veil_jbuf_raw(b, e, 3);
        }
    }
    return rc;
}


/* A value a field line can carry: no control character but HTAB. */
static int field_safe(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            return 0;
        }
    }
    return 1;
}


static void count(veil_token_stats_t *st, const veil_tokens_t *t, const veil_token_parts_t *pt,
                  int key, veil_token_outcome_t outcome)
{
    char type[VEIL_TOKEN_TYPE_MAX + 1];
    int slot = key >= 0 ? veil_token_ring_slot(t->ring, (size_t)key) : 0;

    if (st == NULL) {
        return;
    }
    memcpy(type, pt->type, pt->type_len);
    type[pt->type_len] = '\0';
    st->reversed[veil_token_stat_type(type)][slot][outcome]++;
}


/*
 * The token p[q, j) (parsed as <pt>): its value appended to <b> after
 * the bytes p[*emitted, q), or nothing done when it stays a token.
 */
static int open_one(const veil_tokens_t *t, veil_token_stats_t *st, veil_jbuf_t *b, const char *p,
                    size_t *emitted, size_t q, size_t j, const veil_token_parts_t *pt, int target,
                    char *val, size_t cap)
{
    int key = -1, rc = 0;
    long n;

    if (t->type_allowed != NULL && !t->type_allowed(t->type_ud, pt->type, pt->type_len)) {
        count(st, t, pt, veil_token_ring_find(t->ring, pt->key, pt->key_len),
              VEIL_TOKEN_NOT_ALLOWED);
        return 0;
    }
    n = veil_token_tagged_open(t->ring, p + q, j - q, val, cap, &key, NULL);
    if (n < 0) {
        if (n == VEIL_ETOKEN_KEY || n == VEIL_ETOKEN_RETIRED || n == VEIL_ETOKEN_AUTH) {
            count(st, t, pt, key,
                  n == VEIL_ETOKEN_KEY       ? VEIL_TOKEN_UNKNOWN_KEY
                  : n == VEIL_ETOKEN_RETIRED ? VEIL_TOKEN_RETIRED
                                             : VEIL_TOKEN_FORGED);
        }
        return 0;
    }
    if (!target && !field_safe(val, (size_t)n)) {
        /* A line break in a field would end it: the token stays. */
        OPENSSL_cleanse(val, (size_t)n);
        return 0;
    }
    if (q > *emitted) {
        rc |= veil_jbuf_raw(b, p + *emitted, q - *emitted);
    }
    if (target) {
        rc |= target_put(b, val, (size_t)n);
    } else if (n > 0) {
        rc |= veil_jbuf_raw(b, val, (size_t)n);
    }
    OPENSSL_cleanse(val, (size_t)n);
    count(st, t, pt, key, VEIL_TOKEN_RESTORED);
    *emitted = j;
    return rc;
}


static int jbuf_write(void *ud, const char *data, size_t len)
{
    return veil_jbuf_raw(ud, data, len);
}


/*
 * The first step, as for a body: the value <p> (<len> bytes, in <fmt>)
 * with its format-preserving tokens turned back, into <out>. FPE only
 * changes letters and digits (and drops an e-mail token's tag), so what
 * comes back needs no escaping in a target or a field. 0, or -1.
 */
static int open_fpe(const veil__xchg_t *x, int dir, const veil_tokens_t *t, veil_token_stats_t *st,
                    veil_format_t fmt, const char *p, size_t len, veil_jbuf_t *out)
{
    veil_redactor_options_t ro;
    veil_redactor_t *r;
    int rc;

    memset(&ro, 0, sizeof(ro));
    ro.format = fmt;
    ro.action = VEIL_ACT_TOKENIZE;
    ro.tokens = t;
    ro.token_stats = st;
    ro.token_op = VEIL_TOKEN_OP_DETOKENIZE;
    ro.write = jbuf_write;
    ro.write_ud = out;
    r = veil_redactor_new(x->policy->dir[dir].engine, &ro);
    if (r == NULL) {
        return -1;
    }
    rc = veil_redactor_feed(r, p, len);
    if (rc == 0) {
        rc = veil_redactor_finish(r);
    }
    veil_redactor_free(r);
    return rc == 0 && !out->overflow ? 0 : -1;
}


/* The second step: the tagged tokens of <p> turned back, appended to <b>
   (see veil__detok_put()). */
static int open_tagged(const veil_tokens_t *t, veil_token_stats_t *st, veil_jbuf_t *b,
                       const char *p, size_t len, int target)
{
    const size_t cap = VEIL_TOKEN_OUT_CAP(VEIL_TOKEN_VALUE_MAX);
    size_t emitted = 0;
    char *val = NULL;
    int rc = 0;

    if (len < 4 || memmem(p, len, "tok-", 4) == NULL) {
        return len > 0 ? veil_jbuf_raw(b, p, len) : 0;
    }
    /* Where a token may start and end: the stream's rule
       (veil_token_scan(), tokens_stream.c). */
    for (size_t i = 0; len - i >= 4 && rc == 0;) {
        const char *hit = memmem(p + i, len - i, "tok-", 4);
        veil_token_parts_t pt;
        long n;

        if (hit == NULL) {
            break;
        }
        i = (size_t)(hit - p);
        n = veil_token_scan(p + i, len - i, 0, &pt);
        if (n <= 0) {
            i += 4;
            continue;
        }
        if (val == NULL && (val = malloc(cap)) == NULL) {
            rc = -1;
            break;
        }
        /* Opened or not, the token is skipped whole. */
        rc = open_one(t, st, b, p, &emitted, i, i + (size_t)n, &pt, target, val, cap);
        i += (size_t)n;
    }
    if (rc == 0 && emitted < len) {
        rc = veil_jbuf_raw(b, p + emitted, len - emitted);
    }
    if (val != NULL) {
        OPENSSL_cleanse(val, cap);
        free(val);
    }
    return rc;
}


int veil__detok_put(const veil__xchg_t *x, int dir, veil_jbuf_t *b, const char *p, size_t len,
                    int target, int counted, veil_format_t fmt)
{
    veil_token_stats_t *st = counted ? veil__xchg_token_stats(x) : NULL;
    veil_tokens_t t;
    veil_jbuf_t fpe;
    int rc;

    if (len == 0) {
        return 0;
    }
    veil__xchg_detok_tokens(x, dir, &t);
    if (x->policy->dir[dir].engine == NULL || !x->c->w->inspect) {
        /* No engine to find format-preserving tokens' places with: as
           for a body, only the tagged ones. */
        rc = open_tagged(&t, st, b, p, len, target);
    } else {
        /* FPE never makes a value longer; the room is a margin. */
        veil_jbuf_init(&fpe, 2 * len + 1024);
        rc = open_fpe(x, dir, &t, st, fmt, p, len, &fpe);
        if (rc == 0) {
            rc = open_tagged(&t, st, b, fpe.data != NULL ? fpe.data : "", fpe.len, target);
        }
        veil_jbuf_dispose(&fpe); /* wiped: it held values */
    }
    if (counted) {
        veil__xchg_tokens_counted(x, &t);
    }
    return rc;
}
