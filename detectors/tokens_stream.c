/*
 * Tagged tokens found again in a stream by their grammar: a token is a
 * run of bytes that parses as tok-<key>-<type>-<payload> and ends where
 * a word of [A-Za-z0-9_-] ends or before a '-' (veil_token_scan()); it
 * may start anywhere in a word (a finding right after an escape such as
 * %28 or \u53f7, or glued to a letter, became a token there). Bytes are
 * written as soon as no token can hold them; from a "tok-" on, the bytes
 * are held until the grammar decides, with a quote right before them (a
 * bare JSON value's token is quoted, and its quotes go when it turns
 * back). What is held never exceeds the longest token and that quote.
 */
#include <errno.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "tokens_int.h"
#include "veil/veil.h"

struct veil_token_stream {
    const veil_tokens_t *t;
    veil_token_op_t op;
    veil_token_stats_t *st;
    veil_write_cb write;
    void *ud;
    char *buf; /* bytes not written yet */
    size_t len, cap;
    size_t skip_nl; /* line breaks a restored value brought back */
    char *val;      /* a token's value, wiped after use; made when
                               the first token comes */
    int error;
};

veil_token_stream_t *veil_token_stream_new(const veil_tokens_t *t, veil_token_op_t op,
                                           veil_token_stats_t *st, veil_write_cb write, void *ud)
{
    veil_token_stream_t *s;
    if (t == NULL || t->ring == NULL || write == NULL || op == VEIL_TOKEN_OP_TOKENIZE) {
        return NULL;
    }
    s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return NULL;
    }
    s->t = t;
    s->op = op;
    s->st = st;
    s->write = write;
    s->ud = ud;
    return s;
}

static void out(veil_token_stream_t *s, const char *p, size_t n)
{
    if (n && s->error == 0 && s->write(s->ud, p, n) != 0) {
        s->error = VEIL_EWRITE;
    }
}

static void count(veil_token_stream_t *s, const veil_token_parts_t *parts, int key,
                  veil_token_outcome_t outcome)
{
    char type[VEIL_TOKEN_TYPE_MAX + 1];
    int slot = key >= 0 ? veil_token_ring_slot(s->t->ring, (size_t)key) : 0;
    if (s->st == NULL) {
        return;
    }
    memcpy(type, parts->type, parts->type_len);
    type[parts->type_len] = '\0';
    s->st->reversed[veil_token_stat_type(type)][slot][outcome]++;
}

/*
 * buf[i, j) parses as a token. Returns where writing resumes (past the
 * token, and past its closing quote when the quotes went with it),
 * having written what comes before; or <i> when it stays as it is.
 */
static size_t on_token(veil_token_stream_t *s, size_t *emitted, size_t i, size_t j,
                       const veil_token_parts_t *pp)
{
    const size_t cap = VEIL_TOKEN_OUT_CAP(VEIL_TOKEN_VALUE_MAX);
    veil_token_parts_t parts = *pp;
    int key = -1, bare = 0;
    long n;

    /* A type the caller may not see stays a token, unopened: counted
       under the key its id names (slot 0 when the ring has none). */
    if (s->op == VEIL_TOKEN_OP_DETOKENIZE && s->t->type_allowed != NULL &&
        !s->t->type_allowed(s->t->type_ud, parts.type, parts.type_len)) {
        count(s, &parts, veil_token_ring_find(s->t->ring, parts.key, parts.key_len),
              VEIL_TOKEN_NOT_ALLOWED);
        return i;
    }
    /* Made when the first word that parses as a token comes. */
    if (s->val == NULL && (s->val = malloc(cap)) == NULL) {
        s->error = -ENOMEM;
        return i;
    }

    n = veil_token_tagged_open(s->t->ring, s->buf + i, j - i, s->val, cap, &key, &bare);
    if (n < 0) {
        if (n == VEIL_ETOKEN_KEY || n == VEIL_ETOKEN_RETIRED || n == VEIL_ETOKEN_AUTH) {
            count(s, &parts, key,
                  n == VEIL_ETOKEN_KEY       ? VEIL_TOKEN_UNKNOWN_KEY
                  : n == VEIL_ETOKEN_RETIRED ? VEIL_TOKEN_RETIRED
                                             : VEIL_TOKEN_FORGED);
        } else if (n != VEIL_ESYNTAX) {
            s->error = (int)n;
        }
        return i;
    }
    if (s->op == VEIL_TOKEN_OP_REWRAP) {
        char type[VEIL_TOKEN_TYPE_MAX + 1];
        long m;
        if (key != s->t->rewrap_from) {
            OPENSSL_cleanse(s->val, (size_t)n);
            return i;
        }
        memcpy(type, parts.type, parts.type_len);
        type[parts.type_len] = '\0';
        /* The value moves to the end of the scratch buffer, so the new
           token can be written at its start. */
        memmove(s->val + cap - (size_t)n, s->val, (size_t)n);
        m = veil_token_tagged_make(s->t->ring, s->t->issue, type, bare, s->val + cap - (size_t)n,
                                   (size_t)n, s->val, cap - (size_t)n);
        OPENSSL_cleanse(s->val + cap - (size_t)n, (size_t)n);
        if (m < 0) {
            s->error = (int)m;
            return i;
        }
        out(s, s->buf + *emitted, i - *emitted);
        out(s, s->val, (size_t)m);
        count(s, &parts, key, VEIL_TOKEN_REWRAPPED);
        *emitted = j;
        return j;
    }
    /* A bare JSON value's token was written quoted: the quotes go. */
    int quoted = bare && i > *emitted && s->buf[i - 1] == '"' && j < s->len && s->buf[j] == '"';
    out(s, s->buf + *emitted, (quoted ? i - 1 : i) - *emitted);
    out(s, s->val, (size_t)n);
    for (long k = 0; k < n; k++) {
        s->skip_nl += s->val[k] == '\n';
    }
    OPENSSL_cleanse(s->val, (size_t)n);
    count(s, &parts, key, VEIL_TOKEN_RESTORED);
    *emitted = quoted ? j + 1 : j;
    return *emitted;
}

/* The next byte at or after <i> that may start a token, or <len>. */
static size_t next_t(const veil_token_stream_t *s, size_t i)
{
    const char *t = memchr(s->buf + i, 't', s->len - i);

    return t != NULL ? (size_t)(t - s->buf) : s->len;
}

/* Writes every byte that is decided; keeps the rest in buf. */
static int process(veil_token_stream_t *s, int final)
{
    size_t i = 0, emitted = 0, keep;

    if (s->len == 0) {
        return s->error;
    }
    while (i < s->len && s->error == 0) {
        veil_token_parts_t parts;
        long n;

        if (s->skip_nl) {
            if (s->buf[i] == '\n' && i == emitted) {
                emitted = ++i;
                s->skip_nl--;
                continue;
            }
            s->skip_nl = 0;
        }
        if (s->buf[i] != 't') {
            i = next_t(s, i);
            continue;
        }
        n = veil_token_scan(s->buf + i, s->len - i, !final, &parts);
        if (n < 0) {
            break; /* may be a token: held until the next chunk decides */
        }
        if (n == 0) {
            i++;
            continue;
        }
        /* A token that stays (unopened) is skipped whole: no "tok-"
           inside it is looked at again. */
        size_t next = on_token(s, &emitted, i, i + (size_t)n, &parts);
        i = next > i ? next : i + (size_t)n;
    }
    /* Keep what may still be a token, and a quote right before it (or a
       quote that ends the chunk: a token may follow it). */
    keep = i < s->len ? i : s->len;
    if (!final && keep > emitted && s->buf[keep - 1] == '"') {
        keep--;
    }
    if (keep < emitted) {
        keep = emitted;
    }
    out(s, s->buf + emitted, keep - emitted);
    OPENSSL_cleanse(s->buf, keep);
    memmove(s->buf, s->buf + keep, s->len - keep);
    s->len -= keep;
    return s->error;
}

int veil_token_stream_feed(veil_token_stream_t *s, const void *data, size_t len)
{
    if (s->error || len == 0) {
        return s->error;
    }
    if (s->len + len > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < s->len + len) {
            cap *= 2;
        }
        char *b = malloc(cap);
        if (b == NULL) {
            return s->error = -ENOMEM;
        }
        if (s->buf) {
            memcpy(b, s->buf, s->len);
            OPENSSL_cleanse(s->buf, s->cap);
            free(s->buf);
        }
        s->buf = b;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, data, len);
    s->len += len;
    return process(s, 0);
}

int veil_token_stream_finish(veil_token_stream_t *s)
{
    if (s->error) {
        return s->error;
    }
    return process(s, 1);
}

void veil_token_stream_free(veil_token_stream_t *s)
{
    if (s == NULL) {
        return;
    }
    if (s->buf) {
        OPENSSL_cleanse(s->buf, s->cap);
        free(s->buf);
    }
    if (s->val) {
        OPENSSL_cleanse(s->val, VEIL_TOKEN_OUT_CAP(VEIL_TOKEN_VALUE_MAX));
        free(s->val);
    }
    free(s);
}
